from tests.payments.fixtures import stripe_api, stripe_platform  # noqa: F401
