"""Info pages: the platform admin writes them, the platform's site shows them at /<slug>/."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.core.audit import Actor
from apps.core.models import AuditLogEntry, Branding
from apps.platform.models import RESERVED_PAGE_SLUGS, InfoPage
from apps.platform.selectors import NavPage, platform_brand
from apps.platform.services.info_pages import info_page_create, info_page_delete, info_page_update
from tests.factories import UserFactory, totp_for
from tests.tenants import ALPHA

FORM = {
    "title": "About us",
    "slug": "about",
    "kind": "text",
    "body": "We sell tickets.\n\nFor everyone.",
    "is_published": "on",
    "show_in_nav": "on",
    "sort_order": "1",
}


@pytest.fixture
def staff(organizations):
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.example", is_staff=True, is_superuser=True)
        totp_for(staff)
        return staff


@pytest.fixture
def staff_client(client, staff):
    with schema_context("public"):
        client.force_login(staff)
    return client


def _page(**fields) -> InfoPage:
    """An info page stored the way the pages do, the brand cache dropped at once."""
    page = info_page_create(actor=Actor(user=None), **{**_fields(FORM), **fields})
    cache.clear()
    return page


def _fields(form: dict) -> dict:
    return {
        "title": form["title"],
        "slug": form["slug"],
        "kind": form["kind"],
        "body": form["body"],
        "is_published": bool(form.get("is_published")),
        "show_in_nav": bool(form.get("show_in_nav")),
        "sort_order": int(form["sort_order"]),
    }


def _pages() -> list[InfoPage]:
    with schema_context("public"):
        return list(InfoPage.objects.order_by("pk"))


# --- Who may manage them.

ADMIN_PAGES = [
    "/platform/pages/",
    "/platform/pages/new/",
    "/platform/pages/{pk}/",
    "/platform/pages/{pk}/delete/",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_platform_admin_opens_the_page_admin(staff_client, path):
    page = _page()

    response = staff_client.get(path.format(pk=page.pk), HTTP_HOST="localhost")

    assert response.status_code == 200


def test_the_platform_nav_links_the_page_admin_for_platform_admins_only(client, staff_client):
    assert 'href="/platform/pages/"' in staff_client.get("/", HTTP_HOST="localhost").content.decode()
    staff_client.logout()
    assert 'href="/platform/pages/"' not in client.get("/", HTTP_HOST="localhost").content.decode()


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, organizations, path):
    page = _page()

    response = client.get(path.format(pk=page.pk), HTTP_HOST="localhost")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_public_user_who_is_not_staff_is_refused(client, organizations, path):
    page = _page()
    with schema_context("public"):
        client.force_login(UserFactory(email="someone@example.com"))

    assert client.get(path.format(pk=page.pk), HTTP_HOST="localhost").status_code == 403
    assert client.post(path.format(pk=page.pk), FORM, HTTP_HOST="localhost").status_code == 403
    assert [(p.title, p.slug) for p in _pages()] == [("About us", "about")]


@pytest.mark.parametrize("path", ["/platform/pages/", "/platform/pages/new/", "/about/"])
def test_the_pages_do_not_exist_on_an_organization_host(client, alpha, path):
    _page()
    with schema_context(alpha.schema_name):
        client.force_login(UserFactory(email="admin@alpha.example", is_operator=True, is_admin=True))

    assert client.get(path, HTTP_HOST=ALPHA.host).status_code == 404


def test_an_organization_host_shows_no_platform_pages_in_its_nav(client, alpha):
    _page()

    html = client.get("/", HTTP_HOST=ALPHA.host).content.decode()

    assert 'href="/about/"' not in html


# --- Create, edit, delete.


def test_creating_a_page_stores_it_and_audits_it(staff_client):
    response = staff_client.post("/platform/pages/new/", FORM, HTTP_HOST="localhost")

    assert response.status_code == 302
    assert response["Location"] == "/platform/pages/"
    [page] = _pages()
    assert (page.title, page.slug, page.is_published, page.show_in_nav, page.sort_order) == (
        "About us",
        "about",
        True,
        True,
        1,
    )
    with schema_context("public"):
        entry = AuditLogEntry.objects.get(action="info_page.created")
    assert entry.actor_email == "staff@platform.example"
    assert entry.target_id == str(page.pk)


def test_the_address_is_stored_in_lowercase(staff_client):
    staff_client.post("/platform/pages/new/", {**FORM, "slug": "About-Us"}, HTTP_HOST="localhost")

    assert [page.slug for page in _pages()] == ["about-us"]


def test_editing_a_page_saves_the_changes_and_audits_their_names(staff_client):
    page = _page()

    response = staff_client.post(
        f"/platform/pages/{page.pk}/",
        {**FORM, "title": "Who we are", "is_published": ""},
        HTTP_HOST="localhost",
    )

    assert response.status_code == 302
    [page] = _pages()
    assert (page.title, page.is_published) == ("Who we are", False)
    with schema_context("public"):
        entry = AuditLogEntry.objects.get(action="info_page.changed")
    assert entry.data["fields"] == ["is_published", "title"]


def test_deleting_a_page_asks_first_then_removes_it_and_audits_it(staff_client):
    page = _page()

    confirm = staff_client.get(f"/platform/pages/{page.pk}/delete/", HTTP_HOST="localhost")
    response = staff_client.post(f"/platform/pages/{page.pk}/delete/", HTTP_HOST="localhost")

    assert "/about/" in confirm.content.decode()
    assert response.status_code == 302
    assert _pages() == []
    with schema_context("public"):
        assert AuditLogEntry.objects.filter(action="info_page.deleted", target_id=str(page.pk)).exists()


def test_an_unknown_page_is_not_found(staff_client, organizations):
    assert staff_client.get("/platform/pages/999999/", HTTP_HOST="localhost").status_code == 404
    assert staff_client.post("/platform/pages/999999/delete/", HTTP_HOST="localhost").status_code == 404


def test_the_list_shows_every_page_drafts_included(staff_client):
    _page()
    _page(title="Terms", slug="terms", is_published=False)

    html = staff_client.get("/platform/pages/", HTTP_HOST="localhost").content.decode()

    assert "About us" in html
    assert "Terms" in html


# --- Validation.


@pytest.mark.parametrize("slug", sorted(RESERVED_PAGE_SLUGS))
def test_reserved_addresses_are_refused(staff_client, slug):
    response = staff_client.post(
        "/platform/pages/new/", {**FORM, "slug": slug.upper()}, HTTP_HOST="localhost"
    )

    assert response.status_code == 400
    assert "belongs to the platform itself" in response.context["form"].errors["slug"][0]
    assert _pages() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("slug", ""),
        ("slug", "about us"),
        ("slug", "-about"),
        ("slug", "über"),
        ("sort_order", "-1"),
        ("sort_order", "first"),
    ],
)
def test_invalid_values_are_field_errors_and_nothing_is_saved(staff_client, field, value):
    response = staff_client.post("/platform/pages/new/", {**FORM, field: value}, HTTP_HOST="localhost")

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert _pages() == []


def test_an_address_already_taken_is_a_field_error(staff_client):
    _page()
    other = _page(title="Other", slug="other")

    created = staff_client.post("/platform/pages/new/", FORM, HTTP_HOST="localhost")
    edited = staff_client.post(f"/platform/pages/{other.pk}/", FORM, HTTP_HOST="localhost")

    for response in (created, edited):
        assert response.status_code == 400
        assert response.context["form"].errors["slug"] == ["Another page already has this address."]
    assert sorted(page.slug for page in _pages()) == ["about", "other"]


def test_the_service_refuses_a_reserved_address_on_update(organizations):
    from django.core.exceptions import ValidationError

    page = _page()

    with pytest.raises(ValidationError) as raised:
        info_page_update(page_id=page.pk, changes={"slug": "pricing"}, actor=Actor(user=None))

    assert "slug" in raised.value.message_dict
    assert _pages()[0].slug == "about"


# --- The public page.


def test_a_published_page_is_shown_with_its_paragraphs(client, organizations):
    _page()

    response = client.get("/about/", HTTP_HOST="localhost")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>About us</h1>" in html
    assert "<p>We sell tickets.</p>" in html
    assert "<p>For everyone.</p>" in html


def test_the_owner_cannot_put_html_on_the_page(client, organizations):
    _page(title="<b>Bold</b>", body="<script>alert('x')</script>\n<a href='//evil'>click</a>")

    html = client.get("/about/", HTTP_HOST="localhost").content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<a href='//evil'>" not in html
    assert "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_an_unpublished_page_is_not_found(client, staff_client):
    _page(is_published=False)

    assert client.get("/about/", HTTP_HOST="localhost").status_code == 404


def test_an_unknown_address_is_not_found(client, organizations):
    assert client.get("/nothing-here/", HTTP_HOST="localhost").status_code == 404


def test_the_platforms_own_addresses_still_answer(staff_client):
    """The page address is matched last, and never for a reserved slug."""
    assert staff_client.get("/admin/", HTTP_HOST="localhost").status_code == 200
    assert staff_client.get("/platform/", HTTP_HOST="localhost").status_code == 200
    assert staff_client.get("/register/", HTTP_HOST="localhost").status_code == 200


# --- The nav, cached with the brand.


def test_the_nav_links_published_nav_pages_in_their_order(client, organizations):
    _page(title="Contact", slug="contact", sort_order=2)
    _page(title="About us", slug="about", sort_order=1)
    _page(title="Terms", slug="terms", show_in_nav=False)
    _page(title="Soon", slug="soon", is_published=False)

    html = client.get("/", HTTP_HOST="localhost").content.decode()

    assert '<a href="/about/">About us</a>' in html
    assert '<a href="/contact/">Contact</a>' in html
    assert html.index('href="/about/"') < html.index('href="/contact/"')
    assert 'href="/terms/"' not in html
    assert 'href="/soon/"' not in html


def test_nav_titles_are_escaped(client, organizations):
    _page(title="<i>About</i>")

    html = client.get("/", HTTP_HOST="localhost").content.decode()

    assert '<a href="/about/">&lt;i&gt;About&lt;/i&gt;</a>' in html


def test_the_nav_cache_is_dropped_when_pages_are_saved_or_deleted(
    organizations, django_capture_on_commit_callbacks
):
    actor = Actor(user=None)
    assert platform_brand().nav_pages == ()  # cached now

    with django_capture_on_commit_callbacks(execute=True):
        page = info_page_create(
            actor=actor, title="About us", slug="about", is_published=True, show_in_nav=True
        )
    assert platform_brand().nav_pages == (NavPage(title="About us", slug="about"),)

    with django_capture_on_commit_callbacks(execute=True):
        info_page_update(page_id=page.pk, changes={"title": "Who we are"}, actor=actor)
    assert platform_brand().nav_pages == (NavPage(title="Who we are", slug="about"),)

    with django_capture_on_commit_callbacks(execute=True):
        info_page_delete(page_id=page.pk, actor=actor)
    assert platform_brand().nav_pages == ()


def test_the_nav_is_served_from_the_cache(organizations):
    _page()
    assert platform_brand().nav_pages == (NavPage(title="About us", slug="about"),)
    with schema_context("public"):
        InfoPage.objects.update(title="Changed behind the cache's back")

    assert platform_brand().nav_pages == (NavPage(title="About us", slug="about"),)


def test_the_platform_admin_saves_through_the_service(staff_client, django_capture_on_commit_callbacks):
    assert platform_brand().nav_pages == ()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/admin/platform/infopage/add/", FORM, HTTP_HOST="localhost")

    assert response.status_code == 302
    assert platform_brand().nav_pages == (NavPage(title="About us", slug="about"),)
    with schema_context("public"):
        assert AuditLogEntry.objects.filter(action="info_page.created").count() == 1


def test_the_platform_admin_refuses_reserved_addresses(staff_client):
    response = staff_client.post(
        "/admin/platform/infopage/add/", {**FORM, "slug": "pricing"}, HTTP_HOST="localhost"
    )

    assert response.status_code == 200  # the admin's own way of showing errors
    assert "belongs to the platform itself" in response.content.decode()
    assert _pages() == []


def test_the_platform_admin_deletes_through_the_service(staff_client, django_capture_on_commit_callbacks):
    page = _page()
    assert platform_brand().nav_pages

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/platform/infopage/",
            {"action": "delete_selected", "_selected_action": [page.pk], "post": "yes"},
            HTTP_HOST="localhost",
        )

    assert response.status_code == 302
    assert _pages() == []
    assert platform_brand().nav_pages == ()
    with schema_context("public"):
        assert AuditLogEntry.objects.filter(action="info_page.deleted").count() == 1


def _queries(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if not query["sql"].startswith("SET ")]


def test_the_nav_pages_cost_no_query_once_cached_and_none_extra_on_a_miss(client, organizations):
    with schema_context("public"):
        Branding.objects.get_or_create(pk=1)  # a saved brand: the pages come along in its query
    _page()
    _page(title="Contact", slug="contact")

    with CaptureQueriesContext(connection) as cold:
        client.get("/", HTTP_HOST="localhost")
    with CaptureQueriesContext(connection) as warm:
        html = client.get("/", HTTP_HOST="localhost").content.decode()

    assert '<a href="/about/">About us</a><' in html
    assert '<a href="/contact/">Contact</a><' in html
    cold_queries, warm_queries = _queries(cold), _queries(warm)
    assert len(cold_queries) - len(warm_queries) == 1  # settings and pages in one statement
    assert not any("platform_infopage" in sql for sql in warm_queries)


# --- Demo.


def test_the_demo_pages_are_seeded_once_and_keep_the_owners_edits(organizations):
    from apps.platform.demo import info_pages_demo_seed

    with schema_context("public"):
        info_pages_demo_seed()
        about = InfoPage.objects.get(slug="about")
        info_page_update(page_id=about.pk, changes={"title": "Qui sommes-nous"}, actor=Actor(user=None))
        info_pages_demo_seed()

    pages = _pages()
    assert [(page.slug, page.kind, page.is_published, page.show_in_nav) for page in pages] == [
        ("about", "text", True, True),
        ("contact", "text", True, True),
        ("start", "signup", True, True),
        ("terms", "text", True, False),
    ]
    assert pages[0].title == "Qui sommes-nous"
    with schema_context("public"):
        assert AuditLogEntry.objects.filter(action="info_page.created").count() == 4
