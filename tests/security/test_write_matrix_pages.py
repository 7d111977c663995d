"""Every page that writes, for every persona, on an object in each place: who may, and that it did.

``WRITES`` has a row per writing page (and per action of a page that does several):
the outcome each persona must get in each place (see ``tests/security/conftest.py``
for the places and who they belong to). An allowed write must answer as a success
*and* have written; a refused one must leave every table as it was. A test walks the
URL configuration and fails when a page is neither a write here nor a read that
refuses a POST, so a new writing page cannot ship without its row. Another walk posts
to every writing page without a CSRF token and expects a refusal.

Outcomes: ``OK`` (the write happened), ``LOGIN`` (sent to sign in), ``FORBIDDEN``
(the role may not act), ``NOT_FOUND`` (outside one's units, like a missing object),
``INVALID`` (the form comes back with an error: a unit one may not choose is refused
the same way as one that does not exist), ``REFUSED`` (an upload accepted whose job
then refuses every row).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from burden.ledger.exporter import csv_response
from burden.models import ImportJob, RuleOverride, RuleSetting, Violation, ViolationEvent
from burden.record_views import record_configs
from tests.conftest import PASSWORD

from .conftest import PERSONAS, RULE, RULE_PARAM, case_at_step, case_interviewed, row, write_matrix_counts

OK, LOGIN, FORBIDDEN, NOT_FOUND, INVALID, REFUSED = "ok", "login", "forbidden", "not found", "invalid", "refused"
STATUSES = {FORBIDDEN: {403}, NOT_FOUND: {404}, INVALID: {200, 400}, REFUSED: {302}}
#: What an accepted upload leaves even when its job refuses every row: the job and its report.
REFUSED_LEAVES = {"burden.importjob"}
CHANGED = "changed by the write matrix"

pytestmark = pytest.mark.usefixtures("write_matrix")


@dataclass
class Case:
    """What a row's functions get: the world, the place (or None), the persona and, after the request, its answer."""

    world: object
    place: object
    persona: str
    client: Client
    response: object = None

    @property
    def user(self):
        return self.world.user(self.persona)

    @property
    def unit(self):
        return self.place.unit


@dataclass
class Write:
    id: str
    name: str
    #: place code (or None for a page with no object) -> outcome per persona
    expect: dict
    args: Callable[[Case], list] = lambda case: []
    data: Callable[[Case], dict] = lambda case: {}
    #: Whether the write has happened (read from the database, or the answer).
    done: Callable[[Case], bool] = lambda case: False
    ok_status: int = 302
    query: Callable[[Case], str] = lambda case: ""
    settings: dict = field(default_factory=dict)
    #: Run what the request queued for after its commit (an import's job, a report's).
    on_commit: bool = False


def by_place(a, s1, c) -> dict:
    return {"A": a, "S1": s1, "C": c}


# Who has any role over an object's unit (own unit or above it).
SEES = by_place(
    row(LOGIN, NOT_FOUND, OK, NOT_FOUND, OK, OK, OK, OK),
    row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK),
    row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK),
)
# Picking the place's unit in a form: people with no unit have no form at all.
PICKS = by_place(
    row(LOGIN, FORBIDDEN, OK, INVALID, OK, OK, OK, OK),
    row(LOGIN, FORBIDDEN, INVALID, INVALID, OK, OK, OK, OK),
    row(LOGIN, FORBIDDEN, INVALID, INVALID, INVALID, INVALID, OK, OK),
)
# Objects only admins of the unit reach (deleted records, targets, overrides to remove).
ADMINS_OF = by_place(
    row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK),
    row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK),
    row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK),
)
# An admin picks one of their units in a form; everyone else may not set it at all.
ADMIN_PICKS = by_place(
    row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK),
    row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK),
    row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, INVALID, OK, OK),
)
# City-wide settings: superusers and admins of the top unit.
CITY_WIDE = {None: row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)}
SIGNED_IN = {None: row(LOGIN, OK, OK, OK, OK, OK, OK, OK)}
EVERYONE = {None: row(OK, OK, OK, OK, OK, OK, OK, OK)}


# --- Records: the five kinds share their pages -------------------------------------------


def _model(kind):
    return next(c.model for c in record_configs() if c.model.record_kind == kind)


def _config(kind):
    return next(c for c in record_configs() if c.model.record_kind == kind)


