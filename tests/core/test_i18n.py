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
