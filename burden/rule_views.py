"""The rules, explained to everyone; their thresholds, changed by admins (audited)."""

from __future__ import annotations

import json
import logging

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

from .admin import can_set_cost_parameters as can_set_thresholds
from .models import RuleChange, RuleSetting, Violation
from .rules import all_rules, get_rule
from .rules.engine import rule_state

logger = logging.getLogger(__name__)


def rule_rows() -> list[dict]:
    settings_by_code = {setting.rule: setting for setting in RuleSetting.objects.all()}
    rows = []
    for rule in all_rules():
        enabled, params = rule_state(rule, settings_by_code)
        rows.append({"rule": rule, "enabled": enabled, "params": [(p, params[p.name]) for p in rule.params]})
    return rows


class RuleListView(LoginRequiredMixin, View):
    def get(self, request):
        return TemplateResponse(
            request, "rules/list.html", {"rows": rule_rows(), "can_edit": can_set_thresholds(request.user)}
        )


class ThresholdForm(forms.Form):
    """One field per parameter, typed by the rule; the rule's own validation decides."""

    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False)
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}), required=True
    )

    def __init__(self, *args, rule, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule
        for param in rule.params:
            if param.kind == "int":
                field = forms.IntegerField(label=param.label, min_value=param.minimum, max_value=param.maximum)
            else:
                field = forms.MultipleChoiceField(
                    label=param.label, choices=param.choices, required=False, widget=forms.CheckboxSelectMultiple
                )
            self.fields[f"param_{param.name}"] = field

    def clean(self):
        cleaned = super().clean()
        values = {p.name: cleaned.get(f"param_{p.name}") for p in self.rule.params if f"param_{p.name}" in cleaned}
        try:
            cleaned["params"] = self.rule.clean_params(values)
        except ValidationError as error:
            for name, messages_ in error.message_dict.items():
                self.add_error(f"param_{name}" if f"param_{name}" in self.fields else None, messages_)
        return cleaned


@transaction.atomic
def rule_update(*, rule, enabled: bool, params: dict, reason: str, user) -> RuleChange | None:
    """Save a rule's new setting with its audit row; re-evaluate what it covers after commit.

    Returns the audit row, or None when nothing changed.
    """

    setting, _created = RuleSetting.objects.select_for_update().get_or_create(rule=rule.code)
    old_enabled, old_params = rule_state(rule, {rule.code: setting} if not _created else {})
    old = {"enabled": old_enabled, "params": old_params}
    new = {"enabled": enabled, "params": params}
    if json.loads(json.dumps(old)) == json.loads(json.dumps(new)):
        return None
    setting.enabled, setting.params = enabled, params
    setting.save()
    change = RuleChange.objects.create(rule=rule.code, changed_by=user, old=old, new=new, reason=reason)
    transaction.on_commit(lambda: _dispatch_sweep(rule.code))
    return change


def _dispatch_sweep(code: str) -> None:
    from .tasks import sweep_rules

    try:
        sweep_rules.delay(None, [code])
    except Exception:  # broker down: the scheduled sweep applies the new threshold
        logger.warning("could not queue the sweep of %s; the scheduled sweep will apply it", code)


class RuleDetailView(LoginRequiredMixin, View):
    def get_rule(self, code):
        try:
            return get_rule(code)
        except KeyError:
            raise Http404 from None

    def context(self, request, rule, form=None):
        enabled, params = rule_state(rule)
        can_edit = can_set_thresholds(request.user)
        if can_edit and form is None:
            initial = {"enabled": enabled, **{f"param_{name}": value for name, value in params.items()}}
            form = ThresholdForm(rule=rule, initial=initial)
        open_count = Violation.objects.for_user(request.user).open().filter(rule=rule.code).count()
        return {
            "rule": rule,
            "enabled": enabled,
            "params": [(p, params[p.name]) for p in rule.params],
            "form": form if can_edit else None,
            "changes": RuleChange.objects.filter(rule=rule.code).select_related("changed_by")[:20],
            "open_count": open_count,
        }

    def get(self, request, code):
        rule = self.get_rule(code)
        return TemplateResponse(request, "rules/detail.html", self.context(request, rule))

    def post(self, request, code):
        rule = self.get_rule(code)
        if not can_set_thresholds(request.user):
            raise PermissionDenied
        form = ThresholdForm(request.POST, rule=rule)
        if not form.is_valid():
            return TemplateResponse(request, "rules/detail.html", self.context(request, rule, form), status=400)
        change = rule_update(
            rule=rule,
            enabled=form.cleaned_data["enabled"],
            params=form.cleaned_data["params"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        )
        if change is None:
            messages.info(request, _("Nothing changed."))
        else:
            messages.success(request, _("Saved. The rule is being applied again to every record it covers."))
        return HttpResponseRedirect(reverse("rule_detail", args=[rule.code]))
