from tests.core.urls_failing import public as urlpatterns  # noqa: F401
