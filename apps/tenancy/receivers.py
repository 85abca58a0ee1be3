"""Cached host routing (apps.tenancy.selectors.routed_domain) is dropped whenever a domain or
an organization is saved or deleted, by whatever code does it (services, the admin,
scripts): connected in TenancyConfig.ready."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.tenancy.models import Domain, Organization
from apps.tenancy.selectors import routes_changed


@receiver(post_save, sender=Domain, dispatch_uid="tenancy.domain_saved")
@receiver(post_delete, sender=Domain, dispatch_uid="tenancy.domain_deleted")
@receiver(post_save, sender=Organization, dispatch_uid="tenancy.organization_saved")
@receiver(post_delete, sender=Organization, dispatch_uid="tenancy.organization_deleted")
def routing_changed(sender, **kwargs) -> None:
    routes_changed()
