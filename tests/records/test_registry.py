"""The registry of record kinds: each record app registers its kind once, at start-up, and
the core's lookups, the ledger's jobs and the system checks read it."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from burden.insights.rollups import record_models as rollup_models
from burden.ledger.jobs import config_for
from burden.models import ImportJob
from burden.record_views import RecordConfig, record_configs
from burden.records import BaseRecord, registry
from burden.records.checks import record_models_check, rule_kinds_check
from burden.records.registry import Kind, RegistryClosed, UnknownKind, kind_for, kinds, model_for, register
from burden.rules.engine import ANY_KIND
from burden.rules.engine import record_models as engine_models
from meetings.models import Meeting

THE_KINDS = {"meeting", "document", "inspection", "secondment", "data_request", "work_app"}


def record_model_classes() -> set[type]:
    return {model for model in apps.get_models() if issubclass(model, BaseRecord)}


def test_every_installed_record_app_is_registered_with_its_model():
    registered = {kind.model for kind in kinds()}
    assert registered == record_model_classes()
    assert {kind.code for kind in kinds()} == THE_KINDS
    for kind in kinds():
        assert kind.app_label in settings.INSTALLED_APPS
        assert kind.model._meta.app_config.name == kind.app_label


def test_kinds_come_in_the_order_of_installed_apps():
    order = [app for app in settings.INSTALLED_APPS if app in {kind.app_label for kind in kinds()}]
    assert [kind.app_label for kind in kinds()] == order


def test_kind_for_and_model_for_agree_with_the_models_record_kind():
    for model in record_model_classes():
        assert kind_for(model.record_kind).model is model
        assert model_for(model.record_kind) is model
    assert registry.record_models() == {model.record_kind: model for model in record_model_classes()}


def test_the_engine_and_the_rollups_read_the_registry():
    assert engine_models() == rollup_models() == registry.record_models()


def test_a_kind_names_its_labels_and_pages():
    kind = kind_for("meeting")
    assert kind.label == Meeting._meta.verbose_name
    assert kind.label_plural == Meeting._meta.verbose_name_plural
    assert kind.url_name("list") == "meetings:meeting_list"
    assert isinstance(kind.page_config, RecordConfig)
    assert kind.page_config.model is Meeting
    assert kind.page_config.url_name("detail") == kind.url_name("detail")


def test_record_configs_are_the_registered_kinds_pages_in_order():
    assert [config.model for config in record_configs()] == [kind.model for kind in kinds()]


def test_the_api_router_registers_every_kinds_routes():
    from burden.api.urls import router

    registered = {(prefix, viewset, basename) for prefix, viewset, basename in router.registry}
    for kind in kinds():
        routes = import_string(kind.api_routes)
        assert routes and set(routes) <= registered


def test_the_navigation_lists_the_kinds_in_order():
    from burden.context_processors import _record_nav

    assert [item["app"] for item in _record_nav()] == [kind.app_label for kind in kinds()]
    assert [item["icon"] for item in _record_nav()] == [kind.page_config.icon for kind in kinds()]


def test_an_unknown_code_raises_a_clear_error():
    with pytest.raises(UnknownKind, match="'parking'.*registered: meeting"):
        kind_for("parking")
    with pytest.raises(LookupError):
        model_for("parking")
    # The model's label is not a code: a kind has one identity.
    with pytest.raises(UnknownKind):
        kind_for("meetings.meeting")


def test_registration_after_start_up_is_refused():
    before = kinds()
    with pytest.raises(RegistryClosed, match="after start-up"):
        register(Kind(model=Meeting, pages="meetings.views.config"))
    assert kinds() == before


class FakeRule:
    def __init__(self, code, record_kind):
        self.code, self.record_kind = code, record_kind


def test_a_rule_naming_an_unknown_kind_is_reported_by_the_check():
    messages = rule_kinds_check(rules=[FakeRule("X-1", "parking"), FakeRule("X-2", "meeting")])
    assert [(message.id, message.level) for message in messages] == [("burden.E001", checks.ERROR)]
    assert "X-1" in messages[0].msg and "'parking'" in messages[0].msg


def test_a_rule_reading_every_kind_passes_the_check():
    assert rule_kinds_check(rules=[FakeRule("X-3", ANY_KIND)]) == []


def test_the_catalogue_and_the_models_pass_the_checks():
    assert rule_kinds_check() == []
    assert record_models_check() == []


def test_a_record_model_left_unregistered_is_reported_by_the_check(monkeypatch):
    monkeypatch.delitem(registry._KINDS, "meeting")
    messages = record_models_check()
    assert [(message.id, message.obj) for message in messages] == [("burden.E002", Meeting)]


def test_the_checks_are_registered_with_django():
    registered = checks.registry.registry.get_checks()
    assert rule_kinds_check in registered and record_models_check in registered


def test_the_ledger_finds_its_config_by_the_kinds_code():
    assert config_for("meeting").model is Meeting
    with pytest.raises(LookupError):
        config_for("meetings.meeting")


@pytest.mark.django_db
def test_the_migration_renames_import_jobs_from_model_labels_to_codes(personas):
    migration = importlib.import_module("burden.migrations.0017_importjob_kind_codes")
    old = ImportJob.objects.create(kind="datarequests.datarequest", original_name="x.csv", user=personas.staff_a)
    new = ImportJob.objects.create(kind="meeting", original_name="y.csv", user=personas.staff_a)
    migration.to_codes(apps, None)
    assert ImportJob.objects.get(pk=old.pk).kind == "data_request"
    assert ImportJob.objects.get(pk=new.pk).kind == "meeting"
    migration.to_labels(apps, None)
    assert ImportJob.objects.get(pk=old.pk).kind == "datarequests.datarequest"
