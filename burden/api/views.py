"""Endpoints for sign-in, units, people, rules, violations and the burden summary."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from burden import filters, login_guard, scoping
from burden.api import strict
from burden.api.throttling import ScopedRateThrottle
from burden.auth_models import ApiToken
from burden.models import Membership, RuleSetting, Unit, User, Violation, ViolationRecord
from burden.record_filters import UnitFilterMethods
from burden.rules import all_rules, get_rule
from burden.rules.engine import rule_state
from burden.rules.services import rule_update, rule_version
from burden.scoping import people_managed_by, scope_for
from burden.services import (
    membership_delete,
    membership_save,
    owned_object_delete,
    owned_object_save,
    unit_delete,
    unit_save,
    user_delete,
    user_save,
)
from burden.tokens import api_token_issue, api_tokens_end

from . import versions
from .serializers import (
    RECORD_KINDS,
    MembershipSerializer,
    RuleSerializer,
    RuleUpdateSerializer,
    TransitionSerializer,
    UnitSerializer,
    UserSerializer,
    ViolationEventSerializer,
    ViolationSerializer,
    rule_codes,
)
from .summary import SummaryQuerySerializer, SummarySerializer, burden_summary

# --- Sign-in -------------------------------------------------------------------------


class TokenRequestSerializer(strict.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)
    device = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_("A name for the device or system the token is for; signing in again from it replaces its token."),
    )


class TokenView(APIView):
    """Trade a username and password for a new API token (``Authorization: Token <token>``).

    Behind the same pause after failed sign-ins as the sign-in pages. Each call issues a
    token of its own (stored only as a digest), valid for ``API_TOKEN_TTL_HOURS``.
    """

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "Token", fields={"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
            )
        },
        auth=[],
    )
    def post(self, request):
        given = TokenRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            user = login_guard.authenticate(
                request, username=data["username"], password=data["password"], door=login_guard.Door.API
            )
        except login_guard.SignInPaused as paused:
            raise exceptions.Throttled(detail=str(paused.message)) from None
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to sign in with this username and password.")]}
            )
        token, key = api_token_issue(user=user, device=data.get("device", ""), request=request)
        return Response({"token": key, "expiry": serializers.DateTimeField().to_representation(token.expiry)})


class TokenRevokeView(APIView):
    """Revoke the token the request was made with (sign out one device).

    From a browser session, which has no token of its own, every token of the person is revoked.
    """

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if isinstance(request.auth, ApiToken):
            request.auth.delete()
        else:
            api_tokens_end(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenSerializer(serializers.ModelSerializer):
    key = serializers.CharField(source="token_key", read_only=True, help_text=_("The token's first characters."))
    client = serializers.CharField(source="user_agent", read_only=True)
    current = serializers.SerializerMethodField(help_text=_("Whether this request was made with this token."))

    class Meta:
        model = ApiToken
        fields = ["key", "device", "client", "address", "created", "expiry", "current"]
        read_only_fields = fields

    def get_current(self, token) -> bool:
        used = self.context["request"].auth
        return isinstance(used, ApiToken) and used.digest == token.digest


class TokenListView(APIView):
    """The caller's own live API tokens, one per device (the tokens themselves are never shown again)."""

    @extend_schema(responses={200: ApiTokenSerializer(many=True)})
    def get(self, request):
        tokens = ApiToken.objects.filter(user=request.user, expiry__gt=timezone.now()).order_by("-created")
        return Response(ApiTokenSerializer(tokens, many=True, context={"request": request}).data)


class TokenDetailView(APIView):
    """Revoke one of the caller's own tokens by its ``key`` (e.g. a lost device's)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, key):
        # A key names a token of this caller only: another person's is a 404, like a wrong one.
        deleted, _by_model = ApiToken.objects.filter(user=request.user, token_key=key).delete()
        if not deleted:
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Units and people ----------------------------------------------------------------------


class IsAdminForWrites(permissions.BasePermission):
    """Reads follow the scoping gate; writes need an admin role over the object's unit."""

    message = _("Only admins may change this.")

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or scope_for(request.user).is_admin_somewhere

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return scope_for(request.user).has_role_at(view.unit_of(obj), scoping.ADMIN)


