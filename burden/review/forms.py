"""Forms of the review pages. They collect input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import Violation
from ..record_forms import DatePicker
from .models import CasePolicy, NotificationPreference, ReviewDeadlines
from .services import ALLOWED_MOVES

Status = Violation.Status

#: The verb for each status a person may move a flag to.
ACTIONS = {
    Status.ACKNOWLEDGED: _("Acknowledge"),
    Status.RESOLVED: _("Resolve"),
    Status.WAIVED: _("Waive"),
    Status.OPEN: _("Reopen"),
}


class _TransitionFields(forms.Form):
    status = forms.ChoiceField(label=_("Action"), choices=list(ACTIONS.items()))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a waiver: why the flag does not need fixing."),
    )
    expires_on = forms.DateField(
        label=_("Waiver expires on"),
        required=False,
        widget=DatePicker(),
        help_text=_("Optional: the flag opens again on that day."),
    )


class TransitionForm(_TransitionFields):
    """One flag's next status, offering only the moves allowed from where it is."""

    def __init__(self, *args, violation: Violation, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_MOVES.get(violation.status, frozenset())
        self.fields["status"].choices = [(status, label) for status, label in ACTIONS.items() if status in allowed]


class BulkTransitionForm(_TransitionFields):
    """The queue's checkboxes, one action, one note and an optional waiver expiry."""

    violations = forms.ModelMultipleChoiceField(
        queryset=Violation.objects.none(),
        error_messages={
            "required": _("Select at least one flag."),
            "invalid_choice": _("A selected flag is not in your units."),
            "invalid_pk_value": _("A selected flag is not in your units."),
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["violations"].queryset = Violation.objects.for_user(user).order_by()


class CommentForm(forms.Form):
    note = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the flag arose, or what was done about it. The status does not change."),
    )


def add_service_error(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form: field errors on their fields, the rest above them."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return
    messages = error.messages if isinstance(error, ValidationError) else [str(error)]
    form.add_error(None, messages)


class DeadlinesForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = ReviewDeadlines
        fields = ["days_high", "days_medium", "days_low"]


class CasePolicyForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = CasePolicy
        fields = ["period", "by_rule", "reply_days", "reminder_days", "notice_days", "interview_days"]


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = [
            "notify_new_flags",
            "notify_overdue",
            "notify_deadlines",
            "notify_expiring_waivers",
            "email_digest",
            "language",
        ]


# --- Cases ------------------------------------------------------------------------------


class CaseReplyForm(forms.Form):
    """The department's rectification reply (整改说明): what it found, and the measures it took."""

    note = forms.CharField(
        label=_("Rectification note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What your unit found when it looked into these flags, and what it changed."),
    )
    measures = forms.CharField(
        label=_("Measures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: the standing measures that keep it from happening again."),
    )


class CaseEvidenceForm(forms.Form):
    note = forms.CharField(
        label=_("Evidence or comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you saw in your units: more records, what people told you. The status does not change."),
    )


class CaseEscalateForm(forms.Form):
    """One step up the ladder; the interview's date is asked for only when the next step is the interview."""

    note = forms.CharField(
        label=_("Why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Printed on the letter."),
    )
    interview_on = forms.DateField(label=_("Interview on"), required=False, widget=DatePicker())

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        if case.next_step != case.Step.INTERVIEW:
            del self.fields["interview_on"]


class CaseDecisionForm(forms.Form):
    """Accept the rectification, waive the case or reopen it; the status comes from the button's form."""

    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, note_label=None, note_help=None, **kwargs):
        super().__init__(*args, **kwargs)
        if note_label is not None:
            self.fields["note"].label = note_label
        if note_help is not None:
            self.fields["note"].help_text = note_help


class InterviewMinutesForm(forms.Form):
    """The interview's minutes (约谈记录), once it is held: when, and what was said and agreed."""

    held_on = forms.DateField(label=_("Held on"), widget=DatePicker())
    minutes = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who attended, what the department explained, what it undertook to do and by when."),
    )

    def __init__(self, *args, letter=None, **kwargs):
        super().__init__(*args, **kwargs)
        if letter is not None and letter.minutes and not self.is_bound:
            self.initial = {"held_on": letter.held_on, "minutes": letter.minutes}


class NoticeForm(forms.Form):
    """One circulated notice over the chosen cases: why, printed on it."""

    note = forms.CharField(
        label=_("Why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed on the notice, above the cases it names."),
    )
