"""Cases (督办事项) through the API, and the records behind a violation.

The flags are the rules engine's own (real meetings and documents, then a sweep, which
gathers them into cases), so the cases are what the system would make:

    edu_march   D1-EDU, MTG-DURATION, 2026-03: meetings in A (logged by sup_d1) and B; owner D1
    edu_april   D1-EDU, MTG-DURATION, 2026-04: a meeting in A; owner D1
    health      D2-HEALTH, MTG-DURATION, 2026-03: a meeting in C; owner D2
"""

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from burden.models import Case, CaseEvent, Membership, Unit, Violation
from burden.rules.engine import sweep
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.record_factories.documents import DocumentFactory
from tests.record_factories.meetings import MeetingFactory

TODAY = datetime.date(2026, 6, 30)
RULE = "MTG-DURATION"
LIST = "/api/v1/cases/"
FIELDS = {"id", "rule", "source_unit", "period", "status", "step", "deadline", "flags", "units", "hours", "owner_unit"}


def detail(case) -> str:
    return f"{LIST}{case.pk}/"


@dataclass
class World:
    edu_march: Case
    edu_april: Case
    health: Case
    march_meetings: list
    people: dict


@pytest.fixture
def world(tree, personas) -> World:
    R = Membership.Role
    health_dept = UnitFactory(
        code="D2-HEALTH", name="西区卫健局", level=Unit.Level.DEPARTMENT, parent=tree.d2, is_grassroots=False
    )
    people = {
        "edu_staff": MembershipFactory(user=UserFactory(username="edu_staff"), unit=tree.dept, role=R.STAFF).user,
        "health_staff": MembershipFactory(
            user=UserFactory(username="health_staff"), unit=health_dept, role=R.STAFF
        ).user,
        "sup_d1": MembershipFactory(user=UserFactory(username="sup_d1"), unit=tree.d1, role=R.SUPERVISOR).user,
        "sup_s2": MembershipFactory(user=UserFactory(username="sup_s2"), unit=tree.s2, role=R.SUPERVISOR).user,
    }
    march = [
        MeetingFactory(
            unit=tree.a,
            source_unit=tree.dept,
            date=datetime.date(2026, 3, 2),
            duration_minutes=120,
            created_by=people["sup_d1"],
        ),
        MeetingFactory(unit=tree.b, source_unit=tree.dept, date=datetime.date(2026, 3, 9), duration_minutes=150),
    ]
    MeetingFactory(unit=tree.a, source_unit=tree.dept, date=datetime.date(2026, 4, 6), duration_minutes=120)
    MeetingFactory(unit=tree.c, source_unit=health_dept, date=datetime.date(2026, 3, 2), duration_minutes=120)
    sweep(TODAY, codes=[RULE])
    cases = {(case.source_unit.code, case.period.month): case for case in Case.objects.select_related("source_unit")}
    assert len(cases) == 3, cases
    return World(cases[("D1-EDU", 3)], cases[("D1-EDU", 4)], cases[("D2-HEALTH", 3)], march, people)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


# --- Reading ---------------------------------------------------------------------------------


def test_a_case_shows_the_contracts_fields(api, personas, world):
    body = api.as_(personas.admin).get(LIST, {"period": "2026-03", "source_unit": "D1-EDU"}).json()
    assert body["count"] == 1 and body["next"] is None
    row = body["results"][0]
    assert set(row) == FIELDS
    hours = sum(meeting.burden_hours for meeting in world.march_meetings)
    assert row == {
        "id": world.edu_march.pk,
        "rule": RULE,
        "source_unit": "D1-EDU",
        "period": "2026-03",
        "status": "open",
        "step": "none",
        "deadline": world.edu_march.deadline.isoformat(),
        "flags": 2,
        "units": ["A", "B"],
        "hours": pytest.approx(float(hours)),
        "owner_unit": "D1",
    }
    shown = api.as_(personas.admin).get(detail(world.edu_march)).json()
    assert set(shown) == FIELDS | {"letters"} and shown["letters"] == []
    assert {key: shown[key] for key in FIELDS} == row