def _record(case, kind):
    return _model(kind).objects.filter(pk=case.place.records[kind]).first()


def _posted(case, kind, **changes):
    return {**case.place.form_data[kind], "notes": CHANGED, **changes}


def _import_file(case, kind) -> SimpleUploadedFile:
    """The place's record as its own export gives it, with the notes changed: importing it updates the record."""
    config, model = _config(kind), _model(kind)
    with translation.override("en"):
        response = csv_response(config, model.objects.filter(pk=case.place.records[kind]))
        content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    notes = next(i for i, header in enumerate(rows[0]) if "notes" in header.lower())
    rows[1][notes] = CHANGED
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("ledger.csv", buffer.getvalue().encode("utf-8"), content_type="text/csv")


def record_writes(kind: str) -> list[Write]:
    model = _model(kind)
    app, name = model._meta.app_label, model._meta.model_name
    return [
        Write(
            f"{kind}-create",
            f"{app}:{name}_create",
            PICKS,
            # A copy of the place's record: the person confirms it is another one (burden.record_forms.CONFIRM).
            data=lambda case: _posted(case, kind, unit=case.unit.pk, external_id="", confirm_warnings="1"),
            done=lambda case: model.objects.filter(unit=case.unit, notes=CHANGED).exists(),
        ),
        Write(
            f"{kind}-update",
            f"{app}:{name}_update",
            SEES,
            args=lambda case: [case.place.records[kind]],
            data=lambda case: _posted(case, kind),
            done=lambda case: _record(case, kind).notes == CHANGED,
        ),
        Write(
            f"{kind}-update-into-C",
            f"{app}:{name}_update",
            {"A": row(LOGIN, NOT_FOUND, INVALID, NOT_FOUND, INVALID, INVALID, OK, OK)},
            args=lambda case: [case.place.records[kind]],
            data=lambda case: _posted(case, kind, unit=case.world.units["C"].pk),
            done=lambda case: _record(case, kind).unit.code == "C",
        ),
        Write(
            f"{kind}-delete",
            f"{app}:{name}_delete",
            SEES,
            args=lambda case: [case.place.records[kind]],
            done=lambda case: _record(case, kind) is None,
        ),
        Write(
            f"{kind}-restore",
            f"{app}:{name}_restore",
            ADMINS_OF,
            args=lambda case: [case.place.deleted[kind]],
            done=lambda case: model.objects.filter(
                pk=model.history.get(history_id=case.place.deleted[kind]).id
            ).exists(),
        ),
        Write(
            f"{kind}-import",
            f"{app}:{name}_import",
            # An import runs the rules on what it wrote, so it is slow: its own unit and a foreign one.
            {
                "A": row(LOGIN, FORBIDDEN, OK, REFUSED, OK, OK, OK, OK),
                "C": row(LOGIN, FORBIDDEN, REFUSED, REFUSED, REFUSED, REFUSED, OK, OK),
            },
            data=lambda case: {"file": _import_file(case, kind)},
            done=lambda case: _record(case, kind).notes == CHANGED,
            on_commit=True,
        ),
    ]


RECORD_KINDS = sorted(config.model.record_kind for config in record_configs())


def _extended(case) -> bool:
    from secondments.models import Extension

    return Extension.objects.filter(secondment_id=case.place.records["secondment"]).exists()


def _extension(case) -> dict:
    from secondments.models import Secondment

    secondment = Secondment.objects.get(pk=case.place.records["secondment"])
    new_end = secondment.planned_end_date + datetime.timedelta(days=30)
    return {"new_end_date": new_end.isoformat(), "approved_by": "王主任", "approved_on": secondment.start_date}


# --- Review, rules, insights, accounts ---------------------------------------------------


def _violation(case):
    return Violation.objects.get(pk=case.place.violation)


def _case_id(case) -> int:
    """The place's case: its flag gathered into a case of its own the first time a test asks.

    Asked for by both the URL and the posted data, so that whichever a test builds first
    gathers it, before the tables are counted. A's and S1's flags make cases of D1-EDU
    owned by D1; C's, one owned by the city.
    """
    from burden.review.cases import cases_gather

    violation = _violation(case)
    if violation.case_id is None:
        cases_gather(units=[violation.unit_id])
        violation.refresh_from_db()
    return violation.case_id


