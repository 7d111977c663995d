"""The demo city: believable, complete for every role, and safe to load twice."""

import io

from django.core.management import call_command

from burden import scoping
from burden.demo import DEMO_LOGINS, DEMO_PASSWORD
from burden.models import Membership, Unit, User
from burden.scoping import scope_for


def load(*options):
    # The tests run with DEBUG off, as production does, where the demo needs --force.
    call_command("load_demo", "--force", *options, stdout=io.StringIO())


def test_the_demo_city_has_the_promised_shape(db):
    load("--no-records")
    levels = {level: Unit.objects.filter(level=level).count() for level in Unit.Level.values}
    assert levels["city"] == 1
    assert levels["district"] == 3
    assert levels["street"] == 10
    assert 38 <= levels["community"] <= 45
    assert levels["department"] >= 3 * 5
    assert all(u.headcount > 0 for u in Unit.objects.filter(level="community"))
    assert not Unit.objects.filter(name_en="").exists()


def test_loading_twice_changes_nothing(db):
    load("--no-records")
    before = (Unit.objects.count(), User.objects.count(), Membership.objects.count())
    load("--no-records")
    assert (Unit.objects.count(), User.objects.count(), Membership.objects.count()) == before


def test_every_role_has_a_demo_login_that_works(client, db):
    load("--no-records")
    roles = set()
    for login in DEMO_LOGINS:
        assert client.login(username=login.username, password=DEMO_PASSWORD)
        roles.add(scope_for(User.objects.get(username=login.username)).primary_role)
        client.logout()
    assert roles == {scoping.STAFF, scoping.SUPERVISOR, scoping.ADMIN}


def test_the_printed_logins_name_the_password(db, capsys):
    call_command("load_demo", "--no-records", "--force")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert all(login.username in out for login in DEMO_LOGINS)


def test_the_street_supervisor_sees_all_its_communities(db):
    load("--no-records")
    supervisor = User.objects.get(username="sup_street")
    street = Unit.objects.get(code="DH-BJ")
    communities = set(street.children.values_list("code", flat=True))
    assert communities <= set(Unit.objects.for_user(supervisor).values_list("code", flat=True))
    staff = User.objects.get(username="staff_jiangtan")
    assert set(Unit.objects.for_user(staff).values_list("code", flat=True)) == {"DH-BJ-01"}


def test_a_year_of_records_loads_once_with_a_seasonal_pattern(db):
    import datetime

    from burden.demo_records import load_demo_records
    from burden.record_views import record_configs
    from documents.models import Document

    load("--no-records")
    assert load_demo_records(scale=0.25)
    counts = {config.model: config.model.objects.count() for config in record_configs()}
    assert all(count > 0 for count in counts.values()), counts
    assert load_demo_records() == {}  # a second load leaves them alone
    assert {config.model: config.model.objects.count() for config in record_configs()} == counts

    today = datetime.date.today()
    december = Document.objects.filter(received_on__month=12).exclude(received_on__year=today.year + 1).count()
    february = Document.objects.filter(received_on__month=2).count()
    assert december > february * 2  # year-end evaluations against the Spring Festival
    heavy = Document.objects.filter(source_unit__code="DH-YJJ").count()
    ordinary = Document.objects.filter(source_unit__code="DH-MZJ").count()
    assert heavy > ordinary * 2
    assert all(document.burden_hours > 0 for document in Document.objects.all()[:200])


def test_most_records_break_no_rule_and_a_few_departments_break_most(db):
    """The demo as it ships (a full year, swept): flags a supervisor can read as a few stories.

    Most records pass every rule; the flags come from the few departments of
    ``HABITS``; and the demo street's supervisor, grouping its flags by source, rule
    and month, has tens of cases to read, not thousands.
    """
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from burden.demo_records import HABITS
    from burden.models import Violation
    from burden.records.registry import kinds

    load()
    records = sum(kind.model.objects.count() for kind in kinds())
    flags = Violation.objects.open()
    total = flags.count()
    assert 0 < total < records * 0.2, (total, records)

    by_source = list(flags.values_list("source_unit__code").annotate(n=Count("pk")).order_by("-n", "source_unit__code"))
    top_five = by_source[:5]
    assert sum(n for _code, n in top_five) >= total * 0.7, by_source
    assert {code for code, _n in top_five} <= set(HABITS), top_five
    assert set(HABITS) <= {code for code, _n in by_source}  # every habit shows in the flags

    street = Unit.objects.get(code="DH-BJ")
    cases = (
        flags.filter(unit__path__startswith=street.path)
        .annotate(month=TruncMonth("occurred_on"))
        .order_by()
        .values("source_unit", "rule", "month")
        .distinct()
        .count()
    )
    assert 10 <= cases <= 100, cases

    # A few cases already on the ladder: letters of every step, a reply, an accepted one and an interview's minutes.
    from burden.models import Case, CaseEvent, CaseLetter

    assert set(CaseLetter.objects.values_list("step", flat=True)) == {"reminder", "notice", "interview"}
    notice = CaseLetter.objects.get(step="notice")
    assert notice.cases.count() == 2 and notice.issuing_unit.code == "JC"
    assert CaseLetter.objects.get(step="interview").minutes
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.REPLY).count() >= 2
    assert Case.objects.filter(status=Case.Status.RESOLVED, source_unit__code="DH-YJJ").exists()
    # Cases of the street's are left for a newcomer to send the first reminder.
    from burden.models import User

    street_supervisor = User.objects.get(username="sup_street")
    untouched = Case.objects.for_user(street_supervisor).active().filter(step="none").exclude(source_unit=None)
    assert untouched.count() >= 5
    load()  # loading again leaves the history alone
    assert CaseLetter.objects.count() == 6
