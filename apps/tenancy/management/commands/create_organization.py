import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from apps.tenancy import services
from apps.tenancy.exceptions import ProvisioningError


class Command(BaseCommand):
    help = "Create an organization: record it, clone its schema from the template, route its domain."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Display name, e.g. 'Fancy theme parks'.")
        parser.add_argument("--slug", help="Sub-domain and schema name (default: from the name).")
        parser.add_argument(
            "--template", default="", help="Template schema to clone (default: tenant_template)."
        )
        parser.add_argument(
            "--template-site",
            action="store_true",
            help="A template site: kept to be cloned (a plan names it), not served to the public.",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Only record it and let a Celery worker provision it.",
        )

    def handle(self, *args, name, slug, template, template_site, background, **options):
        slug = slug or slugify(name)
        started = time.monotonic()
        try:
            if background:
                organization = services.organization_request_async(
                    name=name, slug=slug, template_schema=template, is_template=template_site
                )
                self.stdout.write(
                    f"Queued “{name}” ({organization.schema_name}); status: {organization.status}."
                )
                return
            self.stdout.write(f"[1/2] Recording “{name}” as {slug}…")
            organization = services.organization_request(
                name=name, slug=slug, template_schema=template, is_template=template_site
            )
            self.stdout.write(
                f"[2/2] Cloning schema {organization.schema_name} from {organization.template_schema}…"
            )
            organization = services.organization_provision(organization_id=organization.pk)
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        if not organization.is_ready:
            raise CommandError(f"Provisioning failed: {organization.failure_reason}")
        domain = organization.get_primary_domain()
        self.stdout.write(
            self.style.SUCCESS(f"Live in {time.monotonic() - started:.2f} s at http://{domain.domain}/")
        )
