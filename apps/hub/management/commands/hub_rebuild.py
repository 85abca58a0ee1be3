from django.core.management.base import BaseCommand

from apps.hub.services import hub_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the events hub's index from every live organization's events. A repair tool: "
        "the events services keep the index up to date as events change."
    )

    def handle(self, *args, **options):
        total, organizations, forgotten = hub_rebuild(log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Events hub rebuilt: {total} events of {organizations} organizations; "
                f"{forgotten} rows of other organizations removed."
            )
        )