class IsAdmin(permissions.BasePermission):
    message = _("Only admins may manage people and their roles.")

    def has_permission(self, request, view):
        return scope_for(request.user).is_admin_somewhere


class ServiceWrites:
    """``perform_*`` that turn a service's ``PermissionDenied`` into a 403."""

    def run(self, function, **kwargs):
        try:
            with transaction.atomic():
                return function(**kwargs)
        except DjangoPermissionDenied as refused:
            raise exceptions.PermissionDenied(*refused.args) from None  # keeps a service's reason, if it gave one


class OwnedListViewSet(ServiceWrites, viewsets.ModelViewSet):
    """A shared list owned by units (catalogue, inspection plans): everyone reads; owners' admins write."""

    owner_field = ""
    permission_classes = [permissions.IsAuthenticated, IsAdminForWrites]

    def unit_of(self, obj):
        return getattr(obj, self.owner_field)

    def perform_create(self, serializer):
        instance = serializer.Meta.model(**serializer.validated_data)
        serializer.instance = self.run(
            owned_object_save, instance=instance, owner_field=self.owner_field, user=self.request.user
        )

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        self.run(owned_object_save, instance=instance, owner_field=self.owner_field, user=self.request.user)

    def perform_destroy(self, instance):
        self.run(owned_object_delete, instance=instance, owner_field=self.owner_field, user=self.request.user)


class UnitFilterSet(filters.UnitFilterSet):
    """The unit list's filters (search, within a unit, level, grassroots), and the parent's code."""

    parent = django_filters.CharFilter(field_name="parent__code", label=_("Parent unit (code)"))

    class Meta(filters.UnitFilterSet.Meta):
        fields = [*filters.UnitFilterSet.Meta.fields, "parent"]


class UnitViewSet(versions.ETagMixin, ServiceWrites, viewsets.ModelViewSet):
    """The units the caller may see; admins create and change units in their subtree."""

    serializer_class = UnitSerializer
    permission_classes = [permissions.IsAuthenticated, IsAdminForWrites]
    filterset_class = UnitFilterSet
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    queryset = Unit.objects.none()

    def get_queryset(self):
        return Unit.objects.for_user(self.request.user).select_related("parent").order_by("path")

    @staticmethod
    def unit_of(unit):
        return unit

    def perform_create(self, serializer):
        data = {name: value for name, value in serializer.validated_data.items() if name != "version"}
        serializer.instance = self.run(unit_save, unit=Unit(**data), user=self.request.user)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected, conflict = versions.expected_version(self.request, data.pop("version", None))
        unit = serializer.instance
        for name, value in data.items():
            setattr(unit, name, value)
        with versions.stale_as(conflict):
            self.run(unit_save, unit=unit, user=self.request.user, expected_version=expected)

    def perform_destroy(self, instance):
        self.run(unit_delete, unit=instance, user=self.request.user)


class UserViewSet(versions.ETagMixin, ServiceWrites, viewsets.ModelViewSet):
    """People, for admins: those whose every seat lies in the caller's admin subtrees.

    Anyone else is a 404, as if they did not exist (``people_managed_by``). Looked up
    by username (the key memberships use); a number that is nobody's username is
    taken as the person's id, for systems that keep ids.
    """

    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated, IsAdmin]
    lookup_field = "username"
    lookup_value_regex = "[^/]+"
    filterset_fields = ["is_active"]
    queryset = User.objects.none()

    def get_queryset(self):
        return people_managed_by(self.request.user).order_by("username")

    def get_object(self):
        key = self.kwargs[self.lookup_field]
        people = self.get_queryset()
        person = people.filter(username=key).first()
        if person is None and key.isdigit():
            person = people.filter(pk=int(key)).first()
        if person is None:
            raise Http404
        self.check_object_permissions(self.request, person)
        return person

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        password = data.pop("password", None)
        data.pop("version", None)  # a new person starts at 1
        person = serializer.Meta.model(**data)
        serializer.instance = self.run(user_save, person=person, password=password, user=self.request.user)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        password = data.pop("password", None)
        expected, conflict = versions.expected_version(self.request, data.pop("version", None))
        person = serializer.instance
        for name, value in data.items():
            setattr(person, name, value)
        with versions.stale_as(conflict):
            self.run(user_save, person=person, password=password, user=self.request.user, expected_version=expected)

    def perform_destroy(self, instance):
        self.run(user_delete, person=instance, user=self.request.user)