def _case_post(action, **fields):
    def data(case) -> dict:
        _case_id(case)
        return {"action": action, **{f"{action}-{name}": value for name, value in fields.items()}}

    return data


def _case_event(case, kind) -> bool:
    from burden.review.models import CaseEvent

    return CaseEvent.objects.filter(case_id=_case_id(case), kind=kind, note__startswith=CHANGED).exists()


def _case_status(case) -> str:
    from burden.review.models import Case as ReviewCase

    return ReviewCase.objects.get(pk=_case_id(case)).status


def _case_letters(case) -> bool:
    from burden.review.models import CaseLetter

    return CaseLetter.objects.filter(cases=_case_id(case)).exists()


def _minutes_post(case) -> dict:
    """The place's case called to an interview first (before the tables are counted), then its minutes."""
    case_interviewed(_case_id(case))
    return {"action": "minutes", "minutes-held_on": timezone.localdate().isoformat(), "minutes-minutes": CHANGED}


def _letter_of_step(case, step: str, **fields) -> bool:
    from burden.review.models import CaseLetter

    return CaseLetter.objects.filter(cases=_case_id(case), step=step, **fields).exists()


def _preference(case):
    from burden.review.models import NotificationPreference

    return NotificationPreference.objects.filter(user=case.user).first() if case.user else None


def _rule_setting():
    return RuleSetting.objects.filter(rule=RULE).first()


def _thresholds(**extra) -> dict:
    return {f"param_{RULE_PARAM}": 123, "reason": CHANGED, **extra}


def _target_set(case) -> bool:
    from burden.insights.models import ReductionTarget

    return ReductionTarget.objects.filter(unit=case.unit, record_kind="document", year=2027).exists()


def _target_gone(case) -> bool:
    from burden.insights.models import ReductionTarget

    return not ReductionTarget.objects.filter(pk=case.place.target).exists()


def _explained(case) -> bool:
    from burden.insights.models import IncreaseExplanation

    return IncreaseExplanation.objects.filter(source_unit=case.unit, explanation=CHANGED).exists()


def _report_queued(case) -> bool:
    from burden.insights.models import ReportJob

    return ReportJob.objects.filter(unit=case.unit).exists()


def _deadlines_changed(case) -> bool:
    from burden.review.models import ReviewDeadlines

    return ReviewDeadlines.current().days_high == 11


def _case_policy_changed(case) -> bool:
    from burden.review.models import CasePolicy

    return CasePolicy.current().reply_days == 21


def _password_changed(case) -> bool:
    user = case.user  # read again from the database
    if user is None:
        return False
    return user.check_password("a-new-Passw0rd-for-tests")


