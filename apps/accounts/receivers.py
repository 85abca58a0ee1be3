"""Cached API tokens and their users (apps.accounts.authentication) are dropped whenever a
user or a token of the schema is saved or deleted, by whatever code does it (services,
allauth, the admin): connected in AccountsConfig.ready."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.accounts.authentication import accounts_changed
from apps.accounts.models import ApiToken, User

# A login only moves last_login, which no cached lookup reads: it keeps the cache.
_IGNORED_FIELDS = frozenset({"last_login"})


@receiver(post_save, sender=User, dispatch_uid="accounts.user_saved")
@receiver(post_save, sender=ApiToken, dispatch_uid="accounts.token_saved")
def account_saved(sender, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= _IGNORED_FIELDS:
        return
    accounts_changed()


@receiver(post_delete, sender=User, dispatch_uid="accounts.user_deleted")
@receiver(post_delete, sender=ApiToken, dispatch_uid="accounts.token_deleted")
def account_deleted(sender, **kwargs) -> None:
    accounts_changed()
