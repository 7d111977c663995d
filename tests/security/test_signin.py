"""One sign-in guard on every door, and the client's address it counts by.

The three doors are the sign-in page, the admin's sign-in and the API's token endpoint.
An account is paused after ``LOGIN_FAILURE_LIMIT`` failures, from anywhere, even for the
right password, until the window has passed; an address is only slowed down, so the
others behind a shared proxy or office network still get in.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db.models import F
from django.test import Client, RequestFactory
from rest_framework.test import APIClient
from rest_framework.views import APIView

from burden.api.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle
from burden.models import SignInAttempt
from burden.net import client_address

PASSWORD = "pw-for-tests-1"
DOORS = ["page", "admin", "api"]
OFFICE = "198.51.100.7"


@pytest.fixture(autouse=True)
def _no_rate_limits(monkeypatch, request):
    """The API's rate limits have their own tests below; here they would hide the guard."""
    cache.clear()
    if not request.node.get_closest_marker("throttled"):
        monkeypatch.setattr(APIView, "get_throttles", lambda self: [])
    yield
    cache.clear()


def sign_in(door: str, username: str, password: str, address: str = OFFICE, forwarded: str | None = None, **headers):
    """Try one sign-in at ``door``: "ok", "wrong" or "paused" (with the page or message shown)."""
    extra = {"REMOTE_ADDR": address, "HTTP_ACCEPT_LANGUAGE": headers.pop("language", "en")}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    if door == "api":
        response = APIClient(**extra).post(
            "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
        )
        if response.status_code == 200:
            return "ok", response.json()["token"]
        if response.status_code == 429:
            return "paused", response.json()["detail"]
        assert response.status_code == 400, response.content
        return "wrong", response.json()
    client = Client(**extra)
    url = "/accounts/login/" if door == "page" else "/admin/login/?next=/admin/"
    response = client.post(url, {"username": username, "password": password})
    if response.status_code == 302 and "_auth_user_id" in client.session:
        return "ok", response["Location"]
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    return ("paused" if "Too many failed sign-ins" in page or "失败次数过多" in page else "wrong"), page


def the_window_passes(settings):
    SignInAttempt.objects.update(at=F("at") - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1))


def someone_for(door: str) -> str:
    """Someone who may sign in at ``door``: the admin lets in only those who may use it."""
    return "root" if door == "admin" else "staff_a"


# --- The account pause ---------------------------------------------------------------------


@pytest.mark.parametrize("door", DOORS)
def test_twelve_wrong_passwords_pause_the_account_even_for_the_right_one(door, personas, settings):
    username = someone_for(door)
    outcomes = [sign_in(door, username, "guess")[0] for _ in range(12)]
    assert outcomes[: settings.LOGIN_FAILURE_LIMIT] == ["wrong"] * settings.LOGIN_FAILURE_LIMIT
    assert set(outcomes[settings.LOGIN_FAILURE_LIMIT :]) == {"paused"}
    outcome, shown = sign_in(door, username, PASSWORD)
    assert outcome == "paused"
    assert "Too many failed sign-ins. Wait a few minutes" in shown
    # From another address too: the pause is the account's.
    assert sign_in(door, username, PASSWORD, address="203.0.113.50")[0] == "paused"


@pytest.mark.parametrize("door", DOORS)
def test_after_the_window_the_right_password_works_again(door, personas, settings):
    username = someone_for(door)
    for _ in range(12):
        sign_in(door, username, "guess")
    assert sign_in(door, username, PASSWORD)[0] == "paused"
    the_window_passes(settings)
    assert sign_in(door, username, PASSWORD)[0] == "ok"


def test_the_doors_share_one_count(personas, settings):
    settings.LOGIN_FAILURE_LIMIT = 6
    for door in DOORS:
        for _ in range(2):
            assert sign_in(door, "root", "guess")[0] == "wrong"
    assert [sign_in(door, "root", PASSWORD)[0] for door in DOORS] == ["paused"] * 3


