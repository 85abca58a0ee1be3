from django.core.management.base import BaseCommand

from apps.platform.demo import demo_seed


class Command(BaseCommand):
    help = "Create the demo platform (idempotent: only what is missing is created)."

    def handle(self, *args, **options):
        logins = demo_seed(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo platform ready. Logins:"))
        for line in logins:
            self.stdout.write(f"  {line}")