def test_each_reader_sees_only_the_burdened_units_they_may_see(api, personas, world):
    def units(user, case):
        return api.as_(user).get(detail(case)).json()["units"]

    assert units(personas.staff_a, world.edu_march) == ["A"]
    assert units(personas.staff_b, world.edu_march) == ["B"]
    assert units(personas.supervisor, world.edu_march) == ["A", "B"]
    # The department sees the case against it, not the communities' flags behind it.
    assert units(world.people["edu_staff"], world.edu_march) == []
    listed = api.as_(personas.staff_a).get(LIST).json()["results"]
    assert {row["id"]: row["units"] for row in listed} == {world.edu_march.pk: ["A"], world.edu_april.pk: ["A"]}


@pytest.mark.parametrize(
    ("persona", "seen"),
    [
        ("admin", {"edu_march", "edu_april", "health"}),
        ("superuser", {"edu_march", "edu_april", "health"}),
        ("edu_staff", {"edu_march", "edu_april"}),
        ("health_staff", {"health"}),
        ("sup_d1", {"edu_march", "edu_april"}),
        ("supervisor", {"edu_march", "edu_april"}),
        ("sup_s2", {"health"}),
        ("staff_a", {"edu_march", "edu_april"}),
        ("staff_b", {"edu_march"}),
        ("outsider", set()),
    ],
)
def test_each_reader_sees_the_cases_of_their_units_and_no_others(api, personas, world, persona, seen):
    user = world.people.get(persona) or getattr(personas, persona)
    client = api.as_(user)
    names = {"edu_march": world.edu_march, "edu_april": world.edu_april, "health": world.health}
    assert ids(client.get(LIST)) == {names[name].pk for name in seen}
    for name, case in names.items():
        expected = 200 if name in seen else 404
        assert client.get(detail(case)).status_code == expected, name
        assert client.get(f"{detail(case)}events/").status_code == expected, name


def test_nobody_signed_out_reads_a_case(api, world):
    assert api.as_(None).get(LIST).status_code == 401
    assert api.as_(None).get(detail(world.edu_march)).status_code == 401


def test_cases_are_filtered_as_the_contract_says(api, personas, world):
    client = api.as_(personas.admin)
    march, april, health = world.edu_march.pk, world.edu_april.pk, world.health.pk
    assert ids(client.get(LIST, {"unit": "S1"})) == {march, april}
    assert ids(client.get(LIST, {"unit": "B"})) == {march}
    assert ids(client.get(LIST, {"unit": "D2"})) == {health}
    assert ids(client.get(LIST, {"unit": "NOPE"})) == set()
    assert ids(client.get(LIST, {"source_unit": "D2-HEALTH"})) == {health}
    assert ids(client.get(LIST, {"rule": RULE})) == {march, april, health}
    assert ids(client.get(LIST, {"rule": "MTG-LEADER"})) == set()
    assert ids(client.get(LIST, {"status": "open"})) == {march, april, health}
    assert ids(client.get(LIST, {"status": "replied"})) == set()
    assert ids(client.get(LIST, {"step": "none"})) == {march, april, health}
    assert ids(client.get(LIST, {"step": "reminder"})) == set()
    assert ids(client.get(LIST, {"period": "2026-03"})) == {march, health}
    assert ids(client.get(LIST, {"period": "2026-04"})) == {april}
    assert ids(client.get(LIST, {"period": "2026-05"})) == set()


@pytest.mark.parametrize(
    "query",
    [
        {"rule": "NOPE"},
        {"status": "gone"},
        {"step": "top"},
        {"period": "2026-3"},
        {"period": "2026-13"},
        {"period": "2026-00"},
        {"period": "0000-01"},
        {"period": " 2026-03"},
        {"period": "2026-03-01"},
        {"period": ""},
    ],
)
def test_bad_case_filters_are_a_400(api, personas, world, query):
    response = api.as_(personas.admin).get(LIST, query)
    assert response.status_code == 400 and set(response.json()) == set(query)


