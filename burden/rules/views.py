"""The rules, explained to everyone; their thresholds, changed by admins (audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from .. import scoping
from ..concurrency import StaleWrite, stale_form_refresh
from ..models import RuleChange, RuleOverride, RuleSetting, Unit, Violation
from .base import Source, all_rules, get_rule
from .engine import rule_state
from .forms import OverrideForm, ThresholdForm
from .preview import rule_override_preview, rule_update_preview
from .runs import rule_run_latest, rules_reapplying
from .services import rule_override_remove, rule_override_set, rule_update, rule_version


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


def rows_by_source(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """The rows in groups by the instrument their rule enforces, in ``Source``'s order; empty ones left out."""
    grouped: dict[str, list[dict]] = {source: [] for source in Source.values}
    for row in rows:
        grouped[row["rule"].source].append(row)
    return [(Source(source), group) for source, group in grouped.items() if group]


class RuleListView(LoginRequiredMixin, View):
    def get(self, request):
        rows = rule_rows()
        return TemplateResponse(
            request,
            "rules/list.html",
            {
                "rows": rows,
                "sources": rows_by_source(rows),
                "can_edit": scoping.scope_for(request.user).sets_city_settings,
            },
        )


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


def confirm_data(request) -> list[tuple[str, str]]:
    """What was posted for a preview, to be posted again as it was by its confirmation (hidden inputs)."""
    return [
        (name, value)
        for name in request.POST
        if name not in ("action", "csrfmiddlewaretoken")
        for value in request.POST.getlist(name)
    ]


class RuleDetailView(LoginRequiredMixin, View):
    """A rule, its thresholds and their history; admins change them, after a preview of what it would do.

    The forms' buttons post ``action=preview`` (``override_preview``,
    ``remove_override_preview``): the page comes back with what the change would clear
    and raise (``burden.rules.preview``) and a confirmation carrying the same values,
    which posts ``thresholds`` (``override``, ``remove_override``) and saves. The
    re-application that follows is told by the run's panel alone.
    """

    def get_rule(self, code):
        return get_rule_or_404(code)

    def context(self, request, rule, form=None, override_form=None, preview=None, override_preview=None):
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
            "preview": preview,
            "override_preview": override_preview,
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
        if action in ("override", "override_preview"):
            return self.post_override(request, rule, preview=action == "override_preview")
        if action in ("remove_override", "remove_override_preview"):
            return self.post_remove_override(request, rule, preview=action == "remove_override_preview")
        if not scoping.scope_for(request.user).sets_city_settings:
            raise PermissionDenied
        form = ThresholdForm(request.POST, rule=rule)
        if not form.is_valid():
            return TemplateResponse(request, "rules/detail.html", self.context(request, rule, form), status=400)
        if action == "preview":
            preview = rule_update_preview(
                rule=rule, enabled=form.cleaned_data["enabled"], params=form.cleaned_data["params"]
            )
            return TemplateResponse(
                request,
                "rules/detail.html",
                {**self.context(request, rule, form, preview=preview), "confirm_data": confirm_data(request)},
            )
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
            # Only what was saved: how far its re-application has got is the run's panel's to say.
            messages.success(request, _("Saved: %(change)s.") % {"change": change.summary()})
        return HttpResponseRedirect(reverse("rule_detail", args=[rule.code]))

    def post_override(self, request, rule, preview=False):
        if not Unit.objects.for_user(request.user, min_role=scoping.ADMIN).exists():
            raise PermissionDenied
        form = OverrideForm(request.POST, rule=rule, user=request.user)
        if not form.is_valid():
            return TemplateResponse(
                request, "rules/detail.html", self.context(request, rule, override_form=form), status=400
            )
        unit, params = form.cleaned_data["unit"], form.cleaned_data["params"]
        if preview:
            found = rule_override_preview(rule=rule, unit=unit, params=params)
            context = self.context(request, rule, override_form=form, override_preview=found)
            return TemplateResponse(request, "rules/detail.html", {**context, "confirm_data": confirm_data(request)})
        change = rule_override_set(
            rule=rule, unit=unit, params=params, reason=form.cleaned_data["reason"], user=request.user
        )
        messages.success(
            request, _("Saved for %(unit)s: %(change)s.") % {"unit": unit.label, "change": change.summary()}
        )
        return HttpResponseRedirect(reverse("rule_detail", args=[rule.code]))

    def post_remove_override(self, request, rule, preview=False):
        administered = Unit.objects.for_user(request.user, min_role=scoping.ADMIN)
        override = (
            RuleOverride.objects.filter(rule=rule.code, unit__in=administered, pk=request.POST.get("override") or 0)
            .select_related("unit")
            .first()
        )
        if override is None:
            raise Http404
        if preview:
            found = rule_override_preview(rule=rule, unit=override.unit, params=None)
            context = self.context(request, rule, override_preview=found)
            return TemplateResponse(request, "rules/detail.html", {**context, "confirm_data": confirm_data(request)})
        rule_override_remove(override=override, reason=request.POST.get("reason", ""), user=request.user)
        messages.success(request, _("Removed. The units below it follow the thresholds above it again."))
        return HttpResponseRedirect(reverse("rule_detail", args=[rule.code]))
