"""Two Django admins: the platform host's (public-schema models) and every organization host's
(that schema's models). A model is registered on the site whose schema holds its table."""

from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _


class PlatformAdminSite(AdminSite):
    site_header = _("Platform administration")
    site_title = _("Platform administration")


platform_admin_site = PlatformAdminSite(name="platform_admin")
