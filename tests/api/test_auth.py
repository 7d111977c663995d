"""Tokens, sessions, and the brakes on guessing: a token rate and a pause after failed sign-ins.

The pause itself, on every door, is tested in ``tests/security/test_signin.py``; tokens in
``tests/security/test_tokens.py``.
"""

import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db.models import F
from django.urls import reverse

from burden.models import ApiToken, SignInAttempt


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_token_is_given_for_a_username_and_password_and_opens_the_api(api, personas):
    response = api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "pw-for-tests-1"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    # Only a digest is kept.
    assert ApiToken.objects.get(user=personas.staff_a).digest == hashlib.sha512(token.encode()).hexdigest()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert [row["code"] for row in api.get("/api/v1/units/").json()["results"]] == ["A"]
    # Asking again gives a new token (it cannot be shown twice); the first keeps working.
    again = api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "pw-for-tests-1"}).json()["token"]
    assert again != token
    assert api.get("/api/v1/units/").status_code == 200


def test_a_revoked_token_no_longer_opens_the_api(api, personas):
    token = api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "pw-for-tests-1"}).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.delete("/api/v1/auth/token/revoke/").status_code == 204
    assert api.get("/api/v1/units/").status_code == 401


def test_wrong_or_missing_credentials(api, personas):
    response = api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "wrong"}, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    response = api.post("/api/v1/auth/token/", {"username": "staff_a"}, format="json")
    assert response.status_code == 400 and "password" in response.json()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/units/").status_code == 401
    api.credentials()
    assert api.get("/api/v1/units/").status_code == 401


def test_an_inactive_person_gets_no_token(api, personas):
    personas.staff_a.is_active = False
    personas.staff_a.save()
    assert api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "pw-for-tests-1"}).status_code == 400


def test_browser_sessions_work_and_need_csrf_for_writes(client, personas):
    from rest_framework.test import APIClient

    client.force_login(personas.staff_a)
    assert client.get("/api/v1/units/").status_code == 200
    strict = APIClient(enforce_csrf_checks=True)
    strict.force_login(personas.staff_a)
    response = strict.post("/api/v1/meetings/", {}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_failed_sign_ins_pause_the_account_even_with_the_right_password(api, personas, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "guess"}).status_code == 400
    response = api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "pw-for-tests-1"})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]
    the_window_passes(settings)
    assert api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "pw-for-tests-1"}).status_code == 200


def test_a_success_clears_the_count(api, personas, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(2):
        api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "guess"})
    assert api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "pw-for-tests-1"}).status_code == 200
    for _ in range(2):
        api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "guess"})
    assert api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "pw-for-tests-1"}).status_code == 200


def test_the_login_page_pauses_too(client, personas, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    url = reverse("login")
    for _ in range(2):
        client.post(url, {"username": "staff_a", "password": "guess"}, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(url, {"username": "staff_a", "password": "pw-for-tests-1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.throttled
def test_the_token_endpoint_is_rate_limited(api, personas, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth": "3/minute", "anon": None, "user": None})
    statuses = [api.post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code for _ in range(4)]
    assert statuses[:3] == [400, 400, 400] and statuses[3] == 429


def test_one_address_guessing_many_accounts_is_slowed_down(api, personas, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    api.post("/api/v1/auth/token/", {"username": "staff_b", "password": "pw-for-tests-1"})  # a regular here
    for number in range(8):  # two failures on each of four accounts: none paused, but the address is slowed
        api.post("/api/v1/auth/token/", {"username": f"someone{number // 2}", "password": "guess"})
    assert api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "pw-for-tests-1"}).status_code == 429
    # Slowed, not shut: who signed in from here before still gets in.
    assert api.post("/api/v1/auth/token/", {"username": "staff_b", "password": "pw-for-tests-1"}).status_code == 200


def the_window_passes(settings):
    SignInAttempt.objects.update(at=F("at") - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1))
