"""A small DNS server on the loopback for tests: real UDP DNS, answers from a dict.

    zone = DnsZone()
    zone.txt["_tessera-verify.club.example"] = ["token"]   # TXT answers
    zone.names.add("empty.example")                        # exists, but has no TXT
    zone.silent.add("slow.example")                        # never answered: a timeout
    with dns_server(zone) as port: ...                      # 127.0.0.1:port

Any other name is NXDOMAIN.
"""

import contextlib

from dnslib import QTYPE, RCODE, RR, TXT, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer


class DnsZone(BaseResolver):
    def __init__(self):
        self.txt: dict[str, list[str]] = {}
        self.names: set[str] = set()
        self.silent: set[str] = set()
        self.queries: list[str] = []

    def resolve(self, request, handler):
        name = str(request.q.qname).rstrip(".").lower()
        self.queries.append(name)
        if name in self.silent:
            return None
        reply = request.reply()
        if name in self.txt:
            if request.q.qtype == QTYPE.TXT:
                for value in self.txt[name]:
                    reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        elif name not in self.names:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class _Handler(DNSHandler):
    """dnslib's UDP handler, except that a resolver answering None sends nothing."""

    def handle(self):
        data, sock = self.request
        reply = self.server.resolver.resolve(DNSRecord.parse(data), self)
        if reply is not None:
            sock.sendto(reply.pack(), self.client_address)


@contextlib.contextmanager
def dns_server(zone: DnsZone):
    """Serve `zone` on 127.0.0.1 over UDP in a thread; yields the port."""
    server = DNSServer(
        zone,
        address="127.0.0.1",
        port=0,  # the system picks a free port
        handler=_Handler,
        logger=DNSLogger(log="-recv,-send,-request,-reply,-truncated,-error,-data", prefix=False),
    )
    server.start_thread()
    try:
        yield server.server.server_address[1]
    finally:
        server.stop()
        server.server.server_close()
