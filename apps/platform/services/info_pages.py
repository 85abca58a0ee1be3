"""The platform site's info pages: created, changed and deleted, audited; the cached brand
(which carries the nav's pages) is dropped on commit."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from apps.core.audit import Actor, audit_log
from apps.platform.models import InfoPage
from apps.platform.selectors import platform_brand_forget

INFO_PAGE_FIELDS = ("title", "slug", "kind", "body", "is_published", "show_in_nav", "sort_order")


def _check_info_page_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(INFO_PAGE_FIELDS)
    if unknown:
        raise TypeError(f"not an info page field: {', '.join(sorted(unknown))}")


def info_page_create(*, actor: Actor, **fields: Any) -> InfoPage:
    """Create an info page (validated: reserved and taken addresses refused) and audit it;
    the cached brand, which carries the nav's pages, is dropped on commit."""
    _check_info_page_fields(fields)
    with schema_context(get_public_schema_name()), transaction.atomic():
        page = InfoPage(**fields)
        page.full_clean()
        page.save()
        audit_log(actor=actor, action="info_page.created", target=page, slug=page.slug)
        transaction.on_commit(platform_brand_forget)
    return page


def info_page_update(*, page_id: int, changes: Mapping[str, Any], actor: Actor) -> InfoPage:
    """Write the given fields of an info page, validated as a whole, and audit their names."""
    _check_info_page_fields(changes)
    with schema_context(get_public_schema_name()), transaction.atomic():
        page = InfoPage.objects.select_for_update().get(pk=page_id)
        for name, value in changes.items():
            setattr(page, name, value)
        page.full_clean()
        page.save()
        audit_log(
            actor=actor, action="info_page.changed", target=page, fields=sorted(changes), slug=page.slug
        )
        transaction.on_commit(platform_brand_forget)
    return page


def info_page_delete(*, page_id: int, actor: Actor) -> None:
    with schema_context(get_public_schema_name()), transaction.atomic():
        page = InfoPage.objects.select_for_update().get(pk=page_id)
        audit_log(actor=actor, action="info_page.deleted", target=page, slug=page.slug)
        page.delete()
        transaction.on_commit(platform_brand_forget)
