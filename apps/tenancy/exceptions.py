from django.utils.translation import gettext_lazy as _

from apps.core.exceptions import DomainError


class ProvisioningError(DomainError):
    """A request to create an organization that cannot be carried out."""


class SlugUnavailable(ProvisioningError):
    def __init__(self, slug: str, reason: str | None = None):
        self.slug = slug
        super().__init__(reason or _("The address “%(slug)s” is not available.") % {"slug": slug})