def test_the_unit_filter_never_reaches_past_the_readers_units(api, personas, world):
    """staff_a sees the March case for its flag on A; asking for B's cases must not reveal B's flag in it."""
    assert ids(api.as_(personas.staff_a).get(LIST, {"unit": "A"})) == {world.edu_march.pk, world.edu_april.pk}
    assert ids(api.as_(personas.staff_a).get(LIST, {"unit": "B"})) == set()


# --- Writing --------------------------------------------------------------------------------


def post(client, case, verb, body):
    return client.post(f"{detail(case)}{verb}/", body, format="json")


def test_the_department_replies_and_the_case_is_replied(api, world):
    staff = world.people["edu_staff"]
    response = post(api.as_(staff), world.edu_march, "reply", {"note": "Merged the two meetings."})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "replied" and set(response.json()) == FIELDS | {"letters"}
    events = api.as_(staff).get(f"{detail(world.edu_march)}events/").json()
    assert [event["kind"] for event in events] == ["opened", "reply"]
    assert events[-1] == {
        "kind": "reply",
        "from_status": "open",
        "to_status": "replied",
        "step": "",
        "actor": "edu_staff",
        "note": "Merged the two meetings.",
        "measures": "",
        "at": events[-1]["at"],
        "letter": None,
    }
    assert ids(api.as_(staff).get(LIST, {"status": "replied"})) == {world.edu_march.pk}


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff_a", 403), ("supervisor", 403), ("health_staff", 404), ("sup_s2", 404), (None, 401)],
)
def test_only_the_department_replies(api, personas, world, persona, status):
    user = None if persona is None else world.people.get(persona) or getattr(personas, persona)
    response = post(api.as_(user), world.edu_march, "reply", {"note": "done"})
    assert response.status_code == status
    world.edu_march.refresh_from_db()
    assert world.edu_march.status == "open"
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.REPLY).exists()


@pytest.mark.parametrize(("body", "field"), [({}, "note"), ({"note": ""}, "note"), ({"note": 5}, "note")])
def test_a_reply_needs_a_note(api, world, body, field):
    response = post(api.as_(world.people["edu_staff"]), world.edu_march, "reply", body)
    assert response.status_code == 400 and field in response.json()


def test_the_owners_supervisor_escalates_with_numbered_letters(api, world):
    client = api.as_(world.people["sup_d1"])
    today = timezone.localdate()
    first = post(client, world.edu_march, "escalate", {"note": "No reply in time."})
    assert first.status_code == 200, first.json()
    assert first.json()["step"] == "reminder" and first.json()["status"] == "open"
    letter = first.json()["letters"][0]
    assert letter["step"] == "reminder" and letter["number"] == 1 and letter["issued_on"] == today.isoformat()
    assert letter["url"] == f"http://testserver/review/letters/{world.edu_march.letters.get().pk}/"
    # The owner's reminders are numbered in one sequence; each step has its own.
    assert post(client, world.edu_april, "escalate", {}).json()["letters"][0]["number"] == 2
    notice = post(client, world.edu_march, "escalate", {"note": "Still nothing."}).json()
    assert [(row["step"], row["number"]) for row in notice["letters"]] == [("reminder", 1), ("notice", 1)]
    # An interview needs its date, today or later.
    missing = post(client, world.edu_march, "escalate", {})
    assert missing.status_code == 400 and "interview_on" in missing.json()
    past = post(client, world.edu_march, "escalate", {"interview_on": "2000-01-01"})
    assert past.status_code == 400 and "interview_on" in past.json()
    interview = post(client, world.edu_march, "escalate", {"interview_on": today.isoformat()})
    assert interview.status_code == 200 and interview.json()["step"] == "interview"
    top = post(client, world.edu_march, "escalate", {"interview_on": today.isoformat()})
    assert top.status_code == 400 and "step" in top.json()
    events = client.get(f"{detail(world.edu_march)}events/").json()
    assert [(event["kind"], event["step"], event["letter"]) for event in events] == [
        ("opened", "", None),
        ("step", "reminder", 1),
        ("step", "notice", 1),
        ("step", "interview", 1),
    ]
    assert events[1]["actor"] == "sup_d1" and events[1]["note"] == "No reply in time."