def test_the_limit_is_the_setting(personas, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    assert [sign_in("api", "staff_a", "guess")[0] for _ in range(2)] == ["wrong", "wrong"]
    assert sign_in("api", "staff_a", PASSWORD)[0] == "paused"


def test_a_success_clears_the_accounts_count(personas, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in("page", "staff_a", "guess")
    assert sign_in("page", "staff_a", PASSWORD)[0] == "ok"
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in("page", "staff_a", "guess")
    assert sign_in("page", "staff_a", PASSWORD)[0] == "ok"


def test_attempts_refused_during_a_pause_do_not_make_it_longer(personas, settings):
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in("api", "staff_a", "guess")
    SignInAttempt.objects.update(at=F("at") - timedelta(seconds=window - 60))  # the failures were long ago
    for _ in range(10):  # the guesser keeps trying, the pause refuses them all
        assert sign_in("api", "staff_a", "guess")[0] == "paused"
    SignInAttempt.objects.update(at=F("at") - timedelta(seconds=61))  # a minute later the first failures are gone
    assert sign_in("api", "staff_a", PASSWORD)[0] == "ok"
    assert SignInAttempt.objects.filter(outcome=SignInAttempt.Outcome.PAUSED).count() == 10


def test_the_account_is_counted_whatever_the_case_or_spaces(personas, settings):
    for username in ["staff_a", "STAFF_A", " Staff_A "] * 2:
        sign_in("api", username, "guess")
    assert sign_in("api", "staff_a", PASSWORD)[0] == "paused"


def test_an_inactive_person_is_refused_and_counted_like_a_wrong_password(personas, settings):
    personas.staff_a.is_active = False
    personas.staff_a.save()
    assert sign_in("api", "staff_a", PASSWORD)[0] == "wrong"
    assert SignInAttempt.objects.get().outcome == SignInAttempt.Outcome.FAILED


def test_the_pause_is_told_in_chinese(personas, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in("page", "staff_a", "guess")
    outcome, page = sign_in("page", "staff_a", PASSWORD, language="zh-hans")
    assert outcome == "paused"
    assert "Too many failed sign-ins" not in page
    assert "登录失败次数过多" in page


# --- The address: slowed down, never a lock on everyone behind it ------------------------------


@pytest.mark.parametrize("door", DOORS)
def test_another_person_behind_the_same_address_still_signs_in(door, personas):
    for _ in range(12):
        sign_in(door, someone_for(door), "guess")
    other = "admin_city" if door == "admin" else "staff_b"
    assert sign_in(door, other, PASSWORD)[0] == "ok"


def test_an_address_guessing_across_accounts_is_slowed_but_its_regulars_get_in(personas, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    assert sign_in("page", "staff_b", PASSWORD)[0] == "ok"  # staff_b works from the office
    for number in range(10):  # one guess at each of ten accounts: none of them is paused
        assert sign_in("api", f"someone{number}", "guess")[0] == "wrong"
    outcome, message = sign_in("api", "supervisor", PASSWORD)
    assert outcome == "paused" and "from your network" in message
    assert sign_in("api", "someone11", "guess")[0] == "paused"
    # Whoever signed in from here before still does, at every door; elsewhere nothing changed.
    assert sign_in("api", "staff_b", PASSWORD)[0] == "ok"
    assert sign_in("page", "staff_b", PASSWORD)[0] == "ok"
    assert sign_in("api", "supervisor", PASSWORD, address="203.0.113.50")[0] == "ok"
    # And the slowing ends with the window.
    the_window_passes(settings)
    assert sign_in("api", "admin_city", PASSWORD)[0] == "ok"


def test_the_slowing_down_is_told_in_chinese(personas, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for number in range(3):
        sign_in("api", f"someone{number}", "guess")
    outcome, message = sign_in("api", "supervisor", PASSWORD, language="zh-hans")
    assert (outcome, message) == ("paused", "您所在网络的登录失败次数过多，请等待几分钟后再试。")


def test_the_address_limit_is_much_higher_than_the_accounts(settings):
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT >= 5 * settings.LOGIN_FAILURE_LIMIT


# --- The log of attempts -----------------------------------------------------------------------


def test_every_attempt_is_logged_with_its_door_and_address(personas):
    sign_in("page", "staff_a", "guess", address="192.0.2.1")
    sign_in("admin", "root", PASSWORD, address="192.0.2.2")
    sign_in("api", "staff_b", PASSWORD, address="192.0.2.3")
    logged = list(SignInAttempt.objects.order_by("pk").values_list("username", "door", "address", "outcome"))
    assert logged == [
        ("staff_a", "page", "192.0.2.1", "failed"),
        ("root", "admin", "192.0.2.2", "succeeded"),
        ("staff_b", "api", "192.0.2.3", "succeeded"),
    ]


def test_attempts_older_than_the_retention_are_dropped(personas, settings):
    sign_in("api", "staff_a", "guess")
    SignInAttempt.objects.update(at=F("at") - timedelta(days=settings.LOGIN_ATTEMPT_RETENTION_DAYS + 1))
    sign_in("api", "staff_a", "guess")
    assert SignInAttempt.objects.count() == 1


def test_the_admin_sign_in_lets_in_whom_the_admin_lets_in(personas):
    assert sign_in("admin", "admin_city", PASSWORD)[0] == "ok"  # an admin membership, not is_staff
    assert sign_in("admin", "staff_a", PASSWORD)[0] == "wrong"
    # A right password is not a guess: it does not count towards a pause.
    assert SignInAttempt.objects.get(username="staff_a").outcome == SignInAttempt.Outcome.SUCCEEDED


# --- A cache outage -----------------------------------------------------------------------------


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("the cache is down")

        return fail


@pytest.mark.throttled
def test_sign_in_works_and_the_guard_holds_while_the_cache_is_down(personas, settings, monkeypatch):
    from rest_framework import throttling

    monkeypatch.setattr(throttling.SimpleRateThrottle, "cache", BrokenCache())
    assert sign_in("api", "staff_a", PASSWORD)[0] == "ok"
    assert sign_in("page", "staff_b", PASSWORD)[0] == "ok"
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert sign_in("api", "staff_a", "guess")[0] == "wrong"
    assert sign_in("api", "staff_a", PASSWORD)[0] == "paused"


# --- The client's address ------------------------------------------------------------------------


def a_request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(a_request("10.0.0.1", "203.0.113.9")) == "10.0.0.1"
    assert client_address(a_request("10.0.0.1")) == "10.0.0.1"


def test_with_one_trusted_proxy_the_rightmost_entry_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(a_request("10.0.0.1", "203.0.113.9")) == "203.0.113.9"
    # Whatever the client wrote to the left, the proxy appended the address it saw.
    assert client_address(a_request("10.0.0.1", "1.2.3.4, 5.6.7.8, 203.0.113.9")) == "203.0.113.9"
    assert client_address(a_request("10.0.0.1", "2001:db8::1")) == "2001:db8::1"


def test_with_two_trusted_proxies_the_second_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(a_request("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"


def test_a_request_that_bypassed_the_proxies_or_sent_garbage_gets_the_connections_address(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(a_request("10.0.0.2", "203.0.113.9")) == "10.0.0.2"  # fewer hops than proxies
    assert client_address(a_request("10.0.0.2")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(a_request("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_address(None) == ""


def test_a_forged_forwarded_header_does_not_escape_the_address_limit(personas, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    for number in range(5):  # a new "address" every time, all from one connection
        sign_in("api", f"someone{number}", "guess", address="203.0.113.66", forwarded=f"192.0.2.{number}")
    assert sign_in("api", "someone9", "guess", address="203.0.113.66", forwarded="192.0.2.99")[0] == "paused"
    assert set(SignInAttempt.objects.values_list("address", flat=True)) == {"203.0.113.66"}


def test_behind_a_trusted_proxy_each_client_is_counted_for_itself(personas, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    proxy = "10.0.0.1"
    for number in range(5):
        sign_in("api", f"someone{number}", "guess", address=proxy, forwarded=f"6.6.6.6, 203.0.113.{number}, 192.0.2.66")
    # The guesser is slowed down; a client next to it, behind the same proxy, is not.
    assert sign_in("api", "someone9", "guess", address=proxy, forwarded="192.0.2.66")[0] == "paused"
    assert sign_in("api", "supervisor", PASSWORD, address=proxy, forwarded="192.0.2.67")[0] == "ok"
    assert set(SignInAttempt.objects.values_list("address", flat=True)) == {"192.0.2.66", "192.0.2.67"}


@pytest.mark.parametrize("throttle_class", [AnonRateThrottle, UserRateThrottle, ScopedRateThrottle])
@pytest.mark.parametrize("count", [0, 1, 2])
def test_the_api_rate_limits_key_by_the_same_address(throttle_class, count, settings):
    settings.TRUSTED_PROXY_COUNT = count
    request = a_request("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.1")
    assert throttle_class().get_ident(request) == client_address(request)


def test_the_rest_framework_setting_counts_the_same_proxies(settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT


def token_attempt(remote: str, forwarded: str) -> int:
    client = APIClient(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    return client.post("/api/v1/auth/token/", {"username": "nobody", "password": "guess"}).status_code


@pytest.mark.throttled
def test_a_forged_forwarded_header_buys_no_extra_api_requests(db, settings, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    settings.TRUSTED_PROXY_COUNT = 0
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "auth": "3/minute"})
    statuses = [token_attempt("203.0.113.66", f"192.0.2.{number}") for number in range(4)]
    assert statuses == [400, 400, 400, 429]


@pytest.mark.throttled
def test_clients_behind_a_trusted_proxy_have_rate_limits_of_their_own(db, settings, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "auth": "2/minute"})
    assert [token_attempt("10.0.0.1", "6.6.6.6, 192.0.2.1") for _ in range(3)] == [400, 400, 429]
    assert token_attempt("10.0.0.1", "192.0.2.2") == 400
