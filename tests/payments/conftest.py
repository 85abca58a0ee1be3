from tests.payments.fixtures import ACCOUNT, shop, stripe_api, stripe_platform  # noqa: F401