@pytest.mark.parametrize(("persona", "status"), [("edu_staff", 403), ("staff_a", 403), ("sup_s2", 404)])
def test_only_supervisors_escalate(api, personas, world, persona, status):
    user = world.people.get(persona) or getattr(personas, persona)
    assert post(api.as_(user), world.edu_march, "escalate", {"note": "x"}).status_code == status
    world.edu_march.refresh_from_db()
    assert world.edu_march.step == "none" and not world.edu_march.letters.exists()


def test_a_burdened_units_supervisor_may_remind_but_climbs_no_further(api, personas, world):
    """The street's supervisor reminds the district's bureau; the notice and the interview are the owner's."""
    client = api.as_(personas.supervisor)
    reminded = post(client, world.edu_march, "escalate", {"note": "Too long again."})
    assert reminded.status_code == 200, reminded.json()
    assert [(row["step"], row["number"]) for row in reminded.json()["letters"]] == [("reminder", 1)]
    assert post(client, world.edu_march, "escalate", {"note": "x"}).status_code == 403
    world.edu_march.refresh_from_db()
    assert world.edu_march.step == "reminder"


def flag_statuses(case) -> list[str]:
    return sorted(Violation.objects.filter(case=case).values_list("status", flat=True))


def test_resolving_a_case_resolves_its_open_flags(api, world):
    client = api.as_(world.people["sup_d1"])
    assert flag_statuses(world.edu_march) == ["open", "open"]
    response = post(client, world.edu_march, "transition", {"status": "resolved", "note": "Rectified."})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "resolved"
    assert flag_statuses(world.edu_march) == ["resolved", "resolved"]
    assert flag_statuses(world.edu_april) == ["open"]
    last = client.get(f"{detail(world.edu_march)}events/").json()[-1]
    assert (last["kind"], last["from_status"], last["to_status"], last["note"]) == (
        "transition",
        "open",
        "resolved",
        "Rectified.",
    )


def test_a_case_whose_flags_may_not_all_move_moves_none(api, world):
    """sup_d1 logged one of the March meetings, and nobody waives a flag on a record they created."""
    response = post(api.as_(world.people["sup_d1"]), world.edu_march, "transition", {"status": "waived", "note": "x"})
    assert response.status_code == 400 and "violations" in response.json()
    assert flag_statuses(world.edu_march) == ["open", "open"]
    world.edu_march.refresh_from_db()
    assert world.edu_march.status == "open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "waived"}, "note"),
        ({"status": "waived", "note": "  "}, "note"),
        ({"status": "closed", "note": "x"}, "status"),
        ({"status": "replied"}, "status"),
        ({"status": "open"}, "status"),
        ({}, "status"),
    ],
)
def test_case_transitions_refused_as_the_contract_says(api, world, body, field):
    response = post(api.as_(world.people["sup_d1"]), world.edu_april, "transition", body)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert flag_statuses(world.edu_april) == ["open"]


@pytest.mark.parametrize(("persona", "status"), [("edu_staff", 403), ("supervisor", 403), ("sup_s2", 404)])
def test_only_the_owners_supervisors_decide(api, personas, world, persona, status):
    user = world.people.get(persona) or getattr(personas, persona)
    response = post(api.as_(user), world.edu_april, "transition", {"status": "resolved", "note": "x"})
    assert response.status_code == status
    assert flag_statuses(world.edu_april) == ["open"]


# --- Queries --------------------------------------------------------------------------------


