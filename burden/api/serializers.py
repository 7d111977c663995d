"""Serializers for units, people, rules and violations (records have theirs in each app's ``api.py``)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from burden import scoping
from burden.api import strict
from burden.models import Membership, Unit, User, Violation
from burden.records.registry import kinds
from burden.rules import all_rules
from burden.rules.base import Source
from burden.scoping import people_managed_by

from .fields import UnitCodeField
from .versions import version_serializer_field

# The registered kinds, and ``unit`` (the flags of rules that read a unit, not a record).
RECORD_KINDS = [(kind.code, capfirst(kind.label)) for kind in kinds()] + [("unit", _("Unit"))]


class UnitParentField(UnitCodeField):
    """The unit above: one the caller administers, or the one the unit already has.

    The top of an admin's subtree sits under a unit they do not administer; a PUT
    that sends that parent back unchanged is no move (``unit_save`` checks moves).
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        instance = getattr(self.parent, "instance", None)
        if isinstance(instance, Unit) and instance.parent_id is not None:
            queryset = queryset | Unit.objects.filter(pk=instance.parent_id)
        return queryset


class UnitSerializer(strict.ModelSerializer):
    version = version_serializer_field()
    parent = UnitParentField(
        min_role=scoping.ADMIN,
        required=False,
        allow_null=True,
        help_text=_("Code of the unit above; only a superuser may create a unit without one."),
    )

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "name_en",
            "parent",
            "level",
            "headcount",
            "is_grassroots",
            "path",
            "depth",
            "version",
        ]
        read_only_fields = ["path", "depth"]

    def validate(self, attrs):
        user = self.context["request"].user
        parent = attrs.get("parent", self.instance.parent if self.instance else None)
        if parent is None and not user.is_superuser:
            raise serializers.ValidationError({"parent": [_("Choose the unit this one sits under.")]})
        return attrs


class UserSerializer(strict.ModelSerializer):
    version = version_serializer_field()
    password = serializers.CharField(
        write_only=True,
        required=False,
        style={"input_type": "password"},
        help_text=_("Checked against the password rules; leave out to create a person who cannot sign in yet."),
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "password",
            "email",
            "first_name",
            "last_name",
            "is_active",
            "date_joined",
            "version",
        ]
        read_only_fields = ["id", "date_joined"]

    def validate(self, attrs):
        password = attrs.get("password")
        if password is not None:
            candidate = User(**{k: v for k, v in attrs.items() if k != "password"})
            if self.instance is not None:
                candidate.pk = self.instance.pk
                candidate.username = attrs.get("username", self.instance.username)
            try:
                validate_password(password, candidate)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"password": error.messages}) from None
        return attrs


class UsernameField(serializers.SlugRelatedField):
    """A person by username, among the people the caller manages (anyone else reads as unknown)."""

    default_error_messages = {"does_not_exist": _("No person with the username “{value}” that you manage.")}

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", queryset=User.objects.all(), **kwargs)

    def get_queryset(self):
        return people_managed_by(self.context["request"].user)


class MembershipSerializer(strict.ModelSerializer):
    user = UsernameField()
    unit = UnitCodeField(min_role=scoping.ADMIN)

    class Meta:
        model = Membership
        fields = ["id", "user", "unit", "role", "created_at"]
        read_only_fields = ["id", "created_at"]


class RuleSerializer(strict.Serializer):
    """A rule as the API shows it; built from the registry and the admins' settings."""

    code = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    clause = serializers.CharField(read_only=True)
    source = serializers.ChoiceField(
        choices=Source.choices, read_only=True, help_text=_("The instrument whose clause the rule enforces.")
    )
    citation = serializers.CharField(
        read_only=True, help_text=_("The instrument and clause, short, in the reader's language.")
    )
    record_kind = serializers.CharField(read_only=True)
    severity = serializers.ChoiceField(choices=Violation.Severity.choices, read_only=True)
    enabled = serializers.BooleanField(read_only=True)
    params = serializers.DictField(read_only=True)
    param_schema = serializers.DictField(read_only=True)
    version = serializers.IntegerField(read_only=True, help_text=_("Of the rule's setting; send it back to PATCH."))

    def to_representation(self, state):
        rule, enabled, params, version = state
        return {
            "code": rule.code,
            "title": str(rule.title),
            "description": str(rule.description),
            "clause": str(rule.clause),  # a part's number or a passage's name, in the reader's language
            "source": rule.source,
            "citation": rule.citation,
            "record_kind": rule.record_kind,
            "severity": rule.severity,
            "enabled": enabled,
            "params": params,
            "param_schema": {
                "type": "object",
                "properties": {param.name: param.schema() for param in rule.params},
                "additionalProperties": False,
            },
            "version": version,
        }


class RuleUpdateSerializer(strict.Serializer):
    params = serializers.DictField(
        required=False, help_text=_("Only the parameters to change; the others keep their values.")
    )
    enabled = serializers.BooleanField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    version = version_serializer_field()


def rule_codes():
    return [(rule.code, rule.code) for rule in all_rules()]


class RecordRefSerializer(strict.Serializer):
    """One record behind a violation, by its kind and id."""

    record_kind = serializers.ChoiceField(choices=RECORD_KINDS)
    record_id = serializers.IntegerField()


class ViolationSerializer(strict.ModelSerializer):
    unit = UnitCodeField(read_only=True)
    source_unit = UnitCodeField(read_only=True, allow_null=True)
    record_kind = serializers.ChoiceField(choices=RECORD_KINDS, read_only=True)
    message = serializers.CharField(read_only=True, help_text=_("In the language the request asked for."))
    rule_title = serializers.CharField(read_only=True)
    details = serializers.DictField(read_only=True)
    records = serializers.SerializerMethodField(
        help_text=_("The records behind it: the one record, or every record of the group an aggregate rule judged.")
    )

    @extend_schema_field(RecordRefSerializer(many=True))
    def get_records(self, violation) -> list[dict]:
        # ``members`` is prefetched by the list; a record rule's violation has none.
        members = sorted(violation.members.all(), key=lambda member: member.record_id)
        if not members:
            return [{"record_kind": violation.record_kind, "record_id": violation.record_id}]
        return [{"record_kind": member.record_kind, "record_id": member.record_id} for member in members]

    class Meta:
        model = Violation
        fields = [
            "id",
            "rule",
            "rule_title",
            "record_kind",
            "record_id",
            "unit",
            "source_unit",
            "severity",
            "status",
            "message",
            "details",
            "occurred_on",
            "records",
            "case",
            "first_seen",
            "last_seen",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "occurred_on": {
                "help_text": _(
                    "The burden's date: the record's date, or the day, quarter or year of the group a rule judged."
                )
            },
            "case": {"help_text": _("The case the flag is gathered into, if any.")},
        }


class ViolationEventSerializer(strict.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.SerializerMethodField()
    note = serializers.CharField()
    at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event) -> str | None:
        return event.actor.username if event.actor_id else None


class TransitionSerializer(strict.Serializer):
    status = serializers.ChoiceField(choices=Violation.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    expires_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("For a waiver: the day it lapses and the flag reopens.")
    )
