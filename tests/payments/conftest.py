from tests.payments.fixtures import (  # noqa: F401
    ACCOUNT,
    localstripe,
    localstripe_webhooks,
    platform_on_localstripe,
    shop,
    stripe_api,
    stripe_platform,
)
