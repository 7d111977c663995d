"""SEC-GRASSROOTS (the 2024 regulation, part 四): higher units in principle borrow no staff from
county-level and lower units, whatever the loan is called, unless specially approved."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta

from burden.models import RuleSetting, Unit, Violation
from burden.rules.base import Source, get_rule
from burden.rules.engine import evaluate_record, sweep
from secondments.models import Secondment
from tests.factories import UnitFactory
from tests.record_factories.secondments import ExtensionFactory, SecondmentFactory
from tests.rules.groups import flagged, open_violations, records_of

CODE = "SEC-GRASSROOTS"
TODAY = datetime.date(2026, 12, 31)
A = Secondment.Arrangement
pytestmark = pytest.mark.django_db


def run(*codes):
    return sweep(TODAY, codes=[CODE, *codes])


def loan(home, borrower, **kwargs):
    return SecondmentFactory(unit=home, source_unit=borrower, hr_filed_on=datetime.date(2026, 2, 1), **kwargs)


def test_a_secondment_from_a_community_to_the_district_is_flagged_citing_the_regulation(tree):
    secondment = loan(tree.a, tree.dept)
    run()
    violation = Violation.objects.get(rule=CODE, record_id=secondment.pk)
    assert violation.message == "Secondment from a unit at community / village level, without a special approval"
    assert violation.severity == "high"
    assert violation.source_unit_id == tree.dept.pk
    rule = get_rule(CODE)
    assert rule.source == Source.REGULATION_2024
    assert rule.citation == "Several Provisions (2024), part IV"


@pytest.mark.parametrize(("home", "is_flagged"), [("a", True), ("s1", True), ("d1", True), ("city", False)])
def test_the_home_units_level_decides(tree, home, is_flagged):
    borrower = UnitFactory(code="PROV", level=Unit.Level.OTHER, is_grassroots=False)
    secondment = loan(getattr(tree, home), borrower)
    run()
    assert (secondment.pk in flagged(CODE)) is is_flagged


def test_a_department_is_at_its_parents_level(tree):
    city_bureau = UnitFactory(code="CITY-EDU", level=Unit.Level.DEPARTMENT, parent=tree.city, is_grassroots=False)
    from_district_bureau = loan(tree.dept, tree.city)
    from_city_bureau = loan(city_bureau, tree.city)
    run()
    assert flagged(CODE) == {from_district_bureau.pk}
    assert from_city_bureau.pk not in flagged(CODE)


def test_a_special_approval_lets_it_pass(tree):
    approved = loan(tree.a, tree.dept, specially_approved=True)
    not_approved = loan(tree.b, tree.dept)
    run()
    assert flagged(CODE) == {not_approved.pk}
    approved.specially_approved = False
    approved.save()
    evaluate_record("secondment", approved.pk, TODAY)
    assert approved.pk in flagged(CODE)


def test_a_loan_inside_the_home_units_own_subtree_or_to_no_named_unit_is_not_judged(tree):
    street_to_its_community = loan(tree.s1, tree.a)
    without_borrower = loan(tree.b, None)
    to_the_district = loan(tree.b, tree.d1)
    run()
    assert flagged(CODE) == {to_the_district.pk}
    assert not flagged(CODE) & {street_to_its_community.pk, without_borrower.pk}


@pytest.mark.parametrize("arrangement", A.values)
def test_every_name_of_a_loan_is_a_secondment(tree, arrangement):
    secondment = loan(tree.a, tree.dept, arrangement=arrangement)
    run()
    assert secondment.pk in flagged(CODE)


def test_the_message_names_the_arrangement(tree):
    loan(tree.a, tree.dept, arrangement=A.SHADOWING)
    run()
    assert Violation.objects.get(rule=CODE).message == (
        "Shadowing from a unit at community / village level, without a special approval"
    )


def test_changed_levels_move_the_boundary(tree):
    RuleSetting.objects.create(rule=CODE, params={"levels": ["community"]})
    from_community = loan(tree.a, tree.dept)
    from_street = loan(tree.s1, tree.dept)
    run()
    assert flagged(CODE) == {from_community.pk}
    assert from_street.pk not in flagged(CODE)


def test_a_four_month_attachment_post_from_a_community_is_flagged_by_the_term_and_grassroots_rules(tree):
    start = datetime.date(2026, 3, 2)
    secondment = loan(tree.a, tree.dept, arrangement=A.ATTACHMENT, start_date=start)
    secondment.planned_end_date = start + relativedelta(months=4)
    secondment.save()
    run("SEC-TERM")
    term = Violation.objects.get(rule="SEC-TERM", record_id=secondment.pk)
    assert term.message == "A first term of 4 months and 0 days, over the limit of 3 months"
    assert Violation.objects.get(rule=CODE, record_id=secondment.pk).message == (
        "Attachment post from a unit at community / village level, without a special approval"
    )
    assert get_rule("SEC-TERM").citation == "Paper 4.2.1"
    assert get_rule(CODE).citation == "Several Provisions (2024), part IV"


@pytest.mark.parametrize("arrangement", [A.TRANSFER, A.SHADOWING, A.ATTACHMENT])
def test_every_sec_rule_reads_a_relabelled_secondment(tree, arrangement):
    start = datetime.date(2026, 3, 2)
    long = SecondmentFactory(
        unit=tree.a,
        arrangement=arrangement,
        start_date=start,
        planned_end_date=start + relativedelta(months=3, days=1),
        approved_by="",
        hr_filed_on=None,
    )
    ExtensionFactory(secondment=long, new_end_date=start + relativedelta(months=7), approved_on=None)
    for _ in range(3):  # with ``long``, 4 of community A's 12 away: over a quarter
        SecondmentFactory(unit=tree.a, arrangement=arrangement, start_date=start)
    sweep(TODAY, codes=["SEC-TERM", "SEC-EXTENSION", "SEC-OVERDUE", "SEC-APPROVAL", "SEC-SHARE"])
    for code in ("SEC-TERM", "SEC-EXTENSION", "SEC-OVERDUE", "SEC-APPROVAL", "SEC-SHARE"):
        behind = {record for violation in open_violations(code) for record in records_of(violation)}
        assert long.pk in behind, code


def test_relabelled_secondments_are_those_not_called_one(tree):
    SecondmentFactory(unit=tree.a)
    others = {SecondmentFactory(unit=tree.a, arrangement=arrangement).pk for arrangement in A.values[1:]}
    assert set(Secondment.objects.filter(Secondment.relabelled()).values_list("pk", flat=True)) == others
