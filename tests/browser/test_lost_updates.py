"""Two people edit one meeting in two browsers: the second save is refused, in Chinese, and keeps its typing."""

import pytest
from playwright.sync_api import expect

from meetings.models import Meeting
from tests.record_factories.meetings import MeetingFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def meeting(tree, personas):
    return MeetingFactory(title="防汛工作部署会", unit=tree.a, source_unit=tree.dept, duration_minutes=90)


def test_the_second_of_two_editors_is_told_what_changed_and_keeps_what_they_typed(
    new_context, log_in, live_server, meeting, personas
):
    edit = f"/meetings/{meeting.pk}/edit/"
    staff = log_in(new_context(locale="zh-CN").new_page(), personas.staff_a.username)
    supervisor = log_in(new_context(locale="zh-CN").new_page(), personas.supervisor.username)
    staff.goto(edit)
    supervisor.goto(edit)

    supervisor.get_by_label("会议时长（分钟）").fill("120")
    supervisor.locator("#record-form button[type=submit]").first.click()
    expect(supervisor.locator(".alert-success")).to_be_visible()

    staff.get_by_label("会议时长（分钟）").fill("45")
    staff.get_by_label("备注").fill("按实际时长更正")
    staff.locator("#record-form button[type=submit]").first.click()

    alert = staff.locator("#record-form .alert-danger")
    expect(alert).to_contain_text("您的修改未保存")
    expect(alert).to_contain_text("会议时长（分钟） 已被 supervisor 改为 120")
    expect(staff.get_by_label("会议时长（分钟）")).to_have_value("45")
    expect(staff.get_by_label("备注")).to_have_value("按实际时长更正")
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.duration_minutes, stored.notes) == (120, "")

    # Having seen the change, saving again keeps what this person typed.
    staff.locator("#record-form button[type=submit]").first.click()
    expect(staff.locator(".alert-success")).to_be_visible()
    assert Meeting.objects.get(pk=meeting.pk).duration_minutes == 45
