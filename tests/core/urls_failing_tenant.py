from tests.core.urls_failing import tenant as urlpatterns  # noqa: F401
