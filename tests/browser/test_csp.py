"""Every page works under the Content-Security-Policy, and the browser reports no violation.

An init script records each ``securitypolicyviolation`` event into ``window.__cspViolations``
before any of the page's own scripts run, and the console is watched for Chromium's
"Refused to … because it violates the following Content Security Policy directive" errors
and for script errors. The walk covers each page of tests/test_permissions.py's table (and
every record kind's pages) for a staff member, a supervisor and an admin, the Django admin,
the API docs (Swagger UI), the dashboard's charts, htmx (the live estimate, a rule's
progress) and the sign-in pages. What replaced the inline code is checked to work too:
progress bars get their width, tree rows their indentation, forms ask before removing.
"""

import datetime

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django_celery_beat.models import CrontabSchedule
from playwright.sync_api import expect

from burden.record_views import record_configs
from burden.rules.engine import evaluate_record
from burden.rules.models import RuleOverride, RuleRun
from meetings.models import Meeting
from tests.factories import RECORD_FACTORIES
from tests.record_factories.meetings import MeetingFactory
from tests.test_permissions import FORBIDDEN, OK, PAGES

pytestmark = pytest.mark.browser

VIOLATION_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"} ` +
      `at ${event.sourceFile || "?"}:${event.lineNumber} ${event.sample || ""}`,
  );
});
"""

# Pages of the table that answer with a file rather than a page.
DOWNLOADS = {"insights:report_xlsx"}
RECORD_PAGES = ["list", "create", "deleted", "import", "detail", "update", "delete"]


class PolicyWatch:
    """A page that remembers every CSP violation and script error it met, with the address it met it at."""

    def __init__(self, page):
        self.page = page
        self.problems = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: script error: {error}"))

    def _console(self, message):
        blocked = message.type == "error" and "Content Security Policy" in message.text
        # Chromium warns, in the console only, when Permissions-Policy names a feature it does not know.
        unknown_feature = message.type in ("error", "warning") and "Permissions-Policy" in message.text
        if blocked or unknown_feature:
            self.problems.append(f"{self.page.url}: console: {message.text}")

    def visit(self, url: str, statuses=(200,)):
        response = self.page.goto(url)
        assert response is not None and response.status in statuses, f"{url} answered {response and response.status}"
        assert "Content-Security-Policy" in {name.title() for name in response.headers}, url
        self.collect()
        return response

    def assert_clean(self):
        self.collect()
        if self.problems:
            pytest.fail("\n".join(["The browser met these CSP violations or script errors:", *self.problems]))

    def collect(self):
        """Move the violations the page has recorded so far into ``problems``."""
        for violation in self.page.evaluate("window.__cspViolations || []"):
            self.problems.append(f"{self.page.url}: {violation}")
        self.page.evaluate("window.__cspViolations = []")


@pytest.fixture
def watch(new_context):
    def _watch():
        context = new_context(locale="zh-CN")
        context.add_init_script(VIOLATION_RECORDER)
        return PolicyWatch(context.new_page())

    return _watch


@pytest.fixture
def records(tree, personas):
    """One record of every kind in community A, flags on them, and the dashboard's rollups."""
    made = {
        model: factory(unit=tree.a, source_unit=tree.dept, created_by=personas.staff_a)
        for model, factory in RECORD_FACTORIES.items()
    }
    long_meeting = MeetingFactory(unit=tree.a, source_unit=tree.dept, duration_minutes=150, created_by=personas.staff_a)
    for meeting in (made[Meeting], long_meeting):
        evaluate_record("meeting", meeting.pk)
    call_command("rollups_rebuild", verbosity=0)
    return made


def walk_urls(persona: str, records: dict) -> list[tuple[str, tuple[int, ...]]]:
    """The pages ``persona`` may open, with the statuses they may answer with."""
    urls = [
        (reverse(name, args=args), (OK,))
        for name, args, expected in PAGES
        if expected[persona] == OK and name not in DOWNLOADS
    ]
    for config in record_configs():
        record = records[config.model]
        for action in RECORD_PAGES:
            args = [record.pk] if action in ("detail", "update", "delete") else []
            # Some (the deleted records) are for admins only: the refusal is a page too.
            urls.append((reverse(config.url_name(action), args=args), (OK, FORBIDDEN)))
    return urls