def make_cases(tree, months: int) -> None:
    """``months`` cases of D1-EDU, one a month, with flags on A and B."""
    for month in range(months):
        day = datetime.date(2023 + month // 12, month % 12 + 1, 3)
        for unit in (tree.a, tree.b):
            MeetingFactory(unit=unit, source_unit=tree.dept, date=day, duration_minutes=150)
    sweep(TODAY, codes=[RULE])


@pytest.mark.parametrize("persona", ["admin", "staff_a"])
def test_case_lists_do_not_grow_queries_with_rows(api, personas, tree, persona):
    client = api.as_(getattr(personas, persona))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    make_cases(tree, 2)
    queries()
    few, count = queries()
    assert count == 2
    make_cases(tree, 20)
    many, count = queries()
    assert count == 20 and many == few


def test_a_case_and_its_timeline_do_not_grow_queries_with_letters(api, tree, personas):
    make_cases(tree, 1)
    case = Case.objects.get()
    client = api.as_(personas.admin)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries(detail(case))  # the first request reads the caller's seats once
    before = queries(detail(case)), queries(f"{detail(case)}events/")
    for _ in range(3):
        assert post(client, case, "escalate", {"interview_on": timezone.localdate().isoformat()}).status_code == 200
    assert (queries(detail(case)), queries(f"{detail(case)}events/")) == before


# --- The records behind a violation ------------------------------------------------------------


def test_a_record_flag_lists_its_record_and_its_case(api, personas, world):
    meeting = world.march_meetings[0]
    row = api.as_(personas.admin).get("/api/v1/violations/", {"record_kind": "meeting", "record_id": meeting.pk})
    (flag,) = row.json()["results"]
    assert flag["records"] == [{"record_kind": "meeting", "record_id": meeting.pk}]
    assert flag["case"] == world.edu_march.pk


def busy_day(unit, day) -> list:
    """Eleven documents in a day: DOC-DAILY flags the day as one group."""
    return [DocumentFactory(unit=unit, received_on=day) for _ in range(11)]


def test_a_group_flag_lists_every_record_behind_it_and_is_found_by_any_of_them(api, personas, tree):
    documents = busy_day(tree.a, datetime.date(2026, 3, 2))
    sweep(TODAY, codes=["DOC-DAILY"])
    client = api.as_(personas.admin)
    (flag,) = client.get("/api/v1/violations/", {"rule": "DOC-DAILY"}).json()["results"]
    assert flag["records"] == [{"record_kind": "document", "record_id": pk} for pk in sorted(d.pk for d in documents)]
    case = Violation.objects.get(pk=flag["id"]).case_id
    assert case is not None and flag["case"] == case
    member = documents[5].pk
    assert member != flag["record_id"]
    found = client.get("/api/v1/violations/", {"record_id": member}).json()["results"]
    assert [row["id"] for row in found] == [flag["id"]]
    found = client.get("/api/v1/violations/", {"record_kind": "document", "record_id": member}).json()["results"]
    assert [row["id"] for row in found] == [flag["id"]]
    assert client.get("/api/v1/violations/", {"record_kind": "meeting", "record_id": member}).json()["count"] == 0
    assert client.get("/api/v1/violations/", {"record_id": documents[-1].pk + 1000}).json()["count"] == 0


def test_violation_lists_with_groups_do_not_grow_queries_with_rows(api, personas, tree):
    client = api.as_(personas.admin)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/violations/")
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    for day in range(2):
        busy_day(tree.a, datetime.date(2026, 3, 2 + day))
    sweep(TODAY, codes=["DOC-DAILY"])
    queries()
    few, count = queries()
    assert count == 2
    for day in range(2, 6):
        busy_day(tree.a, datetime.date(2026, 3, 2 + day))
    sweep(TODAY, codes=["DOC-DAILY"])
    many, count = queries()
    assert count == 6 and many == few


def test_a_superuser_escalating_a_case_no_unit_holds_whole_is_told_why(api, tree):
    """The department and the burdened unit in two trees: no owner, so no letter, and a 400 says so."""
    other_city = UnitFactory(code="OTHER", name="外市", level=Unit.Level.CITY, is_grassroots=False)
    outside = UnitFactory(
        code="OTHER-STAT", name="外市统计局", level=Unit.Level.DEPARTMENT, parent=other_city, is_grassroots=False
    )
    MeetingFactory(unit=tree.a, source_unit=outside, date=datetime.date(2026, 3, 2), duration_minutes=120)
    sweep(TODAY, codes=[RULE])
    case = Case.objects.get()
    assert case.owner_unit is None
    client = api.as_(UserFactory(username="root", is_superuser=True))
    refused = post(client, case, "escalate", {})
    assert refused.status_code == 400 and "owner_unit" in refused.json()
    assert not case.letters.exists()
    # Those who see everything still decide it.
    waived = post(client, case, "transition", {"status": "waived", "note": "Another city's bureau; referred."})
    assert waived.status_code == 200 and waived.json()["status"] == "waived"


def test_a_case_with_no_department_is_not_escalated(api, tree, personas):
    MeetingFactory(unit=tree.a, source_unit=None, date=datetime.date(2026, 3, 2), duration_minutes=120)
    sweep(TODAY, codes=[RULE])
    case = Case.objects.get()
    for user in (personas.supervisor, UserFactory(username="root", is_superuser=True)):
        refused = post(api.as_(user), case, "escalate", {"note": "x"})
        assert refused.status_code == 400 and "source_unit" in refused.json()
    assert not case.letters.exists()
    resolved = post(api.as_(personas.supervisor), case, "transition", {"status": "resolved"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"


# --- A circulated notice, and an interview's minutes ------------------------------------------------


def test_one_notice_over_the_owners_reminded_cases(api, world):
    client = api.as_(world.people["sup_d1"])
    for case in (world.edu_march, world.edu_april):
        assert post(client, case, "escalate", {}).status_code == 200
    issued = client.post(
        f"{LIST}notice/", {"cases": [world.edu_april.pk, world.edu_march.pk], "note": "Twice."}, format="json"
    )
    assert issued.status_code == 201, issued.json()
    body = issued.json()
    assert (body["step"], body["number"], body["issuing_unit"]) == ("notice", 1, "D1")
    assert body["cases"] == sorted([world.edu_march.pk, world.edu_april.pk])
    assert body["url"].startswith("http://testserver/review/letters/")
    detail_body = client.get(detail(world.edu_march)).json()
    assert detail_body["step"] == "notice"
    assert [letter["step"] for letter in detail_body["letters"]] == ["reminder", "notice"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("edu_staff", 403), ("sup_s2", 400), ("staff_a", 403)],  # sup_s2 cannot see D1's cases: "no such case"
)
def test_a_notice_by_someone_who_does_not_own_the_cases_is_refused(api, personas, world, persona, status):
    owner = api.as_(world.people["sup_d1"])
    assert post(owner, world.edu_march, "escalate", {}).status_code == 200
    user = world.people.get(persona) or getattr(personas, persona)
    refused = api.as_(user).post(f"{LIST}notice/", {"cases": [world.edu_march.pk]}, format="json")
    assert refused.status_code == status
    world.edu_march.refresh_from_db()
    assert world.edu_march.step == "reminder"


@pytest.mark.parametrize(
    "body",
    [{}, {"cases": []}, {"cases": ["x"]}, {"cases": [999999]}, {"cases": list(range(1, 60))}],
)
def test_bad_notices_are_a_400(api, world, body):
    assert api.as_(world.people["sup_d1"]).post(f"{LIST}notice/", body, format="json").status_code == 400


def test_the_minutes_of_an_interview_through_the_api(api, world):
    client = api.as_(world.people["sup_d1"])
    today = timezone.localdate()
    assert post(client, world.edu_march, "minutes", {"held_on": today.isoformat(), "minutes": "x"}).status_code == 400
    post(client, world.edu_march, "escalate", {})
    post(client, world.edu_march, "escalate", {})
    post(client, world.edu_march, "escalate", {"interview_on": today.isoformat()})
    future = (today + datetime.timedelta(days=1)).isoformat()
    assert post(client, world.edu_march, "minutes", {"held_on": future, "minutes": "x"}).status_code == 400
    recorded = post(client, world.edu_march, "minutes", {"held_on": today.isoformat(), "minutes": "Agreed."})
    assert recorded.status_code == 200, recorded.json()
    interview = recorded.json()["letters"][-1]
    assert (interview["step"], interview["held_on"], interview["minutes"]) == (
        "interview",
        today.isoformat(),
        "Agreed.",
    )
    staff = api.as_(world.people["edu_staff"])
    assert post(staff, world.edu_march, "minutes", {"held_on": today.isoformat(), "minutes": "No."}).status_code == 403
    assert [event["kind"] for event in client.get(f"{detail(world.edu_march)}events/").json()][-1] == "minutes"
