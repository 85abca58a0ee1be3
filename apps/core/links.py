from django.conf import settings


def url_on(host: str, path: str = "/") -> str:
    """An absolute address on one of the platform's hosts, for e-mails and background work
    (no request to take the port from)."""
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{host}{port}{path}"
