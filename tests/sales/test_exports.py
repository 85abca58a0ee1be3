"""Exports (/control/exports/): orders, tickets and attendees, customers as CSV and XLSX,
built by a task from what the requester may see, with formulas neutralized, stored under
the organization's schema and downloaded by the requester only — another operator, or the
twin organization with the same ids, gets a 404."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core import spreadsheets
from apps.core.audit import Actor
from apps.core.emails import PENDING_AFTER
from apps.core.models import AuditLogEntry
from apps.sales.models import Export
from apps.sales.services import exports
from apps.sales.tasks import sweep_exports, sweep_exports_everywhere
from apps.sales.views.control_exports import download_link
from tests.factories import ADMIN, ANONYMOUS, CONFIGURER, CUSTOMER, OTHER, OTHER_ORGANIZATION, SELLER
from tests.sales.sales_data import HYPERLINK, sales_build
from tests.sales.test_customers import TO_LOGIN, client_for, expect
from tests.tenants import ALPHA, BETA


@pytest.fixture
def sales(world):
    return sales_build(world)


def _export(user, kind, file_format="xlsx", *, capture, **scope) -> Export:
    """Ask for an export as `user` in alpha; the task runs (eagerly) once the request commits."""
    with schema_context(ALPHA.schema_name):
        with capture(execute=True):
            export = exports.export_request(
                kind=kind,
                file_format=file_format,
                requested_by=user,
                actor=Actor(user=user),
                language="en",
                **scope,
            )
        export.refresh_from_db()
    return export


def _content(export) -> bytes:
    with schema_context(ALPHA.schema_name), export.file.open("rb") as stream:
        return stream.read()


def _sheet_rows(export) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(_content(export))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _csv_rows(export) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_content(export).decode("utf-8-sig"), newline="")))


# --- the service -------------------------------------------------------------------------------


def test_an_orders_export_holds_every_order_but_carts_with_a_hyperlink_name_as_text(
    world, sales, django_capture_on_commit_callbacks
):
    export = _export(world.team.admin, "orders", capture=django_capture_on_commit_callbacks)

    assert export.status == Export.Status.DONE
    rows = _sheet_rows(export)
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Order", "Placed", "Paid", "Time zone", "Status"]
    codes = [row[0] for row in body]
    expected = [
        sales.ann_box,
        sales.ann_gala,
        sales.account_pass,
        sales.account_pending,
        sales.hacker,
        sales.bob_refunded,
    ]
    assert codes == [order.code for order in expected]  # oldest first; the expired cart left out
    assert export.total_rows == export.done_rows == 6
    hacker = body[codes.index(sales.hacker.code)]
    assert hacker[7] == HYPERLINK
    assert hacker[3] == "Europe/Amsterdam"
    assert hacker[header.index("Total")] == 45  # the total, a number
    sheet = openpyxl.load_workbook(io.BytesIO(_content(export))).active
    cell = sheet.cell(row=codes.index(sales.hacker.code) + 2, column=8)
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
    assert "BETA" not in str(rows)


def test_the_file_is_kept_under_the_schema_outside_public_media(
    world, sales, django_capture_on_commit_callbacks
):
    export = _export(world.team.admin, "orders", "csv", capture=django_capture_on_commit_callbacks)

    assert export.file.name.startswith(f"{ALPHA.schema_name}/exports/{world.team.admin.pk}/")
    assert export.filename.startswith("orders-")
    assert export.filename.endswith(".csv")
    path = Path(settings.STORAGES["exports"]["OPTIONS"]["location"]) / export.file.name
    assert path.is_file()
    assert export.size == path.stat().st_size
    assert not str(path).startswith(str(settings.MEDIA_ROOT))


def test_a_csv_export_neutralizes_formulas_with_an_apostrophe(
    world, sales, django_capture_on_commit_callbacks
):
    rows = _csv_rows(_export(world.team.admin, "orders", "csv", capture=django_capture_on_commit_callbacks))

    names = [row[7] for row in rows[1:]]
    assert f"'{HYPERLINK}" in names
    assert HYPERLINK not in names


def test_a_sellers_export_holds_only_what_they_may_see(world, sales, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    orders = _sheet_rows(_export(world.team.seller, "orders", capture=capture))
    customers = _sheet_rows(_export(world.team.seller, "customers", capture=capture))

    assert [row[0] for row in orders[1:]] == [sales.ann_box.code, sales.hacker.code]
    assert [row[0] for row in customers[1:]] == ["hacker@example.com", "ann@example.com"]


def test_an_attendees_export_of_a_date_lists_its_attendees_and_who_is_checked_in(
    world, sales, django_capture_on_commit_callbacks
):
    export = _export(
        world.team.admin,
        "tickets",
        capture=django_capture_on_commit_callbacks,
        event_date=sales.programme.day1,
    )

    rows = _sheet_rows(export)
    assert rows[0][6] == "Attendee"
    by_attendee = {row[6]: row for row in rows[1:]}
    assert set(by_attendee) == {"Zed ALPHA", "Amy ALPHA", None}  # no name given: an empty cell
    assert len(rows) == 5  # Zed, Amy, the hacker's ticket and the account's pass
    assert by_attendee["Zed ALPHA"][-1] is True
    assert by_attendee["Amy ALPHA"][-1] is False
    assert export.filename.startswith(f"tickets-date{sales.programme.day1.pk}-")


def test_a_customers_export_has_a_total_column_per_currency(world, sales, django_capture_on_commit_callbacks):
    rows = _csv_rows(
        _export(world.team.admin, "customers", "csv", capture=django_capture_on_commit_callbacks)
    )

    assert rows[0] == [
        "E-mail address",
        "Name",
        "Customer account",
        "Paid orders",
        "Last order (UTC)",
        "Total spent (EUR)",
    ]
    ann = next(row for row in rows if row[0] == "ann@example.com")
    assert ann[2:4] == ["FALSE", "2"]
    assert ann[5] == "190.00"
    bob = next(row for row in rows if row[0] == "bob@example.com")
    assert bob[5] == ""  # refunded: nothing spent
    hacker = next(row for row in rows if row[0] == "hacker@example.com")
    assert hacker[1] == f"'{HYPERLINK}"


def test_headers_are_in_the_requesters_language(world, sales, django_capture_on_commit_callbacks):
    with schema_context(ALPHA.schema_name):
        with django_capture_on_commit_callbacks(execute=True):
            export = exports.export_request(
                kind="orders",
                file_format="csv",
                requested_by=world.team.admin,
                actor=Actor(user=None),
                language="fr",
            )
        export.refresh_from_db()

    header = _csv_rows(export)[0]
    assert header[0] == "Commande"
    assert "Moyen de paiement" in header


def test_progress_is_saved_while_the_file_is_written(
    world, sales, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(spreadsheets, "PROGRESS_EVERY", 2)
    seen = []
    original = spreadsheets.csv_write

    def watching(stream, header, rows, *, progress=None):
        def spy(count):
            progress(count)
            seen.append(Export.objects.values_list("done_rows", "total_rows", "status").get())

        return original(stream, header, rows, progress=spy)

    monkeypatch.setattr(spreadsheets, "csv_write", watching)

    _export(world.team.admin, "orders", "csv", capture=django_capture_on_commit_callbacks)

    assert seen == [(2, 6, "running"), (4, 6, "running"), (6, 6, "running")]


def test_a_task_delivered_twice_builds_once(world, sales, django_capture_on_commit_callbacks):
    export = _export(world.team.admin, "orders", capture=django_capture_on_commit_callbacks)

    with schema_context(ALPHA.schema_name):
        again = exports.export_build(export_id=export.pk)

    assert again.file.name == export.file.name
    assert again.finished_at == export.finished_at


def test_a_failure_is_recorded_not_left_running(
    world, sales, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "table_write", broken)

    export = _export(world.team.admin, "orders", capture=django_capture_on_commit_callbacks)

    assert export.status == Export.Status.FAILED
    assert export.failure_reason == "OSError"
    assert not export.file


def test_asking_is_audited(world, sales, django_capture_on_commit_callbacks):
    export = _export(world.team.configurer, "customers", capture=django_capture_on_commit_callbacks)

    with schema_context(ALPHA.schema_name):
        entry = AuditLogEntry.objects.get(action="export.requested")
    assert entry.target_id == str(export.pk)
    assert entry.actor_email == "configurer@example.com"


# --- the pages ----------------------------------------------------------------------------------


ASK = {
    ADMIN: 302,
    CONFIGURER: 302,
    SELLER: 302,
    OTHER: 302,
    CUSTOMER: 403,
    ANONYMOUS: TO_LOGIN,
    OTHER_ORGANIZATION: TO_LOGIN,
}


@pytest.mark.parametrize(("role", "expected"), list(ASK.items()))
def test_who_may_ask_for_an_export(world, sales, role, expected, django_capture_on_commit_callbacks):
    client = client_for(world, role)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/control/exports/", {"kind": "orders", "file_format": "xlsx"})

    expect(response, expected)
    with schema_context(ALPHA.schema_name):
        made = list(Export.objects.all())
    assert len(made) == (1 if expected == 302 else 0)
    if expected == 302:
        assert response["Location"] == f"/control/exports/{made[0].pk}/"
        page = client.get(response["Location"]).content.decode()
        assert "Ready" in page
        assert "/control/exports/download/" in page


def test_bad_input_is_a_form_error_not_a_500(world, sales):
    client = client_for(world, ADMIN)

    response = client.post("/control/exports/", {"kind": "invoices", "file_format": "pdf"})
    foreign_date = client.post(
        "/control/exports/", {"kind": "tickets", "file_format": "csv", "event_date": 10**9}
    )

    assert response.status_code == 400
    assert foreign_date.status_code == 400
    assert "This date is not one of yours." in foreign_date.content.decode()


def test_an_operator_cannot_export_the_attendees_of_an_event_they_do_not_see(world, sales):
    response = client_for(world, OTHER).post(
        "/control/exports/", {"kind": "tickets", "file_format": "csv", "event": sales.programme.concert.pk}
    )

    assert response.status_code == 400
    with schema_context(ALPHA.schema_name):
        assert not Export.objects.exists()


@pytest.fixture
def admins_export(world, sales, django_capture_on_commit_callbacks):
    export = _export(world.team.admin, "orders", capture=django_capture_on_commit_callbacks)
    with schema_context(ALPHA.schema_name):
        link = download_link(export)
    return export, link


def test_the_requester_downloads_their_export(world, admins_export):
    export, link = admins_export

    response = client_for(world, ADMIN).get(link)

    assert response.status_code == 200
    assert f'filename="{export.filename}"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == _content(export)
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("role", [CONFIGURER, SELLER, OTHER])
def test_another_operator_gets_404_for_the_link_the_page_and_the_status(world, admins_export, role):
    export, link = admins_export
    client = client_for(world, role)

    assert client.get(link).status_code == 404
    assert client.get(f"/control/exports/{export.pk}/").status_code == 404
    assert client.get(f"/control/exports/{export.pk}/status/").status_code == 404
    assert f"/control/exports/{export.pk}/" not in client.get("/control/exports/").content.decode()


def test_the_twin_organization_with_the_same_ids_gets_404(world, admins_export):
    export, link = admins_export
    twin = world.beta_twin()
    assert twin.admin.pk == world.team.admin.pk
    with schema_context(BETA.schema_name):
        twin_export = Export.objects.create(
            kind="orders", file_format="xlsx", requested_by=twin.admin, status=Export.Status.DONE
        )
        twin_export.file.save("orders.xlsx", io.BytesIO(b"beta's own"), save=True)
    beta = Client(HTTP_HOST=BETA.host)
    with schema_context(BETA.schema_name):
        beta.force_login(twin.admin)

    assert beta.get(link).status_code == 404  # alpha's link, signed for alpha's schema
    assert client_for(world, OTHER_ORGANIZATION).get(link).status_code == 302  # to alpha's login


def test_a_forged_or_altered_link_is_404(world, admins_export):
    _export_row, link = admins_export
    client = client_for(world, ADMIN)

    assert client.get(link[:-3] + "xyz/").status_code == 404
    assert client.get("/control/exports/download/not-a-token/").status_code == 404


def test_a_waiting_export_shows_its_progress_and_refreshes_without_inline_script(world, sales):
    with schema_context(ALPHA.schema_name):
        export = Export.objects.create(
            kind="orders", file_format="xlsx", requested_by=world.team.admin, total_rows=200, done_rows=50
        )
    client = client_for(world, ADMIN)

    page = client.get(f"/control/exports/{export.pk}/").content.decode()
    status = client.get(f"/control/exports/{export.pk}/status/").json()

    assert '<meta http-equiv="refresh"' in page
    assert "js/status-poll.js" in page
    assert "50 of 200 rows written" in page
    assert "<script>" not in page
    assert status == {
        "status": "pending",
        "label": "Waiting",
        "progress": "50 of 200 rows written",
        "percent": 25,
        "finished": False,
    }


def test_the_exports_page_lists_ones_own_exports_with_their_links(world, admins_export):
    export, _link = admins_export

    page = client_for(world, ADMIN).get("/control/exports/").content.decode()

    assert f"/control/exports/{export.pk}/" in page
    assert "/control/exports/download/" in page
    assert "Download orders-" in page


def test_the_customer_and_attendee_pages_offer_exports(world, sales):
    client = client_for(world, ADMIN)

    customers = client.get("/control/customers/").content.decode()
    attendees = client.get(f"/control/event-dates/{sales.programme.day1.pk}/attendees/").content.decode()

    assert 'name="kind" value="customers"' in customers
    assert f'name="event_date" value="{sales.programme.day1.pk}"' in attendees
    assert "Export to Excel" in attendees


# --- the sweep -----------------------------------------------------------------------------------


def test_the_sweep_builds_exports_whose_task_was_lost_and_deletes_old_ones(world, sales):
    admin = world.team.admin
    with schema_context(ALPHA.schema_name):
        lost = exports.export_request(
            kind="orders", file_format="csv", requested_by=admin, actor=Actor(user=None)
        )
        just_asked = exports.export_request(
            kind="orders", file_format="csv", requested_by=admin, actor=Actor(user=None)
        )  # (no commit in this test: neither task was sent)
        old = Export.objects.create(kind="orders", file_format="csv", requested_by=admin, status="done")
        old.file.save("old.csv", io.BytesIO(b"old"), save=True)
        old_path = Path(old.file.path)
        Export.objects.filter(pk=lost.pk).update(
            created_at=timezone.now() - PENDING_AFTER - timedelta(seconds=1)
        )
        Export.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - exports.KEPT_FOR - timedelta(hours=1)
        )

        queued = sweep_exports.delay(schema_name=ALPHA.schema_name).get()

        assert queued == 1
        assert Export.objects.get(pk=lost.pk).status == Export.Status.DONE
        assert Export.objects.get(pk=just_asked.pk).status == Export.Status.PENDING  # its task may still come
        assert not Export.objects.filter(pk=old.pk).exists()
    assert not old_path.exists()


def test_the_sweep_takes_again_an_export_whose_worker_died(world, sales):
    with schema_context(ALPHA.schema_name):
        stuck = Export.objects.create(
            kind="customers",
            file_format="xlsx",
            requested_by=world.team.admin,
            status=Export.Status.RUNNING,
            started_at=timezone.now() - exports.STALE_AFTER - timedelta(minutes=1),
        )
        running = Export.objects.create(
            kind="customers",
            file_format="xlsx",
            requested_by=world.team.admin,
            status=Export.Status.RUNNING,
            started_at=timezone.now(),
        )

        assert sweep_exports.delay(schema_name=ALPHA.schema_name).get() == 1
        assert Export.objects.get(pk=stuck.pk).status == Export.Status.DONE
        assert Export.objects.get(pk=running.pk).status == Export.Status.RUNNING


def test_beat_sweeps_exports_in_every_organization(world, sales):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-exports"]
    assert entry["task"] == sweep_exports_everywhere.name
    lost = {}
    for schema_name, user in (
        (ALPHA.schema_name, world.team.admin),
        (BETA.schema_name, world.beta_twin().admin),
    ):
        with schema_context(schema_name):
            export = exports.export_request(
                kind="orders", file_format="csv", requested_by=user, actor=Actor(user=None)
            )
            Export.objects.filter(pk=export.pk).update(
                created_at=timezone.now() - PENDING_AFTER - timedelta(seconds=1)
            )
            lost[schema_name] = export.pk

    sweep_exports_everywhere.apply_async(kwargs=entry["kwargs"])

    for schema_name, pk in lost.items():
        with schema_context(schema_name):
            export = Export.objects.get(pk=pk)
            assert export.status == Export.Status.DONE
            assert export.file.name.startswith(f"{schema_name}/exports/")
