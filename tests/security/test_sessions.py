"""Browser sessions end after the idle timeout and the absolute lifetime, and a password change
ends the person's other sessions. Time is moved by rewriting the session's own timestamps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from burden import sessions
from tests.test_settings import settings_value

PASSWORD = "pw-for-tests-1"
NEW_PASSWORD = "a-new-pw-for-tests-2"


def signed_in(client, user) -> Client:
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200  # the first request starts the clock
    return client


def move_back(client, *, seen_seconds=0, started_seconds=0):
    """Pretend the last request and the sign-in were that many seconds earlier."""
    session = client.session
    session[sessions.SEEN_KEY] -= seen_seconds
    session[sessions.STARTED_KEY] -= started_seconds
    session.save()


def is_signed_in(client) -> bool:
    response = client.get(reverse("home"))
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))
        return False
    assert response.status_code == 200
    return True


def test_a_session_idle_past_the_timeout_ends(client, personas, settings):
    signed_in(client, personas.staff_a)
    move_back(client, seen_seconds=settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 + 1)
    assert not is_signed_in(client)
    assert SESSION_KEY not in client.session


def test_a_session_used_within_the_timeout_goes_on_and_the_clock_restarts(client, personas, settings):
    signed_in(client, personas.staff_a)
    idle = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
    move_back(client, seen_seconds=idle - 5, started_seconds=idle - 5)
    assert is_signed_in(client)
    move_back(client, seen_seconds=idle - 5, started_seconds=idle - 5)  # idle again, but counted from the last request
    assert is_signed_in(client)


def test_a_session_ends_at_its_absolute_lifetime_however_busy(client, personas, settings):
    signed_in(client, personas.staff_a)
    move_back(client, started_seconds=settings.SESSION_ABSOLUTE_HOURS * 3600 + 1)
    assert not is_signed_in(client)


def test_a_session_just_inside_its_lifetime_goes_on(client, personas, settings):
    signed_in(client, personas.staff_a)
    move_back(client, started_seconds=settings.SESSION_ABSOLUTE_HOURS * 3600 - 60)
    assert is_signed_in(client)


def test_signing_in_again_restarts_the_lifetime(client, personas, settings):
    signed_in(client, personas.staff_a)
    move_back(client, started_seconds=settings.SESSION_ABSOLUTE_HOURS * 3600 - 60)
    client.force_login(personas.staff_a)  # sends user_logged_in, as every sign-in does
    move_back(client, started_seconds=120)
    assert is_signed_in(client)


def test_the_timeouts_are_the_settings(client, personas, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 2
    signed_in(client, personas.staff_a)
    move_back(client, seen_seconds=121)
    assert not is_signed_in(client)


def test_the_defaults_are_thirty_minutes_and_twelve_hours(settings):
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30
    assert settings.SESSION_ABSOLUTE_HOURS == 12
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


@pytest.mark.parametrize(
    ("env", "expression", "value"),
    [
        ({"SESSION_IDLE_TIMEOUT_MINUTES": "15"}, "settings.SESSION_IDLE_TIMEOUT_MINUTES", "15"),
        ({"SESSION_ABSOLUTE_HOURS": "8"}, "settings.SESSION_COOKIE_AGE", str(8 * 3600)),
        ({"TRUSTED_PROXY_COUNT": "1"}, "settings.REST_FRAMEWORK['NUM_PROXIES']", "1"),
        ({"API_TOKEN_TTL_HOURS": "24"}, "settings.REST_KNOX['TOKEN_TTL']", "1 day, 0:00:00"),
    ],
)
def test_the_environment_sets_them(env, expression, value):
    assert settings_value(expression, DEBUG="True", **env) == value


def test_the_stored_session_expires_at_the_absolute_end(client, personas, settings):
    signed_in(client, personas.staff_a)
    end = timezone.now() + timedelta(hours=settings.SESSION_ABSOLUTE_HOURS)
    assert abs((client.session.get_expiry_date() - end).total_seconds()) < 60


def test_the_sign_in_page_says_why_after_a_timeout(client, personas, settings):
    signed_in(client, personas.staff_a)
    move_back(client, seen_seconds=settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 + 1)
    page = client.get(reverse("home"), follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your session has ended. Please sign in again." in page


def test_an_api_call_on_an_ended_session_is_refused(client, personas, settings):
    signed_in(client, personas.staff_a)
    assert client.get("/api/v1/units/").status_code == 200
    move_back(client, seen_seconds=settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 + 1)
    assert client.get("/api/v1/units/").status_code in (401, 403)


def test_a_password_change_ends_the_persons_other_sessions_but_not_this_one(personas):
    here, elsewhere, someone_else = Client(), Client(), Client()
    for client, user in ((here, personas.staff_a), (elsewhere, personas.staff_a), (someone_else, personas.staff_b)):
        signed_in(client, user)
    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert is_signed_in(someone_else)


def test_a_password_set_by_an_admin_ends_all_the_persons_sessions(personas):
    theirs = signed_in(Client(), personas.staff_a)
    personas.staff_a.set_password(NEW_PASSWORD)
    personas.staff_a.save()
    assert not is_signed_in(theirs)


def test_a_deactivation_ends_the_persons_sessions(personas):
    theirs = signed_in(Client(), personas.staff_a)
    personas.staff_a.is_active = False
    personas.staff_a.save()
    assert not is_signed_in(theirs)
