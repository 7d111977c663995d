"""APP-BANNED-FUNCTION (App Measures 2026): no forced check-in, ranking or online time outside
security and emergencies, no forced install, no needless photo, video or location uploads."""

import datetime

import pytest

from burden.models import RuleSetting, Violation
from burden.rules.base import get_rule
from burden.rules.engine import evaluate_record, sweep
from tests.record_factories.workapps import WorkAppFactory
from tests.rules.groups import flagged

CODE = "APP-BANNED-FUNCTION"
TODAY = datetime.date(2026, 6, 30)
pytestmark = pytest.mark.django_db


def app(tree, demands, **kwargs):
    return WorkAppFactory(unit=tree.a, source_unit=tree.dept, demands=demands, **kwargs)


def run():
    sweep(TODAY, codes=[CODE])


@pytest.mark.parametrize(
    ("demands", "is_flagged"),
    [
        (["checkin"], True),
        (["ranking"], True),
        (["online_time"], True),
        (["forced_install"], True),
        (["photo_upload"], True),
        (["location_upload"], True),
        (["reply_chain"], False),
        (["form_filling"], False),
        ([], False),
    ],
)
def test_each_banned_demand_flags_and_the_others_do_not(tree, demands, is_flagged):
    record = app(tree, demands)
    run()
    assert flagged(CODE) == ({record.pk} if is_flagged else set())


@pytest.mark.parametrize(
    ("demands", "is_flagged"),
    [
        (["checkin"], False),
        (["ranking", "online_time"], False),
        (["photo_upload", "location_upload"], False),
        (["forced_install"], True),  # never allowed, not even for emergencies
        (["checkin", "forced_install"], True),
    ],
)
def test_security_and_emergency_uses_may_ask_for_check_ins_but_never_force_an_install(tree, demands, is_flagged):
    record = app(tree, demands, security_or_emergency=True)
    run()
    assert flagged(CODE) == ({record.pk} if is_flagged else set())


def test_the_message_names_only_the_banned_demands_and_the_flag_cites_the_measures(tree):
    app(tree, ["reply_chain", "checkin", "form_filling", "photo_upload"])
    run()
    violation = Violation.objects.get(rule=CODE)
    assert violation.message == (
        "Demands Daily check-in、Photo or video uploads, which the rules on government apps forbid"
    )
    assert violation.details["demanded"] == ["checkin", "photo_upload"]
    assert violation.severity == "high"
    rule = get_rule(CODE)
    assert rule.source == "app_measures_2026"
    assert rule.citation == "App Measures (2026), the list of prohibitions"


def test_an_emergency_group_flags_only_its_forced_install(tree):
    app(tree, ["checkin", "forced_install"], security_or_emergency=True)
    run()
    assert Violation.objects.get(rule=CODE).details["demanded"] == ["forced_install"]


def test_a_changed_list_of_banned_demands_moves_what_flags(tree):
    checkin = app(tree, ["checkin"])
    chain = app(tree, ["reply_chain"])
    RuleSetting.objects.create(rule=CODE, params={"banned": ["reply_chain"]})
    run()
    assert flagged(CODE) == {chain.pk}
    assert checkin.pk not in flagged(CODE)


def test_a_changed_exemption_flags_an_emergency_check_in(tree):
    record = app(tree, ["checkin"], security_or_emergency=True)
    RuleSetting.objects.create(rule=CODE, params={"exempt": []})
    run()
    assert flagged(CODE) == {record.pk}


def test_no_banned_demand_at_all_flags_nothing(tree):
    app(tree, ["checkin"])
    RuleSetting.objects.create(rule=CODE, params={"banned": []})
    run()
    assert flagged(CODE) == set()


def test_saving_the_group_without_its_check_in_clears_the_flag(tree):
    record = app(tree, ["checkin", "reply_chain"])
    evaluate_record("work_app", record.pk, TODAY)
    assert flagged(CODE) == {record.pk}
    record.demands = ["reply_chain"]
    record.save()
    evaluate_record("work_app", record.pk, TODAY)
    assert flagged(CODE) == set()
    assert Violation.objects.get(rule=CODE).status == Violation.Status.CLEARED
