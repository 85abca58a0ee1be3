"""The control panel's menu: its groups, their pages, and who sees each.

One table (MENU) lists the groups and, in each, the pages by URL name with the question of
the permission module (apps.operators.permissions) that shows them; nothing else decides
what the menu offers. `control_menu(user, path)` answers what a user sees on a page: the
groups they may use something in, each with its links, the current page marked.

Labels are translated in the context "control menu" (a menu's "Sell" is "Vente").
A page is named by its URL name, a string (no import of the app that serves it); a name
that does not resolve (a page not built, or not in this host's URLconf) is left out, so a
page appears in the menu once its URL exists. The menu shows what one may use; each view
still checks its own access.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from apps.operators.permissions import (
    Someone,
    can_configure_fees,
    can_configure_some_organizer,
    can_manage_billing,
    can_open_control_panel,
    can_see_orders,
    can_sell_somewhere,
    can_view_support_sessions,
    configures_an_organizer,
    organizer_configured_alone_by,
)

Check = Callable[[Someone], bool]


@dataclass(frozen=True)
class Entry:
    """A page of the menu: its URL name, its label, who sees it; `args`, for a page whose URL
    takes arguments, gives them for the user (None: no such page for them)."""

    url_name: str
    label: str | Promise
    check: Check
    args: Callable[[Someone], tuple[int, ...] | None] | None = None


def _sole_organizer(user: Someone) -> tuple[int, ...] | None:
    """The one organizer one configures (its pages need its id); with several, the
    organizers' list leads to each one's pages."""
    organizer = organizer_configured_alone_by(user)
    return (organizer.pk,) if organizer is not None else None


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
    entries: tuple[Entry, ...]


MENU: tuple[Section, ...] = (
    Section(
        "sell",
        pgettext_lazy("control menu", "Sell"),
        (
            Entry("box-office", pgettext_lazy("control menu", "Box office"), can_sell_somewhere),
            Entry("check-in", pgettext_lazy("control menu", "Check-in"), can_see_orders),
            Entry("home", pgettext_lazy("control menu", "Online shop"), can_open_control_panel),
        ),
    ),
    Section(
        "events",
        pgettext_lazy("control menu", "Events"),
        (
            Entry("event-list", pgettext_lazy("control menu", "All events"), can_configure_some_organizer),
            Entry("location-list", pgettext_lazy("control menu", "Locations"), can_configure_some_organizer),
            Entry("fee-rule-list", pgettext_lazy("control menu", "Service fees"), can_configure_fees),
            # (can_manage_vouchers answers the same: who configures some organizer, asked once)
            Entry(
                "control-vouchers", pgettext_lazy("control menu", "Vouchers"), can_configure_some_organizer
            ),
            Entry(
                "control-tax-rules", pgettext_lazy("control menu", "Tax rules"), can_configure_some_organizer
            ),
            Entry(
                "control-questions", pgettext_lazy("control menu", "Questions"), can_configure_some_organizer
            ),
            # (the question MANAGE_PASSES asks without an object: asked once for both)
            Entry(
                "control-pass-types",
                pgettext_lazy("control menu", "Season passes"),
                can_configure_some_organizer,
            ),
            Entry("control-add-ons", pgettext_lazy("control menu", "Add-ons"), can_configure_some_organizer),
        ),
    ),
    Section(
        "orders",
        pgettext_lazy("control menu", "Orders & customers"),
        (
            Entry("control-order-list", pgettext_lazy("control menu", "Orders"), can_see_orders),
            Entry("control-customer-list", pgettext_lazy("control menu", "Customers"), can_see_orders),
            Entry("control-exports", pgettext_lazy("control menu", "Exports"), can_configure_some_organizer),
            Entry("control-invoices", pgettext_lazy("control menu", "Invoices"), can_see_orders),
        ),
    ),
    Section(
        "reports",
        pgettext_lazy("control menu", "Reports"),
        (
            Entry(
                "control-dashboard", pgettext_lazy("control menu", "Dashboard"), can_configure_some_organizer
            ),
            Entry("control-reports", pgettext_lazy("control menu", "Sales reports"), configures_an_organizer),
            Entry(
                "control-ledger",
                pgettext_lazy("control menu", "Ledger"),
                can_configure_some_organizer,
                args=_sole_organizer,
            ),
        ),
    ),
    Section(
        "settings",
        pgettext_lazy("control menu", "Settings"),
        (
            Entry(
                "organizer-list", pgettext_lazy("control menu", "Organizers"), can_configure_some_organizer
            ),
            Entry(
                "organizer-payments",
                pgettext_lazy("control menu", "Online payments"),
                can_configure_some_organizer,
                args=_sole_organizer,
            ),
            Entry("team", pgettext_lazy("control menu", "My team"), can_configure_some_organizer),
            Entry("invitations", pgettext_lazy("control menu", "Invitations"), can_configure_some_organizer),
            Entry("custom-domains", pgettext_lazy("control menu", "Domains"), configures_an_organizer),
            Entry("control-billing", pgettext_lazy("control menu", "Billing"), can_manage_billing),
            Entry(
                "support-sessions",
                pgettext_lazy("control menu", "Support sessions"),
                can_view_support_sessions,
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url: str
    current: bool


@dataclass(frozen=True)
class Group:
    key: str
    label: str | Promise
    links: tuple[Link, ...]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def _url(url_name: str, args: tuple[int, ...] = ()) -> str | None:
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return None


def _current_url(urls: Sequence[str], path: str) -> str | None:
    """The page one is on: the link equal to the path, else the longest one it lies under
    (an event's page is under "All events"); the dashboard only on itself."""
    if path in urls:
        return path
    under = [url for url in urls if url.endswith("/") and path.startswith(url) and url.count("/") > 2]
    return max(under, key=len) if under else None


def control_menu(user: Someone, path: str, menu: Sequence[Section] = MENU) -> list[Group]:
    """The groups of the menu the user may use something in, with those pages only."""
    verdicts: dict[Check, bool] = {}  # each question asked once per page

    def allowed(check: Check) -> bool:
        if check not in verdicts:
            verdicts[check] = check(user)
        return verdicts[check]

    shown: list[tuple[Section, list[tuple[Entry, str]]]] = []
    for section in menu:
        entries = []
        for entry in section.entries:
            if not allowed(entry.check):
                continue
            args = entry.args(user) if entry.args is not None else ()
            url = _url(entry.url_name, args) if args is not None else None
            if url is not None:
                entries.append((entry, url))
        if entries:
            shown.append((section, entries))
    current = _current_url([url for _section, entries in shown for _entry, url in entries], path)
    return [
        Group(
            key=section.key,
            label=section.label,
            links=tuple(Link(label=entry.label, url=url, current=url == current) for entry, url in entries),
        )
        for section, entries in shown
    ]
