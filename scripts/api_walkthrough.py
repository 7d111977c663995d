"""Drive the product through its REST API only, as an integrating system would.

    python scripts/api_walkthrough.py http://127.0.0.1:8000 ADMIN_USERNAME ADMIN_PASSWORD

With a superuser's (or a city admin's) sign-in it creates a district, a street and a
community with an admin, a supervisor and a staff member; the staff member logs one
record of each kind, each breaking a rule; it reads their flags; the admin raises a
threshold and sees the flag clear (and puts it back); the supervisor acknowledges and
resolves a flag; and every role boundary on the way is checked (401, 403, 404).
Only the standard library is used. Exits 1 at the first expectation that fails.
"""

from __future__ import annotations

import json
import secrets
import sys
import urllib.error
import urllib.request


class Failed(Exception):
    pass


class Caller:
    def __init__(self, base: str, token: str | None = None):
        # urlopen would read file: and other schemes too; this script only speaks to a web server.
        if not base.startswith(("http://", "https://")):
            raise Failed(f"{base!r} is not an http:// or https:// address")
        self.base, self.token = base.rstrip("/"), token

    def call(self, method: str, path: str, body=None, expect: int | tuple = 200):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}/api/v1/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept", "application/json")
        request.add_header("Accept-Language", "en")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # nosec B310 # http(s) only, see __init__
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        payload = json.loads(raw) if raw else None
        wanted = expect if isinstance(expect, tuple) else (expect,)
        if status not in wanted:
            raise Failed(f"{method} {path}: expected {expect}, got {status}: {raw[:500]!r}")
        return payload


def sign_in(base: str, username: str, password: str) -> Caller:
    token = Caller(base).call("POST", "auth/token/", {"username": username, "password": password})["token"]
    return Caller(base, token)


def step(text: str) -> None:
    print(f"  ✓ {text}")


def flags(caller: Caller, path: str, record_id: int) -> dict[str, str]:
    return {flag["rule"]: flag["status"] for flag in caller.call("GET", f"{path}/{record_id}/")["violations"]}


