"""The text a PDF made with reportlab shows, to assert on (its pages' streams are compressed)."""

import base64
import re
import zlib

_STREAM = re.compile(
    rb"/Filter \[ /ASCII85Decode /FlateDecode \].*?stream\r?\n(.*?)~>\s*endstream", re.DOTALL
)
_STRING = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", re.DOTALL)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)


def _unescape(match: re.Match) -> bytes:
    code = match.group(1)
    if code[:1].isdigit():
        return bytes([int(code, 8)])
    return {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(code, code)


def pdf_text(pdf: bytes) -> list[str]:
    """Every string drawn, in order (WinAnsi, as reportlab writes the standard fonts)."""
    lines = []
    for stream in _STREAM.findall(pdf):
        try:
            content = zlib.decompress(base64.a85decode(re.sub(rb"\s", b"", stream)))
        except (ValueError, zlib.error):
            continue
        lines += [_ESCAPE.sub(_unescape, text).decode("cp1252") for text in _STRING.findall(content)]
    return lines