WRITES: list[Write] = [
    *(write for kind in RECORD_KINDS for write in record_writes(kind)),
    Write(
        "secondment-extend",
        "secondments:secondment_extend",
        SEES,
        args=lambda case: [case.place.records["secondment"]],
        data=_extension,
        done=_extended,
    ),
    Write(
        "violation-comment",
        "review:violation_detail",
        SEES,
        args=lambda case: [case.place.violation],
        data=lambda case: {"action": "comment", "note": CHANGED},
        done=lambda case: ViolationEvent.objects.filter(violation_id=case.place.violation, note=CHANGED).exists(),
    ),
    Write(
        "violation-transition",
        "review:violation_detail",
        by_place(
            row(LOGIN, NOT_FOUND, FORBIDDEN, NOT_FOUND, OK, OK, OK, OK),
            row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK),
            row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK),
        ),
        args=lambda case: [case.place.violation],
        data=lambda case: {"action": "transition", "status": "acknowledged", "note": CHANGED},
        done=lambda case: _violation(case).status == "acknowledged",
    ),
    Write(
        "violation-bulk",
        "review:violation_list",
        by_place(
            row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK),
            row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK),
            row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, INVALID, INVALID, OK, OK),
        ),
        data=lambda case: {"violations": [case.place.violation], "status": "acknowledged", "note": CHANGED},
        done=lambda case: _violation(case).status == "acknowledged",
    ),
    Write(
        "violation-bulk-with-a-foreign-flag",
        "review:violation_list",
        # All or nothing: one flag outside one's units and the one inside does not move either.
        {"A": row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, INVALID, INVALID, OK, OK)},
        data=lambda case: {
            "violations": [case.place.violation, case.world.places["C"].violation],
            "status": "acknowledged",
            "note": CHANGED,
        },
        done=lambda case: _violation(case).status == "acknowledged",
    ),
    # A case (the place's flag, gathered): the department (D1-EDU, or above it) replies; the
    # supervisors of a burdened unit add evidence and may remind; the owner's supervisors decide.
    Write(
        "case-reply",
        "review:case_detail",
        by_place(
            row(LOGIN, NOT_FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN, OK, OK, OK),
            row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK, OK),
            row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK),
        ),
        args=lambda case: [_case_id(case)],
        data=_case_post("reply", note=CHANGED),
        done=lambda case: _case_event(case, "reply"),
    ),
    Write(
        "case-evidence",
        "review:case_detail",
        by_place(
            row(LOGIN, NOT_FOUND, FORBIDDEN, NOT_FOUND, OK, OK, OK, OK),
            row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK),
            row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK),
        ),
        args=lambda case: [_case_id(case)],
        data=_case_post("evidence", note=CHANGED),
        done=lambda case: _case_event(case, "evidence"),
    ),
    Write(
        "case-escalate",
        "review:case_detail",
        # The first step, a reminder: a burdened unit's supervisors may send it too.
        by_place(
            row(LOGIN, NOT_FOUND, FORBIDDEN, NOT_FOUND, OK, OK, OK, OK),
            row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK),
            row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK),
        ),
        args=lambda case: [_case_id(case)],
        data=_case_post("escalate", note=CHANGED),
        done=_case_letters,
    ),
    Write(
        "case-resolve",
        "review:case_detail",
        by_place(
            row(LOGIN, NOT_FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN, OK, OK, OK),
            row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK, OK),
            row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK),
        ),
        args=lambda case: [_case_id(case)],
        data=_case_post("resolve", note=CHANGED),
        done=lambda case: _case_status(case) == "resolved",
    ),
    Write(
        "case-waive-without-a-reason",
        "review:case_detail",
        # The owner's supervisors get the form back with the error; nothing moves.
        {"A": row(LOGIN, NOT_FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN, INVALID, INVALID, INVALID)},
        args=lambda case: [_case_id(case)],
        data=_case_post("waive", note=""),
        done=lambda case: _case_status(case) == "waived",
    ),
    Write(
        "case-minutes",
        "review:case_detail",
        # An interview's minutes: the owner's supervisors record them.
        by_place(
            row(LOGIN, NOT_FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN, OK, OK, OK),
            row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK, OK),
            row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, OK, OK),
        ),
        args=lambda case: [_case_id(case)],
        data=lambda case: _minutes_post(case),
        done=lambda case: _letter_of_step(case, "interview", minutes=CHANGED),
    ),
    Write(
        "notice",
        "review:notice_new",
        # One circulated notice over reminded cases: only the owner's; another's case is left out (a 400).
        by_place(
            row(LOGIN, FORBIDDEN, INVALID, INVALID, INVALID, OK, OK, OK),
            row(LOGIN, FORBIDDEN, INVALID, INVALID, INVALID, OK, OK, OK),
            row(LOGIN, FORBIDDEN, INVALID, INVALID, INVALID, INVALID, OK, OK),
        ),
        data=lambda case: {"case": [case_at_step(_case_id(case), "reminder")], "note": CHANGED},
        done=lambda case: _letter_of_step(case, "notice"),
    ),
    Write(
        "notifications-seen",
        "review:notification_list",
        SIGNED_IN,
        done=lambda case: bool(_preference(case) and _preference(case).last_seen_at),
    ),
    Write(
        "notification-preferences",
        "review:notification_preferences",
        SIGNED_IN,
        data=lambda case: {"notify_new_flags": "on", "language": "en"},
        done=lambda case: bool(_preference(case) and not _preference(case).notify_overdue),
    ),
    Write(
        "deadlines",
        "review:deadline_settings",
        CITY_WIDE,
        data=lambda case: {"days_high": 11, "days_medium": 20, "days_low": 40, "reason": CHANGED},
        done=_deadlines_changed,
    ),
    Write(
        "case-policy",
        "review:case_policy_settings",
        CITY_WIDE,
        data=lambda case: {
            "period": "month",
            "by_rule": "on",
            "reply_days": 21,
            "reminder_days": 10,
            "notice_days": 10,
            "interview_days": 15,
            "reason": CHANGED,
        },
        done=_case_policy_changed,
    ),
    Write(
        "rule-thresholds",
        "rule_detail",
        CITY_WIDE,
        args=lambda case: [RULE],
        data=lambda case: _thresholds(enabled="on"),
        done=lambda case: bool(_rule_setting() and _rule_setting().params.get(RULE_PARAM) == 123),
    ),
    Write(
        "rule-switch-off",
        "rule_detail",
        CITY_WIDE,
        args=lambda case: [RULE],
        data=lambda case: _thresholds(**{f"param_{RULE_PARAM}": 90}),
        done=lambda case: bool(_rule_setting() and not _rule_setting().enabled),
    ),
    Write(
        "rule-override-set",
        "rule_detail",
        ADMIN_PICKS,
        args=lambda case: [RULE],
        data=lambda case: _thresholds(action="override", unit=case.unit.code),
        done=lambda case: RuleOverride.objects.get(pk=case.place.override).params.get(RULE_PARAM) == 123,
    ),
    Write(
        "rule-override-remove",
        "rule_detail",
        ADMINS_OF,
        args=lambda case: [RULE],
        data=lambda case: {"action": "remove_override", "override": case.place.override, "reason": CHANGED},
        done=lambda case: not RuleOverride.objects.filter(pk=case.place.override).exists(),
    ),
    Write(
        "target-set",
        "insights:target_list",
        ADMIN_PICKS,
        data=lambda case: {
            "unit": case.unit.code,
            "record_kind": "document",
            "year": 2027,
            "measure": "records",
            "reduction_percent": 20,
        },
        done=_target_set,
    ),
    Write(
        "target-delete",
        "insights:target_delete",
        ADMINS_OF,
        args=lambda case: [case.place.target],
        done=_target_gone,
    ),
    Write(
        "source-explain",
        "insights:source_explain",
        SEES,
        args=lambda case: [case.unit.code],
        data=lambda case: {"record_kind": "meeting", "year": 2026, "explanation": CHANGED},
        done=_explained,
    ),
    Write(
        "report-build",
        "insights:report_xlsx",
        SEES,
        query=lambda case: f"?unit={case.unit.code}",
        settings={"REPORT_BACKGROUND_UNITS": 0},  # every report is built by a job, so it leaves a row
        done=_report_queued,
    ),
    Write(
        "password-change",
        "password_change",
        SIGNED_IN,
        data=lambda case: {
            "old_password": PASSWORD,
            "new_password1": "a-new-Passw0rd-for-tests",
            "new_password2": "a-new-Passw0rd-for-tests",
        },
        done=_password_changed,
    ),
    Write(
        "language-switch",
        "set_language",
        EVERYONE,
        data=lambda case: {"language": "zh-hans", "next": "/"},
        done=lambda case: (
            case.response is not None
            and getattr(case.response.cookies.get(settings.LANGUAGE_COOKIE_NAME), "value", "") == "zh-hans"
        ),
    ),
    Write(
        "logout",
        "logout",
        EVERYONE,
        # Signed out afterwards (and anonymous people stay so): the home page sends them to sign in.
        done=lambda case: case.client.get(reverse("home")).status_code == 302,
    ),
]