@pytest.mark.parametrize(
    ("persona", "username"),
    [("staff_a", "staff_a"), ("supervisor", "supervisor"), ("admin", "admin_city")],
    ids=["staff", "supervisor", "admin"],
)
def test_no_page_of_the_persona_walk_breaks_the_policy(watch, records, log_in, persona, username):
    browser = watch()
    log_in(browser.page, username)
    browser.collect()
    urls = walk_urls(persona, records)
    assert len(urls) > 30
    for url, statuses in urls:
        browser.visit(url, statuses)
    browser.assert_clean()


def test_the_django_admin_breaks_no_policy(watch, records, personas, log_in):
    """Every model's list, add form, a change form, its history and its delete page, for a superuser."""
    browser = watch()
    log_in(browser.page, "root")
    browser.visit(reverse("admin:index"))
    visited = 0
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        browser.visit(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(_request_for(personas.superuser)):
            browser.visit(reverse("admin:{}_{}_add".format(*info)))
        first = model_admin.get_queryset(_request_for(personas.superuser)).first()
        if first is not None:
            for view in ("change", "history", "delete"):
                try:
                    url = reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[first.pk])
                except NoReverseMatch:
                    continue
                # Some objects may not be deleted (the one cost table): the refusal is a page too.
                browser.visit(url, (OK, FORBIDDEN))
            visited += 1
    # Django's UserAdmin names its password page after auth.User, whatever the user model.
    browser.visit(reverse("admin:auth_user_password_change", args=[personas.staff_a.pk]))
    browser.visit(reverse("admin:password_change"))
    assert visited >= 3
    browser.assert_clean()


def _request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_the_admin_s_own_scripts_run_under_the_policy(watch, tree, personas, log_in):
    browser = watch()
    log_in(browser.page, "root")
    browser.visit(reverse("admin:burden_unit_changelist"))
    page = browser.page
    # actions.js: the header's box ticks every row and the counter follows.
    page.locator("#action-toggle").check()
    expect(page.locator("input.action-select:checked")).to_have_count(9)
    expect(page.locator(".action-counter")).to_contain_text("9")

    # Our static stand-in for django-celery-beat's inline script: the crontab in words.
    crontab = CrontabSchedule.objects.create(minute="0", hour="8")
    browser.visit(reverse("admin:django_celery_beat_periodictask_add"))
    expect(page.locator(".field-crontab_translation")).to_be_hidden()
    page.locator("#id_crontab").select_option(str(crontab.pk))
    expect(page.locator(".field-crontab .crontab-in-words")).to_have_text(crontab.human_readable)
    browser.assert_clean()


