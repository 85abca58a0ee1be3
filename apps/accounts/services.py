from allauth.account.models import EmailAddress
from django.db import transaction

from apps.accounts.models import User


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    full_name: str = "",
    is_operator: bool = False,
    is_staff: bool = False,
    is_superuser: bool = False,
    email_verified: bool = False,
) -> User:
    """Create a user in the current schema; a verified address can log in straight away."""
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        is_operator=is_operator,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user