#: POST-only pages that write nothing, and pages written by others: each says where it is tested.
NOT_WRITES = {
    # The live burden estimate of a form being filled in (an htmx fragment); saves nothing.
    *(config.url_name("estimate") for config in record_configs()),
    # Signing in: tests/security/ brute-force tests and tests/api/test_auth.py; its CSRF is walked below.
    "login",
}
#: Pages that answer any method and write nothing.
ANY_METHOD_READS = {"health", "health_live", "health_ready"}


def cases():
    for write in WRITES:
        for place in write.expect:
            for persona in PERSONAS:
                yield pytest.param(write, place, persona, id=f"{write.id}-{place or 'any'}-{persona}")


def _url(write: Write, case: Case) -> str:
    return reverse(write.name, args=write.args(case)) + write.query(case)


@pytest.mark.parametrize(("write", "place", "persona"), list(cases()))
def test_each_write_answers_each_persona_in_each_place(
    client, write_matrix, django_capture_on_commit_callbacks, write, place, persona
):
    case = Case(write_matrix, write_matrix.places.get(place), persona, client)
    expected = write.expect[place][persona]
    if case.user is not None:
        client.force_login(case.user)
    url, data = _url(write, case), write.data(case)
    before = write_matrix_counts()
    with override_settings(**write.settings), django_capture_on_commit_callbacks(execute=write.on_commit):
        case.response = client.post(url, data)
    status = case.response.status_code
    if expected == OK:
        assert status == write.ok_status, _explain(case.response)
        assert write.done(case), "answered as allowed, but nothing was written"
        return
    if expected == LOGIN:
        assert status == 302 and reverse("login") in case.response["Location"], status
    else:
        assert status in STATUSES[expected], f"{status}, expected {expected}: {_explain(case.response)}"
    assert not write.done(case), "refused, but the write happened"
    after = write_matrix_counts()
    if expected == REFUSED:
        jobs = ImportJob.objects.filter(user=case.user).values_list("status", flat=True)
        assert list(jobs) == [ImportJob.Status.REJECTED], "the import job should refuse the file"
        before, after = _without(before, REFUSED_LEAVES), _without(after, REFUSED_LEAVES)
    assert after == before, "refused, but some table changed"


