from apps.tenancy.management.commands.migrate_schemas import Command

__all__ = ["Command"]
