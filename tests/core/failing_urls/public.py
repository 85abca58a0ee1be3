from config.urls_public import *  # noqa: F403 - the host's URLs and its error handlers
from config.urls_public import urlpatterns as host_urlpatterns
from tests.core.failing_urls.views import with_failing

urlpatterns = with_failing(host_urlpatterns)
