"""The rules, explained to everyone; their thresholds, changed by admins (audited)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from . import scoping
from .concurrency import StaleWrite, stale_form_refresh, version_field
from .models import RuleChange, RuleOverride, RuleSetting, Unit, Violation
from .record_forms import UnitCodeField
from .rule_runs import rule_run_latest, rule_run_start, rules_reapplying
from .rules import all_rules, get_rule
from .rules.engine import rule_state


def rule_rows() -> list[dict]:
    settings_by_code = {setting.rule: setting for setting in RuleSetting.objects.all()}
    reapplying = rules_reapplying()
    rows = []
    for rule in all_rules():
        enabled, params = rule_state(rule, settings_by_code)
        rows.append(
            {
                "rule": rule,
                "enabled": enabled,
                "params": [(p, params[p.name]) for p in rule.params],
                "reapplying": rule.code in reapplying,
            }
        )
    return rows


class RuleListView(LoginRequiredMixin, View):
    def get(self, request):
        return TemplateResponse(
            request,
            "rules/list.html",
            {"rows": rule_rows(), "can_edit": scoping.scope_for(request.user).sets_city_settings},
        )


class ThresholdForm(forms.Form):
    """One field per parameter, typed by the rule; the rule's own validation decides.

    The hidden ``version`` is the setting's when the page was loaded (see ``rule_version``).
    """

    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False)
    version = version_field()
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}), required=True
    )

    def __init__(self, *args, rule, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule
        self.add_param_fields(rule)

    def add_param_fields(self, rule):
        for param in rule.params:
            if param.kind == "int":
                field = forms.IntegerField(label=param.label, min_value=param.minimum, max_value=param.maximum)
            else:
                field = forms.MultipleChoiceField(
                    label=param.label, choices=param.choices, required=False, widget=forms.CheckboxSelectMultiple
                )
            self.fields[f"param_{param.name}"] = field
        self.order_fields([*(name for name in self.fields if name.startswith("param_")), "enabled", "reason"])

    def clean(self):
        cleaned = super().clean()
        values = {p.name: cleaned.get(f"param_{p.name}") for p in self.rule.params if f"param_{p.name}" in cleaned}
        try:
            cleaned["params"] = self.rule.clean_params(values)
        except ValidationError as error:
            for name, messages_ in error.message_dict.items():
                self.add_error(f"param_{name}" if f"param_{name}" in self.fields else None, messages_)
        return cleaned


def rule_version(code: str) -> int:
    """The version of a rule's setting; 1 before its first change (the version that change creates)."""
    return RuleSetting.objects.filter(rule=code).values_list("version", flat=True).first() or 1


@transaction.atomic
def rule_update(
    *, rule, enabled: bool, params: dict, reason: str, user, expected_version: int | None = None
) -> RuleChange | None:
    """Save a rule's new setting with its audit row; a run re-applies it to what it covers after commit.

    Returns the audit row, or None when nothing changed. Raises ``StaleWrite`` if the
    setting changed since ``expected_version`` (None: no check).
    """

    setting, _created = RuleSetting.objects.select_for_update().get_or_create(rule=rule.code)
    old_enabled, old_params = rule_state(rule, {rule.code: setting} if not _created else {})
    old = {"enabled": old_enabled, "params": old_params}
    new = {"enabled": enabled, "params": params}
    if json.loads(json.dumps(old)) == json.loads(json.dumps(new)):
        return None
    setting.enabled, setting.params = enabled, params
    setting.save(expected_version=expected_version)
    change = RuleChange.objects.create(rule=rule.code, changed_by=user, old=old, new=new, reason=reason)
    rule_run_start(code=rule.code, change=change, user=user)
    return change


class OverrideForm(ThresholdForm):
    """Thresholds of a rule for one unit and its subtree, set by an admin of that unit."""

    enabled = None
    version = None  # overrides are set, not edited in place
    unit = UnitCodeField(
        queryset=Unit.objects.none(),
        datalist_id="override-unit-options",
        label=gettext_lazy("Unit (with the units below it)"),
    )

    def __init__(self, *args, rule, user, **kwargs):
        super().__init__(*args, rule=rule, **kwargs)
        self.fields["unit"].queryset = Unit.objects.for_user(user, min_role=scoping.ADMIN)
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "You can only set thresholds for units you administer."
        )
        self.order_fields(["unit", *(name for name in self.fields if name.startswith("param_")), "reason"])


@transaction.atomic
def rule_override_set(*, rule, unit, params: dict, reason: str, user) -> RuleChange:
    """Create or change the override of ``rule`` for ``unit``'s subtree, audited; re-applied after commit."""
    override = RuleOverride.objects.select_for_update().filter(rule=rule.code, unit=unit).first()
    old = override.params if override else None
    if override is None:
        override = RuleOverride(rule=rule.code, unit=unit)
    override.params = params
    override.save()
    change = RuleChange.objects.create(
        rule=rule.code, unit=unit, changed_by=user, old={"params": old}, new={"params": params}, reason=reason
    )
    rule_run_start(code=rule.code, change=change, user=user)
    return change


@transaction.atomic
def rule_override_remove(*, override, reason: str, user) -> None:
    """Remove an override: its subtree is judged by the thresholds above it again (audited, re-applied)."""
    change = RuleChange.objects.create(
        rule=override.rule,
        unit=override.unit,
        changed_by=user,
        old={"params": override.params},
        new={"params": None},
        reason=reason,
    )
    override.delete()
    rule_run_start(code=change.rule, change=change, user=user)