def _without(counts: dict, tables: set) -> dict:
    return {table: count for table, count in counts.items() if table not in tables}


def _explain(response) -> str:
    context = getattr(response, "context", None) or {}
    for name in ("form", "override_form", "bulk_form", "transition_form", "comment_form", "extension_form"):
        form = context.get(name) if hasattr(context, "get") else None
        if form is not None and getattr(form, "errors", None):
            return f"{response.status_code} {name}: {form.errors.as_data()}"
    return f"{response.status_code} {response.get('Location', '')}"


# --- Every page is either a write above or a read that refuses a POST ----------------------


def _patterns(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("admin", "api"):
                continue  # test_write_matrix_admin.py and test_write_matrix_api.py
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def _sample_kwargs(pattern) -> dict:
    """Any values of the right type: a read refuses the method before it looks anything up."""
    return {name: 1 if converter.regex == "[0-9]+" else "A" for name, converter in pattern.pattern.converters.items()}


def read_pages() -> list:
    written = {write.name for write in WRITES} | NOT_WRITES | ANY_METHOD_READS
    return sorted((name, _sample_kwargs(p)) for name, p in _patterns(get_resolver()) if name not in written)


def test_every_writing_page_has_a_row_and_every_other_page_refuses_a_post(client, write_matrix):
    client.force_login(write_matrix.user("superuser"))
    accepting = []
    for name, kwargs in read_pages():
        before = write_matrix_counts()
        response = client.post(reverse(name, kwargs=kwargs), {})
        if response.status_code != 405 or write_matrix_counts() != before:
            accepting.append(f"{name} ({response.status_code})")
    assert accepting == [], f"these pages take a POST: add them to WRITES in {__name__}"


def test_the_pages_written_here_exist():
    names = {name for name, _pattern in _patterns(get_resolver())}
    assert {write.name for write in WRITES} | NOT_WRITES | ANY_METHOD_READS <= names


# --- CSRF -----------------------------------------------------------------------------------


def csrf_cases():
    for write in WRITES:
        place = next(iter(write.expect))
        # The superuser may do every write; anonymous people are the ones a forged login or language switch targets.
        persona = "superuser" if write.expect[place]["superuser"] == OK else "anonymous"
        yield pytest.param(write, place, persona, id=write.id)
    for name in sorted(NOT_WRITES):
        yield pytest.param(
            Write(name, name, {None: {}}), None, "anonymous" if name == "login" else "superuser", id=name
        )


@pytest.mark.parametrize(("write", "place", "persona"), list(csrf_cases()))
def test_a_post_without_a_csrf_token_is_refused(write_matrix, write, place, persona):
    client = Client(enforce_csrf_checks=True)
    case = Case(write_matrix, write_matrix.places.get(place), persona, client)
    if case.user is not None:
        client.force_login(case.user)
    data = write.data(case)
    if write.name == "login":
        data = {"username": "staff_a", "password": PASSWORD}
    before = write_matrix_counts()
    with override_settings(**write.settings):
        case.response = client.post(_url(write, case), data)
    assert case.response.status_code == 403, _explain(case.response)
    assert not write.done(case), "refused, but the write happened"
    assert write_matrix_counts() == before
    if write.name == "login":
        assert "_auth_user_id" not in client.session
