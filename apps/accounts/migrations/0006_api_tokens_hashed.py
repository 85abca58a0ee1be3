"""DRF's plain tokens (rest_framework.authtoken, no longer installed) become hashed API tokens
that keep working: each key is stored as its digest bound to the schema (as
apps.accounts.authentication.api_token_digest computes it), expiring API_TOKEN_TTL_DAYS from
now; then the table of plain keys is dropped. Runs in every schema that still has one."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def _digest(schema_name: str, key: str) -> str:
    # knox.crypto.hash_token (SHA-512 of the text) of "<schema>:<secret>", frozen here.
    return hashlib.sha512(f"{schema_name}:{key}".encode()).hexdigest()


def hash_plain_tokens(_apps, schema_editor):
    connection = schema_editor.connection
    schema_name = connection.schema_name
    table = f'"{schema_name}"."authtoken_token"'
    with connection.cursor() as cursor:
        # Schema-qualified: the search_path also holds public, whose table is not this schema's.
        cursor.execute("SELECT to_regclass(%s)", [table])
        if cursor.fetchone()[0] is None:
            return
        cursor.execute(f"SELECT key, user_id, created FROM {table}")  # noqa: S608 - our schema name
        rows = cursor.fetchall()
    days = settings.API_TOKEN_TTL_DAYS
    expiry = timezone.now() + timedelta(days=days) if days else None
    with connection.cursor() as cursor:
        cursor.executemany(
            f'INSERT INTO "{schema_name}"."accounts_apitoken" (digest, token_key, user_id, created, expiry) '  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [
                (_digest(schema_name, key), key[:15], user_id, created, expiry)
                for key, user_id, created in rows
            ],
        )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table} CASCADE")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_api_token")]

    operations = [migrations.RunPython(hash_plain_tokens, migrations.RunPython.noop)]
