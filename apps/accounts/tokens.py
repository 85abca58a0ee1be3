"""allauth's password-reset links, valid in the schema they were made in only."""

from allauth.account.forms import EmailAwarePasswordResetTokenGenerator

from apps.core.tokens import schema_salt


class SchemaPasswordResetTokenGenerator(EmailAwarePasswordResetTokenGenerator):
    """allauth's generator (user id, password hash, last login, e-mail addresses) salted with
    the schema (ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR): user #3 of one organization may have
    the same id, e-mail and password hash as user #3 of another (a copied row), never the
    same token."""

    @property
    def key_salt(self) -> str:
        return schema_salt("accounts.password-reset")
