"""The forms of the rule's page: the city's thresholds, and a unit's own."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import scoping
from ..concurrency import version_field
from ..models import Unit
from ..record_forms import UnitCodeField


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