class MembershipFilterSet(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="user__username")
    unit = django_filters.CharFilter(field_name="unit__code")
    role = django_filters.ChoiceFilter(choices=Membership.Role.choices)

    class Meta:
        model = Membership
        fields = ["user", "unit", "role"]


class MembershipViewSet(ServiceWrites, viewsets.ModelViewSet):
    """Who has which role where: seats in the caller's admin subtrees, of people the caller manages."""

    serializer_class = MembershipSerializer
    permission_classes = [permissions.IsAuthenticated, IsAdmin]
    filterset_class = MembershipFilterSet
    queryset = Membership.objects.none()

    def get_queryset(self):
        return (
            Membership.objects.for_user(self.request.user, min_role=scoping.ADMIN)
            .filter(user__in=people_managed_by(self.request.user))
            .select_related("user", "unit")
            .order_by("unit__path", "user__username")
        )

    def perform_create(self, serializer):
        membership = Membership(**serializer.validated_data)
        serializer.instance = self.run(membership_save, membership=membership, user=self.request.user)

    def perform_update(self, serializer):
        membership = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(membership, name, value)
        self.run(membership_save, membership=membership, user=self.request.user)

    def perform_destroy(self, instance):
        self.run(membership_delete, membership=instance, user=self.request.user)


# --- Rules and violations ----------------------------------------------------------------


