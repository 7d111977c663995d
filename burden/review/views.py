"""The review pages: the queue of cases and of single flags (with bulk actions), a case's page and
its letters, a flag's page, notifications, preferences, deadlines.

Supervisors and admins act on the flags of every unit below them; staff see their own
units' flags read-only and explain them. A case (督办事项) is answered by the department
it is against and decided by the supervisors of its owner unit (``burden.review.cases``).
Every queryset starts at the scoping gate: a flag, case or letter outside one's units is
a 404 like one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django_filters.views import FilterView

from .. import scoping
from ..models import Unit, Violation
from ..record_display import list_separator
from ..record_forms import RecordForm
from ..scoping import scope_for
from ..views import QueryStringMixin, ordering_from
from .cases import (
    NOTICE_MAX_CASES,
    case_add_evidence,
    case_escalate,
    case_policy_update,
    case_reply,
    case_transition,
    interview_minutes_record,
    may_add_evidence,
    may_circulate,
    may_decide,
    may_escalate,
    may_reply,
    notice_issue,
)
from .filters import AGAINST_US, CaseFilterSet, ViolationFilterSet
from .forms import (
    BulkTransitionForm,
    CaseDecisionForm,
    CaseEscalateForm,
    CaseEvidenceForm,
    CasePolicyForm,
    CaseReplyForm,
    CommentForm,
    DeadlinesForm,
    InterviewMinutesForm,
    NoticeForm,
    PreferencesForm,
    TransitionForm,
    add_service_error,
)
from .models import Case, CasePolicy, NotificationPreference, ReviewDeadlines
from .selectors import (
    CATEGORIES,
    CATEGORY_LABELS,
    answers_cases,
    case_events,
    case_flags,
    case_queue,
    case_violations,
    decorate,
    letter_cases,
    letters_for,
    notification_sections,
    overdue_q,
    period_label,
    review_queue,
    watch_for,
)
from .services import (
    ALLOWED_MOVES,
    notifications_mark_seen,
    review_deadlines_update,
    violation_comment,
    violation_transition,
    violations_transition,
)


class ViolationListView(LoginRequiredMixin, QueryStringMixin, FilterView):
    """The queue: every flag of the viewer's units, filtered, sorted, paginated; bulk actions for reviewers."""

    template_name = "review/list.html"
    filterset_class = ViolationFilterSet
    paginate_by = 25
    sort_fields = {
        "occurred_on": "occurred_on",
        "first_seen": "first_seen",
        "last_seen": "last_seen",
        "severity": "severity_rank",
        "rule": "rule",
        "status": "status",
        "unit": "unit__path",
    }
    default_ordering = ["-is_overdue", "first_seen", "pk"]
    bulk_form = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_for(request.user).is_empty:
            raise PermissionDenied(_("You do not belong to any unit yet."))
        self.deadlines = ReviewDeadlines.current()
        self.today = timezone.localdate()
        return super().dispatch(request, *args, **kwargs)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "deadlines": self.deadlines, "today": self.today}

    def get_ordering(self):
        return ordering_from(self.request.GET.get("sort", ""), self.sort_fields, self.default_ordering)

    def get_queryset(self):
        return review_queue(self.request.user, deadlines=self.deadlines, today=self.today).order_by(
            *self.get_ordering()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = scope_for(user)
        context["rows"] = decorate(list(context["object_list"]), self.deadlines)
        for violation in context["rows"]:
            violation.can_review = scope.has_role_at(violation.unit, scoping.SUPERVISOR)
        context["overdue_total"] = self.object_list.order_by().aggregate(
            n=Count("pk", filter=overdue_q(self.deadlines, self.today))
        )["n"]
        context["sort"] = self.request.GET.get("sort", "")
        params = self.request.GET.copy()
        params.pop("sort", None)
        params.pop("page", None)
        context["sort_query"] = params.urlencode()
        context["can_review"] = scope_for(user).reviews_somewhere
        if context["can_review"]:
            context["bulk_form"] = self.bulk_form or BulkTransitionForm(user=user)
            context["selected"] = set(self.request.POST.getlist("violations"))
        context["can_set_deadlines"] = scope_for(user).sets_city_settings
        context["unit_options"] = Unit.objects.for_user(user).options()
        context["source_unit_options"] = RecordForm.source_unit_options()
        context.update(queue_tabs(user))
        return context

    def post(self, request, *args, **kwargs):
        """The bulk action: every selected flag moves, or none does and the page says why."""
        if not scope_for(request.user).reviews_somewhere:
            raise PermissionDenied(_("Only supervisors and admins can change a flag's status."))
        form = BulkTransitionForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                events = violations_transition(
                    violations=data["violations"],
                    user=request.user,
                    status=data["status"],
                    note=data["note"],
                    expires_on=data["expires_on"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
            else:
                count = len(events)
                messages.success(
                    request, ngettext("%(count)s flag updated.", "%(count)s flags updated.", count) % {"count": count}
                )
                return HttpResponseRedirect(request.get_full_path())
        self.bulk_form = form
        response = self.get(request, *args, **kwargs)
        response.status_code = 400
        return response


class ViolationDetailView(LoginRequiredMixin, View):
    """One flag: what it says, its record, its deadline, its timeline; the forms the viewer may use."""

    def get_violation(self, request, pk) -> Violation:
        deadlines = ReviewDeadlines.current()
        queryset = review_queue(request.user, deadlines=deadlines, today=timezone.localdate())
        violation = get_object_or_404(queryset, pk=pk)
        decorate([violation], deadlines)
        return violation

    def render(self, request, violation, *, transition_form=None, comment_form=None, status=200):
        can_review = scope_for(request.user).has_role_at(violation.unit, scoping.SUPERVISOR)
        if can_review and transition_form is None and ALLOWED_MOVES.get(violation.status):
            transition_form = TransitionForm(violation=violation)
        labels = dict(Violation.Status.choices)
        events = list(violation.events.select_related("actor"))
        for event in events:
            event.from_label, event.to_label = labels.get(event.from_status, ""), labels.get(event.to_status, "")
        context = {
            "violation": violation,
            "events": events,
            "can_review": can_review,
            "transition_form": transition_form if can_review else None,
            "comment_form": comment_form or CommentForm(),
        }
        return TemplateResponse(request, "review/detail.html", context, status=status)

    def get(self, request, pk):
        return self.render(request, self.get_violation(request, pk))

    def post(self, request, pk):
        violation = self.get_violation(request, pk)
        if request.POST.get("action") == "comment":
            form = CommentForm(request.POST)
            if form.is_valid():
                try:
                    violation_comment(violation=violation, user=request.user, note=form.cleaned_data["note"])
                except ValidationError as error:
                    add_service_error(form, error)
                else:
                    messages.success(request, _("Your explanation was added."))
                    return HttpResponseRedirect(reverse("review:violation_detail", args=[violation.pk]))
            return self.render(request, violation, comment_form=form, status=400)
        if not scope_for(request.user).has_role_at(violation.unit, scoping.SUPERVISOR):
            raise PermissionDenied(_("Only supervisors and admins of the flag's unit can change its status."))
        form = TransitionForm(request.POST, violation=violation)
        if form.is_valid():
            data = form.cleaned_data
            try:
                violation_transition(
                    violation=violation,
                    user=request.user,
                    status=data["status"],
                    note=data["note"],
                    expires_on=data["expires_on"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The flag is now %(status)s.") % {"status": violation.get_status_display()})
                return HttpResponseRedirect(reverse("review:violation_detail", args=[violation.pk]))
        return self.render(request, violation, transition_form=form, status=400)


def queue_tabs(user) -> dict:
    """What the queue's tabs need: whether the viewer answers for a unit cases may be against."""
    return {"answers_cases": answers_cases(user)}


class CaseListView(LoginRequiredMixin, QueryStringMixin, FilterView):
    """The queue's first tab: the cases of the viewer's units, heaviest first (severity x hours), filtered, paginated.

    ``?against=us`` keeps the cases against the viewer's own units: a department's
    "cases against us", which its staff answer.
    """

    template_name = "review/cases.html"
    filterset_class = CaseFilterSet
    paginate_by = 25

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_for(request.user).is_empty:
            raise PermissionDenied(_("You do not belong to any unit yet."))
        self.today = timezone.localdate()
        return super().dispatch(request, *args, **kwargs)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "today": self.today}

    def get_queryset(self):
        return case_queue(self.request.user).order_by("-weight", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        policy = CasePolicy.current()
        context["rows"] = list(context["object_list"])
        for case in context["rows"]:
            case.period_label = period_label(case.period, policy)
            case.may_circulate = may_circulate(user, case)
        # Reminded cases of the viewer's own may be chosen for one circulated notice.
        context["can_circulate"] = any(case.may_circulate for case in context["rows"])
        context["overdue_total"] = self.object_list.order_by().aggregate(
            n=Count("pk", filter=Q(status=Case.Status.OPEN, deadline__lt=self.today))
        )["n"]
        context["against_us"] = self.request.GET.get("against") == AGAINST_US
        context["can_set_policy"] = scope_for(self.request.user).sets_city_settings
        context["source_unit_options"] = RecordForm.source_unit_options()
        context.update(queue_tabs(user))
        return context


class CaseDetailView(LoginRequiredMixin, View):
    """One case: its facts, its evidence, its timeline and letters; the forms of what the viewer may do.

    Each action is its own form (``action``): the department replies; the supervisors
    of a burdened unit add evidence and may send the reminder; the owner's supervisors
    climb the ladder, resolve, waive or reopen. A role that may not act gets a 403; what the service refuses comes
    back on the form, with what was typed.
    """

    #: action -> the right it needs (see ``rights``) and the refusal of those without it.
    ACTIONS = {
        "reply": ("reply", gettext_lazy("Only the department the case is against can reply to it.")),
        "evidence": ("evidence", gettext_lazy("Only the supervisors of the case's units can add evidence.")),
        "escalate": (
            "escalate",
            gettext_lazy(
                "Only the supervisors of the unit that owns the case can escalate it; a burdened unit's may remind."
            ),
        ),
        "resolve": ("decide", gettext_lazy("Only the supervisors of the unit that owns the case can decide it.")),
        "waive": ("decide", gettext_lazy("Only the supervisors of the unit that owns the case can decide it.")),
        "reopen": ("decide", gettext_lazy("Only the supervisors of the unit that owns the case can decide it.")),
        "minutes": (
            "decide",
            gettext_lazy("Only the supervisors of the unit that owns the case can record its interview."),
        ),
    }
    #: The decisions, and the status each moves the case (and its flags) to.
    DECISIONS = {"resolve": Case.Status.RESOLVED, "waive": Case.Status.WAIVED, "reopen": Case.Status.OPEN}

    def get_case(self, request, pk) -> Case:
        return get_object_or_404(case_queue(request.user), pk=pk)

    def rights(self, request, case) -> dict:
        user = request.user
        decide = may_decide(user, case)
        evidence = decide or may_add_evidence(user, case)
        # A burdened unit's supervisors may send the first step, a reminder, in their own unit's name;
        # a case with no department has no one to write to.
        escalate = may_escalate(user, case)
        return {"reply": may_reply(user, case), "decide": decide, "evidence": evidence, "escalate": escalate}

    def available(self, case, rights) -> list[str]:
        """The actions the viewer may take on the case as it stands."""
        actions = []
        if rights["reply"] and case.is_active:
            actions.append("reply")
        if rights["evidence"]:
            actions.append("evidence")
        if rights["escalate"] and case.is_active and case.next_step:
            actions.append("escalate")
        if rights["decide"] and case.is_active:
            actions += ["resolve", "waive"]
        if rights["decide"] and case.status in (Case.Status.RESOLVED, Case.Status.WAIVED):
            actions.append("reopen")
        if rights["decide"] and case.step == Case.Step.INTERVIEW:
            actions.append("minutes")  # once held; recorded again, they are corrected
        return actions

    def form(self, action, case, data=None):
        if action == "reply":
            return CaseReplyForm(data, prefix="reply")
        if action == "evidence":
            return CaseEvidenceForm(data, prefix="evidence")
        if action == "escalate":
            return CaseEscalateForm(data, prefix="escalate", case=case)
        if action == "minutes":
            interview = case.letters.filter(step=Case.Step.INTERVIEW).order_by("-issued_on", "-pk").first()
            return InterviewMinutesForm(data, prefix="minutes", letter=interview)
        labels = {
            "resolve": (_("Note"), _("Optional: what shows the department rectified it.")),
            "waive": (_("Why the case is waived"), _("Required: why nothing needs rectifying.")),
            "reopen": (_("Why it is reopened"), None),
        }
        label, help_text = labels[action]
        return CaseDecisionForm(data, prefix=action, note_label=label, note_help=help_text)

    def render(self, request, case, *, rights=None, bound=None, status=200):
        rights = rights or self.rights(request, case)
        forms = {action: self.form(action, case) for action in self.available(case, rights)}
        forms.update(bound or {})
        flags = case_flags(case, request.user)
        context = {
            "case": case,
            "period_label": period_label(case.period, CasePolicy.current()),
            "flags": flags,
            # The single-flag list shows only the viewer's own units' flags (not a department's evidence).
            "opens_flags": any(flag.in_own_units for flag in flags),
            "flags_visible": case_violations(case, request.user).count(),
            "events": case_events(case),
            "letters": list(case.letters.select_related("issuing_unit").order_by("issued_on", "pk")),
            "forms": forms,
            "next_step_label": Case.Step(case.next_step).label if case.next_step else "",
            "severity_label": dict(Violation.Severity.choices).get(case.severity, case.severity),
        }
        return TemplateResponse(request, "review/case_detail.html", context, status=status)

    def get(self, request, pk):
        return self.render(request, self.get_case(request, pk))

    def post(self, request, pk):
        case = self.get_case(request, pk)
        rights = self.rights(request, case)
        action = request.POST.get("action", "")
        if action not in self.ACTIONS:
            return self.render(request, case, rights=rights, status=400)
        right, refusal = self.ACTIONS[action]
        if not rights[right]:
            raise PermissionDenied(refusal)
        form = self.form(action, case, request.POST)
        if form.is_valid():
            try:
                return self.act(request, action, case, form)
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
        return self.render(request, case, rights=rights, bound={action: form}, status=400)

    def act(self, request, action, case, form) -> HttpResponseRedirect:
        """Do ``action`` through its service and say so; where to go next (an issued letter opens to print)."""
        user, data = request.user, form.cleaned_data
        if action == "escalate":
            letter = case_escalate(case=case, user=user, note=data["note"], interview_on=data.get("interview_on"))
            addressee = case.source_unit or case.owner_unit
            messages.success(
                request,
                _("%(step)s issued: %(reference)s. Print it and send it to %(department)s.")
                % {"step": letter.get_step_display(), "reference": letter.reference, "department": addressee.label},
            )
            return HttpResponseRedirect(reverse("review:case_letter", args=[letter.pk]))
        if action == "reply":
            case_reply(case=case, user=user, note=form.cleaned_data["note"], measures=form.cleaned_data["measures"])
            messages.success(request, _("Your reply was sent to the unit that owns the case."))
        elif action == "evidence":
            case_add_evidence(case=case, user=user, note=data["note"])
            messages.success(request, _("Your evidence was added to the case."))
        elif action == "minutes":
            interview_minutes_record(case=case, user=user, held_on=data["held_on"], minutes=data["minutes"])
            messages.success(request, _("The interview's minutes were recorded; they print under its letter."))
        else:
            case_transition(case=case, user=user, status=self.DECISIONS[action], note=data["note"])
            messages.success(request, _("The case is now %(status)s.") % {"status": case.get_status_display()})
        return HttpResponseRedirect(reverse("review:case_detail", args=[case.pk]))


class NoticeView(LoginRequiredMixin, View):
    """One circulated notice (通报) over cases chosen in the queue: the page shows them and asks why, then issues it.

    The cases come as ``?case=<id>`` (repeated) from the queue's check boxes, read
    through the queue's gate (another unit's case is simply not there); those that
    cannot be circulated now are named with the reason and left out.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_for(request.user).is_empty:
            raise PermissionDenied(_("You do not belong to any unit yet."))
        return super().dispatch(request, *args, **kwargs)

    def chosen(self, request, source) -> tuple[list[Case], list[Case]]:
        ids = sorted({int(value) for value in source.getlist("case") if value.isdigit()})[: NOTICE_MAX_CASES * 2]
        cases = list(case_queue(request.user).filter(pk__in=ids).order_by("source_unit__path", "rule", "period", "pk"))
        policy = CasePolicy.current()
        for case in cases:
            case.period_label = period_label(case.period, policy)
        ready = [case for case in cases if may_circulate(request.user, case)]
        return ready, [case for case in cases if case not in ready]

    def render(self, request, ready, left_out, form, status=200):
        departments = {case.source_unit_id for case in ready}
        context = {
            "ready": ready,
            "left_out": left_out,
            "form": form,
            "departments": len(departments),
            "too_many": len(ready) > NOTICE_MAX_CASES,
            "limit": NOTICE_MAX_CASES,
        }
        return TemplateResponse(request, "review/notice.html", context, status=status)

    def get(self, request):
        ready, left_out = self.chosen(request, request.GET)
        return self.render(request, ready, left_out, NoticeForm())

    def post(self, request):
        ready, left_out = self.chosen(request, request.POST)
        form = NoticeForm(request.POST)
        if not ready:
            form.add_error(None, _("None of these cases can be circulated now."))
        elif form.is_valid():
            try:
                letter = notice_issue(cases=ready, user=request.user, note=form.cleaned_data["note"])
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(reference)s issued, naming %(count)s case. Print it and circulate it.",
                        "%(reference)s issued, naming %(count)s cases. Print it and circulate it.",
                        len(ready),
                    )
                    % {"reference": letter.reference, "count": len(ready)},
                )
                return HttpResponseRedirect(reverse("review:case_letter", args=[letter.pk]))
        return self.render(request, ready, left_out, form, status=400)


class CaseLetterView(LoginRequiredMixin, View):
    """A numbered letter of the ladder, printable, in the reader's language; only the cases the reader may see."""

    def get(self, request, pk):
        letter = get_object_or_404(letters_for(request.user), pk=pk)
        cases = letter_cases(letter, request.user)
        policy = CasePolicy.current()
        for case in cases:
            case.period_label = period_label(case.period, policy)
        departments = list({case.source_unit.pk: case.source_unit for case in cases if case.source_unit}.values())
        context = {
            "letter": letter,
            "cases": cases,
            "departments": departments,
            "addressee": list_separator().join(unit.label for unit in departments),
        }
        return TemplateResponse(request, "review/letter.html", context)


class NotificationListView(LoginRequiredMixin, View):
    """What is news about the viewer's cases, by category; "mark as seen" quiets the bell.

    ``?category=`` keeps one category and pages through all of it; without it each
    category shows its first few cases and links to the rest.
    """

    per_page = 25

    def get(self, request):
        category = request.GET.get("category")
        if category not in CATEGORIES:
            category = None
        watch = watch_for(request.user)
        notifications = notification_sections(watch, only=category, limit=0 if category else 5)
        page = None
        if category and notifications.sections:
            (section,) = notifications.sections
            page = Paginator(section.queryset, self.per_page).get_page(request.GET.get("page"))
            section.items = list(page)
        context = {
            "notifications": notifications,
            "sections": notifications.sections,
            "category": category,
            "categories": [(c, CATEGORY_LABELS[c]) for c in watch.categories],
            "page_obj": page,
            "query_string": f"category={category}" if category else "",
        }
        return TemplateResponse(request, "review/notifications.html", context)

    def post(self, request):
        notifications_mark_seen(user=request.user)
        messages.success(request, _("Marked as seen."))
        return HttpResponseRedirect(reverse("review:notification_list"))


class NotificationPreferencesView(LoginRequiredMixin, View):
    """Which notifications the viewer wants, the daily e-mail and its language."""

    def form(self, request, data=None):
        instance = NotificationPreference.objects.filter(user=request.user).first()
        if instance is None:
            instance = NotificationPreference(user=request.user, language=request.LANGUAGE_CODE)
        return PreferencesForm(data, instance=instance)

    def get(self, request):
        return TemplateResponse(request, "review/preferences.html", {"form": self.form(request)})

    def post(self, request):
        form = self.form(request, request.POST)
        if not form.is_valid():
            return TemplateResponse(request, "review/preferences.html", {"form": form}, status=400)
        form.save()
        messages.success(request, _("Your notification preferences were saved."))
        return HttpResponseRedirect(reverse("review:notification_list"))


class CitySettingsView(LoginRequiredMixin, View):
    """A one-row, city-wide setting for city-wide admins: its form, its service, its audited history.

    Subclasses name the ``model`` (with ``current()`` and a history), the ``form_class``
    (with a ``reason`` field), the ``service`` (keyword arguments: ``user`` and the
    form's cleaned data; it returns None when nothing changed), the template, the URL
    name and the messages.
    """

    model = None
    form_class = None
    service = None
    template_name = ""
    url_name = ""
    refused = ""
    saved = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope_for(request.user).sets_city_settings:
            raise PermissionDenied(self.refused)
        return super().dispatch(request, *args, **kwargs)

    def render(self, request, form, status=200):
        history = self.model.history.select_related("history_user").order_by("-history_date")[:20]
        return TemplateResponse(request, self.template_name, {"form": form, "history": history}, status=status)

    def get(self, request):
        return self.render(request, self.form_class(instance=self.model.current()))

    def post(self, request):
        form = self.form_class(request.POST, instance=self.model.current())
        if form.is_valid():
            try:
                row = type(self).service(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if row is None:
                    messages.info(request, _("Nothing changed."))
                else:
                    messages.success(request, self.saved)
                return HttpResponseRedirect(reverse(self.url_name))
        return self.render(request, form, status=400)


class DeadlineSettingsView(CitySettingsView):
    """Days to resolve a flag of each severity; every change audited."""

    model, form_class, service = ReviewDeadlines, DeadlinesForm, review_deadlines_update
    template_name, url_name = "review/deadlines.html", "review:deadline_settings"
    refused = gettext_lazy("Only city-wide administrators can change the review deadlines.")
    saved = gettext_lazy("Saved. Every flag's deadline follows the new days at once.")


class CasePolicySettingsView(CitySettingsView):
    """How flags are gathered into cases and the days of each step of the ladder; every change audited."""

    model, form_class, service = CasePolicy, CasePolicyForm, case_policy_update
    template_name, url_name = "review/case_policy.html", "review:case_policy_settings"
    refused = gettext_lazy("Only city-wide administrators can change how cases are gathered.")
    saved = gettext_lazy("Saved. Cases opened and letters issued from now on follow it.")
