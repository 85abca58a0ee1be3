from tests.payments.fixtures import (  # noqa: F401
    localstripe,
    localstripe_webhooks,
    platform_on_localstripe,
    stripe_api,
    stripe_platform,
)
