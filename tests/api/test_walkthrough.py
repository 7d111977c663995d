"""The integrator's walkthrough (scripts/api_walkthrough.py) against a live server."""

import importlib.util
from pathlib import Path

import pytest

from tests.factories import UnitFactory, UserFactory

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "api_walkthrough.py"


def load_script():
    spec = importlib.util.spec_from_file_location("api_walkthrough", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_an_integrator_runs_the_whole_walkthrough_through_the_api(live_server, capsys):
    UnitFactory(code="CITY", level="city", parent=None)
    UserFactory(username="root", is_superuser=True, is_staff=True)
    assert load_script().main(["walkthrough", live_server.url, "root", "pw-for-tests-1"]) == 0, capsys.readouterr()
    assert "walkthrough passed" in capsys.readouterr().out