def test_the_api_docs_render_their_operations_under_the_policy(watch, personas, log_in):
    browser = watch()
    log_in(browser.page, "staff_a")
    browser.visit("/api/v1/docs/")
    page = browser.page
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Grassroots Burden Tracker API")
    operations = page.locator(".swagger-ui .opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 20
    operations.first.locator(".opblock-summary").click()
    expect(page.locator(".swagger-ui .opblock-body").first).to_be_visible()
    browser.assert_clean()


def test_the_browsable_api_breaks_no_policy(watch, records, tree, log_in):
    browser = watch()
    log_in(browser.page, "admin_city")
    for url in ("/api/v1/", "/api/v1/units/", f"/api/v1/units/{tree.a.code}/", "/api/v1/users/", "/api/v1/meetings/"):
        browser.visit(url)
    # DRF's own scripts run: the filters button opens its dialog.
    browser.page.locator("[data-target='#filtersModal']").click()
    expect(browser.page.locator("#filtersModal")).to_be_visible()
    browser.assert_clean()


def test_the_dashboard_draws_its_charts_and_their_tooltips_under_the_policy(watch, records, log_in):
    browser = watch()
    log_in(browser.page, "supervisor")
    today = datetime.date.today()
    browser.visit(f"/dashboard/?unit=S1&start={today.year - 1}-01&end={today.year + 1}-12")
    page = browser.page
    chart = page.locator("[data-chart-source]").first
    canvas = chart.locator("canvas, svg").first
    expect(canvas).to_be_visible()
    # ECharts would write its tooltip as HTML with style="" attributes: hover across the bars,
    # then have it shown for the first bar, so that the tooltip is drawn whatever the layout.
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for step in range(1, 10):
        page.mouse.move(box["x"] + box["width"] * step / 10, box["y"] + box["height"] * 0.8)
        page.wait_for_timeout(50)
    chart.evaluate("e => echarts.getInstanceByDom(e).dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})")
    page.wait_for_timeout(300)
    # "Open flags by rule" grows with its rows: insight-charts.js copied their number into the CSS.
    horizontal = page.locator(".insight-chart-horizontal").first
    expect(horizontal.locator("canvas")).to_be_visible()
    rows = horizontal.get_attribute("data-chart-rows")
    assert horizontal.evaluate("e => e.style.getPropertyValue('--chart-rows')") == rows
    browser.assert_clean()


def test_the_live_estimate_comes_through_htmx_under_the_policy(watch, personas, log_in):
    browser = watch()
    log_in(browser.page, "staff_a")
    browser.visit("/meetings/new/")
    page = browser.page
    page.locator("#id_title").fill("安全生产部署会")
    page.locator("#id_date").fill("2026-03-02")
    page.locator("#id_source_unit").fill("D1-EDU")
    page.locator("#id_duration_minutes").fill("50")
    page.locator("#id_travel_minutes").fill("20")
    page.locator("#id_attendees").fill("3")
    # (50 + 20) / 60 x 3 = 3.5 person-hours: htmx posted the form and swapped the answer in.
    expect(page.get_by_test_id("estimate")).to_contain_text("3.5")
    browser.assert_clean()


def test_a_rule_s_progress_polls_through_htmx_and_its_bar_gets_its_width(watch, personas, log_in):
    RuleRun.objects.create(rule="MTG-DURATION", status=RuleRun.Status.RUNNING, steps_total=4, steps_done=1)
    browser = watch()
    log_in(browser.page, "admin_city")
    browser.visit(reverse("rule_detail", args=["MTG-DURATION"]))
    bar = browser.page.locator("#rule-run .progress-bar")
    expect(bar).to_have_attribute("data-progress", "25")
    assert bar.evaluate("e => e.style.width") == "25%"
    # The next poll (every 2 s) swaps a fresh fragment in; its bar is sized again.
    RuleRun.objects.update(steps_done=3)
    expect(browser.page.locator("#rule-run .progress-bar")).to_have_attribute("data-progress", "75", timeout=10_000)
    assert browser.page.locator("#rule-run .progress-bar").evaluate("e => e.style.width") == "75%"
    browser.assert_clean()


def test_the_unit_tree_is_indented_and_a_removal_is_previewed_first(watch, tree, personas, log_in):
    RuleOverride.objects.create(rule="MTG-DURATION", unit=tree.d1, params={})
    browser = watch()
    log_in(browser.page, "admin_city")
    page = browser.page
    browser.visit(reverse("unit_list"))

    def indent(code):
        link = page.locator(f'main a[href="/units/{code}/"]')
        return link.evaluate("e => parseFloat(getComputedStyle(e).paddingLeft)")

    # A community sits three levels below the city, a street two.
    assert indent("CITY") < indent("S1") < indent("A")

    browser.visit(reverse("rule_detail", args=["MTG-DURATION"]))
    removal = page.get_by_test_id("remove-override")
    removal.locator("[name=reason]").fill("不再需要")
    removal.locator("button[type=submit]").click()
    expect(page.get_by_test_id("preview")).to_be_visible()
    assert RuleOverride.objects.filter(unit=tree.d1).exists()  # only previewed
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("overrides").locator(".list-group")).to_have_count(0)
    assert not RuleOverride.objects.filter(unit=tree.d1).exists()
    browser.assert_clean()


def test_the_sign_in_pages_and_the_not_found_page_break_no_policy(watch, personas, log_in, live_server):
    browser = watch()
    browser.visit("/admin/login/")
    browser.visit("/accounts/login/")
    log_in(browser.page, "staff_a")
    # Bootstrap's script opens the person's menu.
    browser.page.get_by_test_id("username").click()
    expect(browser.page.locator(".dropdown-menu.show")).to_contain_text("修改密码")
    browser.collect()
    browser.visit(reverse("review:deadline_settings"), (FORBIDDEN,))  # for admins only
    browser.visit("/no-such-page/", (404,))
    browser.assert_clean()


def test_the_watch_sees_a_violation_when_there_is_one(watch, personas, log_in):
    """The walk above can fail: an inline style and an inline script are reported."""
    browser = watch()
    log_in(browser.page, "staff_a")
    browser.page.evaluate(
        """() => {
        document.body.insertAdjacentHTML("beforeend", '<div style="color: red">x</div>');
        const script = document.createElement("script");
        script.textContent = "window.__ran = true";
        document.body.append(script);
    }"""
    )
    browser.page.wait_for_timeout(200)
    browser.collect()
    assert any("style-src" in problem for problem in browser.problems), browser.problems
    assert any("script-src" in problem for problem in browser.problems), browser.problems
    assert browser.page.evaluate("window.__ran") is None
