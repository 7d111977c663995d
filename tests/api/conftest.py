import pytest


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
