"""The rule's change log in words: each parameter by its label, old → new, in the reader's language."""

import re

from django.urls import reverse
from django.utils import translation

from burden.models import RuleChange, RuleOverride
from burden.rules import get_rule
from burden.rules.services import rule_override_remove, rule_override_set, rule_update

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}


def duration(personas, **changes):
    state = {"enabled": True, "params": {"max_minutes": 90}}
    for name, value in changes.items():
        if name == "enabled":
            state["enabled"] = value
        else:
            state["params"][name] = value
    return rule_update(rule=get_rule("MTG-DURATION"), reason="试点", user=personas.admin, **state)


def test_a_changed_threshold_reads_label_old_and_new(personas):
    change = duration(personas, max_minutes=120)

    assert change.in_words() == ["Longest allowed (minutes): 90 → 120"]
    with translation.override("zh-hans"):
        words = change.summary()
    assert words.startswith("时长上限（分钟）") and words.endswith("90 → 120")


def test_switching_a_rule_off_and_on_says_so_and_names_only_what_changed(personas):
    off = duration(personas, enabled=False)
    on = duration(personas, enabled=True, max_minutes=60)

    assert off.summary() == "switched off"
    assert on.summary() == "switched on; Longest allowed (minutes): 90 → 60"


def test_chosen_values_read_by_their_labels(personas):
    rule = get_rule("TRACE-BANNED")
    change = rule_update(rule=rule, enabled=True, params={"banned": ["photo"]}, reason="", user=personas.admin)

    assert change.summary() == "Banned traces: Check-in, Written material, Photos → Photos"
    with translation.override("zh-hans"):
        words = change.summary()
    assert words.startswith("禁止的留痕方式") and words.endswith("打卡、书面材料、照片 → 照片")


def test_a_unit_s_thresholds_read_as_set_changed_and_removed(personas, tree):
    rule = get_rule("MTG-DURATION")
    first = rule_override_set(rule=rule, unit=tree.s1, params={"max_minutes": 60}, reason="", user=personas.admin)
    second = rule_override_set(rule=rule, unit=tree.s1, params={"max_minutes": 45}, reason="", user=personas.admin)
    removed = rule_override_remove(override=RuleOverride.objects.get(), reason="", user=personas.admin)

    assert first.summary() == "thresholds of its own set; Longest allowed (minutes): 60"
    assert second.summary() == "Longest allowed (minutes): 60 → 45"
    assert removed.summary() == "thresholds of its own removed; the ones above apply again"


def test_a_parameter_the_rule_no_longer_has_is_named_as_stored(personas):
    change = RuleChange(
        rule="MTG-DURATION",
        old={"enabled": True, "params": {"max_minutes": 90, "gone": 1}},
        new={"enabled": True, "params": {"max_minutes": 90, "gone": 2}},
    )
    assert change.summary() == "gone: 1 → 2"


def test_the_rule_page_shows_the_log_in_words_not_stored_data(client, personas):
    duration(personas, max_minutes=120)
    client.force_login(personas.staff_a)
    url = reverse("rule_detail", args=["MTG-DURATION"])

    english = client.get(url, **ENGLISH).content.decode()
    chinese = client.get(url, **CHINESE).content.decode()

    assert logged(english) == ["Longest allowed (minutes): 90 → 120"]
    assert logged(chinese)[0].startswith("时长上限（分钟）") and logged(chinese)[0].endswith("90 → 120")
    for page in (english, chinese):
        assert "{&#x27;enabled&#x27;" not in page and "{'enabled'" not in page


def logged(page: str) -> list[str]:
    return re.findall(r'data-testid="change-words">([^<]*)<', page)
