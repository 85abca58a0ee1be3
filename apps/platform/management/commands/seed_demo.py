from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.platform.demo import demo_seed

DEMO_OFF = (
    "The demo platform logs in with a published password and TOTP secret, so it is off here "
    "(TESSERA_DEMO is not true). Set TESSERA_DEMO=true to seed it, never on a site the public can reach."
)


class Command(BaseCommand):
    help = "Create the demo platform (idempotent: only what is missing is created)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-enabled",
            action="store_true",
            help="Seed only when TESSERA_DEMO is true, else do nothing (for start-up scripts).",
        )

    def handle(self, *args, if_enabled=False, **options):
        if not settings.DEMO_ENABLED:
            if if_enabled:
                self.stdout.write("Demo platform not seeded (TESSERA_DEMO is not true).")
                return
            raise CommandError(DEMO_OFF)
        logins = demo_seed(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo platform ready. Logins:"))
        for line in logins:
            self.stdout.write(f"  {line}")
