"""API tokens: stored hashed, one per device, with an expiry, revocable one at a time, and ended
by a password change or a deactivation."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.views import APIView

from burden.models import ApiToken

PASSWORD = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def _no_rate_limits(monkeypatch):
    cache.clear()
    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])
    yield
    cache.clear()


def new_token(username="staff_a", password=PASSWORD, **extra) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(token: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def opens_the_api(token: str) -> bool:
    status = with_token(token).get("/api/v1/units/").status_code
    assert status in (200, 401), status
    return status == 200


def test_the_database_holds_a_digest_never_the_token(personas):
    token = new_token()
    stored = ApiToken.objects.get()
    assert stored.digest == hashlib.sha512(token.encode()).hexdigest()
    # The first 15 characters serve the lookup; the other 49 (196 bits) are nowhere.
    assert stored.token_key == token[:15] and len(token) == 64
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        rows = cursor.fetchall()
    assert rows and not any(token in str(value) for row in rows for value in row)
    assert opens_the_api(token)


def test_the_plain_text_tokens_of_rest_framework_are_gone(db):
    assert "rest_framework.authtoken" not in django_settings.INSTALLED_APPS
    assert "authtoken_token" not in connection.introspection.table_names()


def test_every_sign_in_gives_a_token_of_its_own_and_all_work(personas):
    first, second = new_token(), new_token()
    assert first != second
    assert opens_the_api(first) and opens_the_api(second)


def test_a_token_expires_after_the_configured_time(personas, settings):
    before = timezone.now()
    response = APIClient().post("/api/v1/auth/token/", {"username": "staff_a", "password": PASSWORD}, format="json")
    token, stored = response.json()["token"], ApiToken.objects.get()
    ttl = timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert before + ttl <= stored.expiry <= timezone.now() + ttl
    assert datetime.fromisoformat(response.json()["expiry"]) == stored.expiry
    ApiToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert not opens_the_api(token)
    assert not ApiToken.objects.exists()  # knox deletes it on sight


def test_the_lifetime_is_the_setting(personas, settings):
    settings.API_TOKEN_TTL_HOURS = 2
    new_token()
    left = ApiToken.objects.get().expiry - timezone.now()
    assert timedelta(hours=2) - timedelta(minutes=1) < left <= timedelta(hours=2)


def test_the_default_lifetime_is_a_week(settings):
    assert settings.API_TOKEN_TTL_HOURS == 24 * 7
    assert settings.REST_KNOX["TOKEN_TTL"] == timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def test_revoking_one_device_keeps_the_others(personas):
    laptop, sync = new_token(device="laptop"), new_token(device="nightly sync")
    assert set(ApiToken.objects.values_list("device", flat=True)) == {"laptop", "nightly sync"}
    assert with_token(laptop).delete("/api/v1/auth/token/revoke/").status_code == 204
    assert not opens_the_api(laptop)
    assert opens_the_api(sync)


def test_signing_in_again_from_a_named_device_replaces_its_token(personas):
    old = new_token(device="laptop")
    new = new_token(device="laptop")
    other = new_token()
    assert not opens_the_api(old)
    assert opens_the_api(new) and opens_the_api(other)


def test_a_person_holds_at_most_the_configured_number_of_tokens(personas, settings):
    settings.API_TOKEN_LIMIT_PER_USER = 3
    tokens = [new_token() for _ in range(4)]
    assert ApiToken.objects.count() == 3
    assert [opens_the_api(token) for token in tokens] == [False, True, True, True]


def test_a_token_records_its_device_and_client(personas):
    client = APIClient(REMOTE_ADDR="192.0.2.8", HTTP_USER_AGENT="sync-script/1.0")
    client.post("/api/v1/auth/token/", {"username": "staff_a", "password": PASSWORD, "device": "  office pc "})
    stored = ApiToken.objects.get()
    assert (stored.device, stored.address, stored.user_agent) == ("office pc", "192.0.2.8", "sync-script/1.0")


def test_revoking_from_a_browser_session_ends_all_the_persons_tokens(personas):
    mine, theirs = new_token(), new_token("staff_b")
    client = APIClient()
    client.force_login(personas.staff_a)
    assert client.delete("/api/v1/auth/token/revoke/").status_code == 204
    assert not opens_the_api(mine)
    assert opens_the_api(theirs)


def test_a_password_change_ends_every_token_of_the_person(personas):
    mine, theirs = new_token(), new_token("staff_b")
    personas.staff_a.set_password("a-new-pw-for-tests-2")
    personas.staff_a.save()
    assert not opens_the_api(mine)
    assert opens_the_api(theirs)


def test_a_password_set_through_the_api_ends_the_persons_tokens(personas):
    token = new_token()
    root = APIClient()
    root.force_authenticate(personas.superuser)
    response = root.patch("/api/v1/users/staff_a/", {"password": "a-new-pw-for-tests-2"}, format="json")
    assert response.status_code == 200, response.content
    assert not opens_the_api(token)


def test_the_password_page_ends_the_persons_tokens(client, personas):
    token = new_token()
    client.force_login(personas.staff_a)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "a-new-pw-for-tests-2", "new_password2": "a-new-pw-for-tests-2"},
    )
    assert response.status_code == 302
    assert not opens_the_api(token)


def test_saving_a_person_without_a_password_change_keeps_their_tokens(client, personas):
    token = new_token()
    personas.staff_a.email = "a@example.org"
    personas.staff_a.save()
    client.post("/accounts/login/", {"username": "staff_a", "password": PASSWORD})  # updates last_login
    assert "_auth_user_id" in client.session
    assert opens_the_api(token)


class QuickPBKDF2(PBKDF2PasswordHasher):
    iterations = 2


def test_a_password_re_hashed_at_sign_in_is_no_new_password(personas, settings):
    token = new_token()
    # A stronger hasher comes first: the next right sign-in re-hashes the stored password.
    settings.PASSWORD_HASHERS = [f"{__name__}.QuickPBKDF2", "django.contrib.auth.hashers.MD5PasswordHasher"]
    before = type(personas.staff_a).objects.get(pk=personas.staff_a.pk).password
    new_token()
    assert type(personas.staff_a).objects.get(pk=personas.staff_a.pk).password != before
    assert opens_the_api(token)


def test_a_deactivated_persons_tokens_stop_at_once(personas):
    token = new_token()
    personas.staff_a.is_active = False
    personas.staff_a.save()
    assert not opens_the_api(token)
    assert not ApiToken.objects.exists()


def test_a_deactivation_that_bypasses_save_still_stops_the_tokens(personas):
    token = new_token()
    type(personas.staff_a).objects.filter(pk=personas.staff_a.pk).update(is_active=False)
    assert not opens_the_api(token)


def test_a_wrong_or_malformed_token_is_refused(personas):
    token = new_token()
    assert not opens_the_api(token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert not opens_the_api("not-a-token")
    assert with_token(f"{token} extra").get("/api/v1/units/").status_code == 401


def test_a_person_lists_their_own_live_tokens_without_the_tokens(personas):
    laptop = new_token(device="laptop")
    new_token(device="phone")
    new_token("staff_b", device="theirs")
    listed = with_token(laptop).get("/api/v1/auth/tokens/").json()
    assert sorted((row["device"], row["current"]) for row in listed) == [("laptop", True), ("phone", False)]
    assert {row["key"] for row in listed} == set(
        ApiToken.objects.filter(user=personas.staff_a).values_list("token_key", flat=True)
    )
    assert laptop not in str(listed)


def test_a_person_revokes_another_device_by_its_key(personas):
    laptop, phone = new_token(device="laptop"), new_token(device="phone")
    theirs = new_token("staff_b")
    phone_key = ApiToken.objects.get(device="phone").token_key
    their_key = ApiToken.objects.get(user=personas.staff_b).token_key
    assert with_token(laptop).delete(f"/api/v1/auth/tokens/{their_key}/").status_code == 404
    assert opens_the_api(theirs)
    assert with_token(laptop).delete(f"/api/v1/auth/tokens/{phone_key}/").status_code == 204
    assert not opens_the_api(phone)
    assert opens_the_api(laptop)