class RuleViewSet(versions.ETagMixin, viewsets.GenericViewSet):
    """Every rule with its current thresholds; admins of the whole city change them."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    serializer_class = RuleSerializer
    filter_backends = []
    queryset = RuleSetting.objects.none()  # the rules live in code; this only names the model for the schema

    def states(self):
        settings_by_code = {setting.rule: setting for setting in RuleSetting.objects.all()}
        return [
            (rule, *rule_state(rule, settings_by_code), getattr(settings_by_code.get(rule.code), "version", 1))
            for rule in all_rules()
        ]

    def get_rule(self, code):
        try:
            return get_rule(code)
        except KeyError:
            raise Http404 from None

    def list(self, request):
        page = self.paginate_queryset(self.states())
        return self.get_paginated_response(RuleSerializer(page, many=True).data)

    @extend_schema(responses=RuleSerializer)
    def retrieve(self, request, code=None):
        rule = self.get_rule(code)
        return Response(RuleSerializer((rule, *rule_state(rule), rule_version(rule.code))).data)

    @extend_schema(request=RuleUpdateSerializer, responses=RuleSerializer)
    def partial_update(self, request, code=None):
        """Change thresholds or switch the rule on or off; what it covers is re-evaluated."""
        rule = self.get_rule(code)
        if not scope_for(request.user).sets_city_settings:
            raise exceptions.PermissionDenied(_("Only admins of the whole city may change thresholds."))
        given = RuleUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        enabled, params = rule_state(rule)
        changes = given.validated_data.get("params", {})
        try:
            params = rule.clean_params({**params, **changes})
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"params": error.message_dict}) from None
        enabled = given.validated_data.get("enabled", enabled)
        expected, conflict = versions.expected_version(request, given.validated_data.get("version"))
        with versions.stale_as(conflict):
            rule_update(
                rule=rule,
                enabled=enabled,
                params=params,
                reason=given.validated_data["reason"],
                user=request.user,
                expected_version=expected,
            )
        return Response(RuleSerializer((rule, *rule_state(rule), rule_version(rule.code))).data)


class ViolationFilterSet(UnitFilterMethods, django_filters.FilterSet):
    unit = django_filters.CharFilter(method="filter_unit", label=_("Unit (code, with the units below it)"))
    source_unit = django_filters.CharFilter(method="filter_source_unit", label=_("Source unit (code)"))
    rule = django_filters.ChoiceFilter(choices=rule_codes)
    status = django_filters.MultipleChoiceFilter(choices=Violation.Status.choices)
    severity = django_filters.ChoiceFilter(choices=Violation.Severity.choices)
    record_kind = django_filters.ChoiceFilter(choices=RECORD_KINDS)
    record_id = django_filters.NumberFilter(
        min_value=0, method="filter_record_id", label=_("Record (id; matches the records behind a group too)")
    )
    occurred_from = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", label=_("Occurred on or after (the burden's date)")
    )
    occurred_to = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="lte", label=_("Occurred on or before (the burden's date)")
    )

    class Meta:
        model = Violation
        fields = [
            "unit",
            "source_unit",
            "rule",
            "status",
            "severity",
            "record_kind",
            "record_id",
            "occurred_from",
            "occurred_to",
        ]

    def filter_record_id(self, queryset, name, value):
        """The violations the record takes part in: its own, and the groups that list it."""
        kind = self.form.cleaned_data.get("record_kind")
        if kind:
            return queryset.touching(kind, value)
        behind = ViolationRecord.objects.filter(violation=OuterRef("pk"), record_id=value)
        return queryset.filter(Q(record_id=value) | Exists(behind))


class ViolationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Flags on the caller's units; supervisors and admins move them along."""

    serializer_class = ViolationSerializer
    filterset_class = ViolationFilterSet
    queryset = Violation.objects.none()

    def get_queryset(self):
        return (
            Violation.objects.for_user(self.request.user)
            .select_related("unit", "source_unit")
            .prefetch_related("members")
            .order_by("-pk")
        )

    @extend_schema(request=TransitionSerializer, responses=ViolationSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Acknowledge, resolve, waive (a note is required) or reopen a violation."""
        from burden.review.services import violation_transition

        violation = self.get_object()
        given = TransitionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with transaction.atomic():
            violation_transition(violation=violation, user=request.user, **given.validated_data)
        violation.refresh_from_db()
        return Response(ViolationSerializer(violation, context=self.get_serializer_context()).data)

    @extend_schema(responses=ViolationEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        """The violation's timeline: every status change and comment, oldest first."""
        violation = self.get_object()
        events = violation.events.select_related("actor").order_by("at", "pk")
        return Response(ViolationEventSerializer(events, many=True).data)


# --- Burden ----------------------------------------------------------------------------------


class BurdenSummaryView(APIView):
    """Hours borne by a unit and its subtree in a period: in all, by kind, by month and by source."""

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.STR, description="Unit code; all of the caller's units if left out."),
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (inclusive)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (inclusive)."),
        ],
        responses={200: SummarySerializer, 400: OpenApiResponse(description="Invalid input.")},
    )
    def get(self, request):
        blank = [name for name in ("from", "to") if request.query_params.get(name) == ""]
        if blank:
            raise exceptions.ValidationError({name: [_("Enter a date.")] for name in blank})
        given = SummaryQuerySerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        code = given.validated_data.get("unit")
        unit = None
        if code:
            unit = Unit.objects.for_user(request.user).filter(code=code).first()
            if unit is None:
                raise Http404
        summary = burden_summary(
            user=request.user,
            unit=unit,
            date_from=given.validated_data.get("from"),
            date_to=given.validated_data.get("to"),
        )
        return Response(SummarySerializer(summary).data)
