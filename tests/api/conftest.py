import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    """An API client; ``api.as_(user)`` signs it in (None leaves it anonymous)."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")

    def as_(user):
        client.force_authenticate(user=user)
        return client

    client.as_ = as_
    return client


@pytest.fixture(autouse=True)
def _no_throttling(settings, request):
    """Rate limits have their own tests; elsewhere a long parametrised run must not trip them."""
    if request.node.get_closest_marker("throttled"):
        yield
        return
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {
        **api_settings.DEFAULT_THROTTLE_RATES,
        "anon": None,
        "user": None,
        "auth": None,
    }
    yield
    SimpleRateThrottle.THROTTLE_RATES = original
