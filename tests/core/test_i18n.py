import os

from tests.tenants import ALPHA


def test_pages_are_served_in_french_on_request(client, organizations):
    response = client.get("/", HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()
    assert "La billetterie de vos événements" in response.content.decode()


def test_the_unknown_host_page_is_translated(client, organizations):
    response = client.get("/", HTTP_HOST="nobody.localhost", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 404
    assert "Aucun site à cette adresse" in response.content.decode()


def test_the_language_switcher_changes_the_language(client, organizations):
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"}, HTTP_HOST=ALPHA.host)

    response = client.get("/", HTTP_HOST=ALPHA.host)

    assert "Se connecter" in response.content.decode()


def test_the_french_catalogue_is_complete_and_compiled():
    """Every message has a French translation, none is left fuzzy, placeholders match, and the
    compiled catalogue Django reads holds the same translations."""
    import gettext
    import re
    from pathlib import Path

    import polib

    catalogue = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES"
    po = polib.pofile(str(catalogue / "django.po"))
    entries = [entry for entry in po if not entry.obsolete]
    assert [e.msgid for e in entries if not e.translated() or "fuzzy" in e.flags] == []
    placeholders = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}")
    assert [
        e.msgid
        for e in entries
        if not e.msgid_plural
        and sorted(placeholders.findall(e.msgid)) != sorted(placeholders.findall(e.msgstr))
    ] == []
    with (catalogue / "django.mo").open("rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    stale = [
        e.msgid
        for e in entries
        if not e.msgid_plural
        and (mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt else mo.gettext(e.msgid)) != e.msgstr
    ]
    assert stale == []


def test_every_message_in_the_code_is_in_the_french_catalogue(tmp_path, settings):
    """makemessages over the code, into a copy of the catalogue, adds no message: a string
    marked for translation without a French entry fails here, not in front of a user."""
    import shutil
    from pathlib import Path

    import polib
    from django.core.management import call_command

    root = Path(__file__).resolve().parents[2]
    for name in ("apps", "config", "templates"):
        (tmp_path / name).symlink_to(root / name)
    catalogue = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    catalogue.mkdir(parents=True)
    shutil.copy(root / "locale" / "fr" / "LC_MESSAGES" / "django.po", catalogue / "django.po")
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=["fr"], symlinks=True, verbosity=0)
    finally:
        os.chdir(cwd)
    po = polib.pofile(str(catalogue / "django.po"))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == [], "run manage.py makemessages -l fr --ignore='.venv*' and translate these"