def get_rule_or_404(code: str):
    try:
        return get_rule(code)
    except KeyError:
        raise Http404 from None


def run_context(request, rule) -> dict:
    """The rule's latest re-application the reader may know of (not another unit's override's).

    Its counts are of the whole city, so only those who set the city's thresholds see
    them (and a failure's error); everyone else sees how far it got and when it ended.
    """
    run = rule_run_latest(rule.code, user=request.user)
    return {"rule": rule, "run": run, "run_counts_visible": scoping.scope_for(request.user).sets_city_settings}


class RuleRunView(LoginRequiredMixin, View):
    """The rule's latest re-application: the fragment the rule's page polls (htmx) while it runs."""

    def get(self, request, code):
        rule = get_rule_or_404(code)
        return TemplateResponse(request, "rules/run.html", run_context(request, rule))


class RuleDetailView(LoginRequiredMixin, View):
    def get_rule(self, code):
        return get_rule_or_404(code)

    def context(self, request, rule, form=None, override_form=None):
        enabled, params = rule_state(rule)
        can_edit = scoping.scope_for(request.user).sets_city_settings
        if can_edit and form is None:
            initial = {"enabled": enabled, **{f"param_{name}": value for name, value in params.items()}}
            form = ThresholdForm(rule=rule, initial={**initial, "version": rule_version(rule.code)})
        open_count = Violation.objects.for_user(request.user).open().filter(rule=rule.code).count()
        administered = Unit.objects.for_user(request.user, min_role=scoping.ADMIN)
        can_override = administered.exists()
        if can_override and override_form is None:
            override_form = OverrideForm(
                rule=rule, user=request.user, initial={f"param_{name}": value for name, value in params.items()}
            )
        # Overrides, changes and their reasons only of the units the reader may see (the
        # city's own changes for everyone signed in): a reason often names a unit's troubles.
        overrides = (
            RuleOverride.objects.for_user(request.user)
            .filter(rule=rule.code)
            .select_related("unit")
            .order_by("unit__path")
        )
        changes = RuleChange.objects.for_user(request.user).filter(rule=rule.code).select_related("changed_by", "unit")
        return {
            "override_form": override_form if can_override else None,
            "overrides": [(o, [(p, o.params.get(p.name, params[p.name])) for p in rule.params]) for o in overrides],
            "override_units": administered.order_by("path").values_list("code", "name", "name_en")[:500],
            "rule": rule,
            "enabled": enabled,
            "params": [(p, params[p.name]) for p in rule.params],
            "form": form if can_edit else None,
            "changes": changes[:20],
            "open_count": open_count,
            **run_context(request, rule),
        }

    def get(self, request, code):
        rule = self.get_rule(code)
        return TemplateResponse(request, "rules/detail.html", self.context(request, rule))

    def post(self, request, code):
        rule = self.get_rule(code)
        action = request.POST.get("action", "thresholds")
        if action == "override":
            return self.post_override(request, rule)
        if action == "remove_override":
            return self.post_remove_override(request, rule)
        if not scoping.scope_for(request.user).sets_city_settings:
            raise PermissionDenied
        form = ThresholdForm(request.POST, rule=rule)
        if not form.is_valid():
            return TemplateResponse(request, "rules/detail.html", self.context(request, rule, form), status=400)
        try:
            change = rule_update(
                rule=rule,
                enabled=form.cleaned_data["enabled"],
                params=form.cleaned_data["params"],
                reason=form.cleaned_data["reason"],
                user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except StaleWrite as stale:
            # Another admin changed the thresholds since this page was loaded: show theirs, keep these.
            form.add_error(None, stale)
            stale_form_refresh(form, stale)
            return TemplateResponse(request, "rules/detail.html", self.context(request, rule, form), status=409)
        if change is None:
            messages.info(request, _("Nothing changed."))
        else:
            messages.success(request, _("Saved. The rule is being applied again to every record it covers."))
        return HttpResponseRedirect(reverse("rule_detail", args=[rule.code]))

    def post_override(self, request, rule):
        if not Unit.objects.for_user(request.user, min_role=scoping.ADMIN).exists():
            raise PermissionDenied
        form = OverrideForm(request.POST, rule=rule, user=request.user)
        if not form.is_valid():
            return TemplateResponse(
                request, "rules/detail.html", self.context(request, rule, override_form=form), status=400
            )
        rule_override_set(
            rule=rule,
            unit=form.cleaned_data["unit"],
            params=form.cleaned_data["params"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        )
        messages.success(request, _("Saved. The rule is being applied again to every record it covers."))
        return HttpResponseRedirect(reverse("rule_detail", args=[rule.code]))

    def post_remove_override(self, request, rule):
        administered = Unit.objects.for_user(request.user, min_role=scoping.ADMIN)
        override = RuleOverride.objects.filter(
            rule=rule.code, unit__in=administered, pk=request.POST.get("override") or 0
        ).first()
        if override is None:
            raise Http404
        rule_override_remove(override=override, reason=request.POST.get("reason", ""), user=request.user)
        messages.success(request, _("Removed. The units below it follow the thresholds above it again."))
        return HttpResponseRedirect(reverse("rule_detail", args=[rule.code]))