def walkthrough(base: str, username: str, password: str) -> None:
    admin = sign_in(base, username, password)
    Caller(base).call("GET", "units/", expect=401)
    step("signed in as the admin; no credentials is a 401")

    tag = secrets.token_hex(3).upper()
    top = admin.call("GET", "units/?page_size=500")["results"][0]["code"]
    district, street, community, other = (f"WT{tag}-{name}" for name in ("D", "S", "C", "X"))
    admin.call("POST", "units/", {"code": district, "name": "演练区", "parent": top, "level": "district"}, 201)
    admin.call("POST", "units/", {"code": street, "name": "演练街道", "parent": district, "level": "street"}, 201)
    admin.call(
        "POST",
        "units/",
        {"code": community, "name": "演练社区", "parent": street, "level": "community", "headcount": 8},
        201,
    )
    admin.call("POST", "units/", {"code": other, "name": "另一社区", "parent": street, "level": "community"}, 201)
    step(f"created units {district} > {street} > {community}, {other}")

    password_new = f"Walk-{secrets.token_hex(8)}"
    people = {"staff": community, "supervisor": street}
    for role, unit in people.items():
        name = f"wt{tag.lower()}_{role}"
        admin.call("POST", "users/", {"username": name, "password": password_new}, 201)
        admin.call("POST", "memberships/", {"user": name, "unit": unit, "role": role}, 201)
    admin.call("POST", "users/", {"username": f"wt{tag.lower()}_other", "password": password_new}, 201)
    admin.call("POST", "memberships/", {"user": f"wt{tag.lower()}_other", "unit": other, "role": "staff"}, 201)
    staff = sign_in(base, f"wt{tag.lower()}_staff", password_new)
    supervisor = sign_in(base, f"wt{tag.lower()}_supervisor", password_new)
    stranger = sign_in(base, f"wt{tag.lower()}_other", password_new)
    step("created a staff member, a supervisor and a staff member of another community, with tokens")

    records = {
        "meetings": (
            {"title": "部署会", "date": "2026-03-02", "duration_minutes": 120, "attendees": 2, "mode": "in_person"},
            "MTG-DURATION",
        ),
        "documents": (
            {"title": "转发通知", "received_on": "2026-03-02", "kind": "forwarding", "has_local_content": False},
            "DOC-FORWARD",
        ),
        "inspections": (
            {"title": "专项督查", "date": "2026-03-02", "purpose": "supervision", "tables_demanded": 20},
            "INS-MATERIALS",
        ),
        "secondments": (
            {
                "person_name": "张三",
                "host_name": "专班",
                "start_date": "2026-01-31",
                "planned_end_date": "2026-05-01",
                "approved_by": "王主任",
                "approved_on": "2026-01-20",
            },
            "SEC-TERM",
        ),
        "data-requests": (
            {"title": "周报表", "date": "2026-03-02", "kind": "report", "items": ["常住人口"], "frequency": "weekly"},
            "RPT-FREQUENCY",
        ),
        "work-apps": (
            {
                "name": "创文打卡群",
                "app_kind": "group",
                "start_date": "2026-03-02",
                "end_date": "2026-03-31",
                "people_required": 3,
                "minutes_per_day": 10,
                "demands": ["checkin", "reply_chain"],
                "security_or_emergency": False,
                "matter": "创文",
            },
            "APP-BANNED-FUNCTION",
        ),
    }
    created = {}
    for path, (body, rule) in records.items():
        record = staff.call("POST", f"{path}/", {**body, "unit": community, "source_unit": district}, 201)
        created[path] = record["id"]
        if flags(staff, path, record["id"]).get(rule) != "open":
            raise Failed(f"{path} {record['id']}: expected an open {rule} flag, got {record['violations']}")
    step("the staff member logged one record of each of the six kinds, each flagged by its rule")

    staff.call("POST", "meetings/", {**records["meetings"][0], "unit": other}, 400)
    stranger.call("GET", f"meetings/{created['meetings']}/", expect=404)
    staff.call("PATCH", "rules/MTG-DURATION/", {"params": {"max_minutes": 200}}, 403)
    supervisor.call("GET", "users/", expect=403)
    step("role boundaries hold: another unit is a 400 to write and a 404 to read; thresholds and people are 403")

    rule = admin.call("GET", "rules/MTG-DURATION/")
    before = rule["params"]
    admin.call("PATCH", "rules/MTG-DURATION/", {"params": {"max_minutes": 180}, "reason": "walkthrough"})
    if flags(staff, "meetings", created["meetings"]).get("MTG-DURATION"):
        raise Failed("the meeting's MTG-DURATION flag did not clear after the threshold went up")
    admin.call("PATCH", "rules/MTG-DURATION/", {"params": before, "reason": "walkthrough: back as it was"})
    if flags(staff, "meetings", created["meetings"]).get("MTG-DURATION") != "open":
        raise Failed("the meeting's MTG-DURATION flag did not come back with the old threshold")
    step("the admin raised a threshold and the flag cleared; putting it back reopened it")

    found = supervisor.call("GET", f"violations/?unit={street}&rule=INS-MATERIALS&status=open")["results"]
    if len(found) != 1:
        raise Failed(f"expected one open INS-MATERIALS flag under {street}, got {found}")
    violation = found[0]["id"]
    staff.call("POST", f"violations/{violation}/transition/", {"status": "resolved", "note": "x"}, 403)
    stranger.call("POST", f"violations/{violation}/transition/", {"status": "resolved", "note": "x"}, 404)
    supervisor.call("POST", f"violations/{violation}/transition/", {"status": "waived"}, 400)
    supervisor.call("POST", f"violations/{violation}/transition/", {"status": "acknowledged", "note": "seen"})
    done = supervisor.call(
        "POST", f"violations/{violation}/transition/", {"status": "resolved", "note": "tables cut to 5"}
    )
    if done["status"] != "resolved":
        raise Failed(f"the violation is {done['status']}, not resolved")
    if flags(staff, "inspections", created["inspections"]).get("INS-MATERIALS") != "resolved":
        raise Failed("the staff member does not see the outcome of the flag")
    step("the supervisor acknowledged and resolved a flag; staff may not, strangers get a 404; staff see the outcome")

    summary = supervisor.call("GET", f"burden/summary/?unit={street}&from=2026-01-01&to=2026-12-31")
    if summary["total_hours"] <= 0 or set(summary["by_kind"]) != {
        "meeting",
        "document",
        "inspection",
        "secondment",
        "data_request",
        "work_app",
    }:
        raise Failed(f"unexpected summary {summary}")
    step(f"the street's burden summary adds up to {summary['total_hours']} hours")


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__)
        return 2
    try:
        walkthrough(*argv[1:])
    except Failed as failure:
        print(f"  ✗ {failure}")
        return 1
    print("walkthrough passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
