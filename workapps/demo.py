"""Demo work apps and work groups (see ``burden.demo_records``).

A handful per community and street: the grid's work group for 接龙 and head counts, a
department's app for forms, a flood-season duty group that may ask for check-ins and
locations, since it serves emergencies. The flags come from one habit — the bureau that
wants photos and check-ins as proof (``TRACES``), whose groups demand a daily check-in
and whose campaign apps pile up on the same units — and from rare slips: a group kept
long after its matter ended, a second group for the same matter.
"""

import datetime

from burden.demo_records import TRACES

from .models import Demand, WorkApp

ORDINARY = [
    # (name, app kind, demands, matter, minutes a day)
    ("网格员工作群", WorkApp.AppKind.GROUP, [Demand.REPLY_CHAIN, Demand.FORM_FILLING], "网格化管理", 15),
    ("人口信息采集小程序", WorkApp.AppKind.MINI_PROGRAM, [Demand.FORM_FILLING], "人口信息采集", 10),
    ("民政业务工作群", WorkApp.AppKind.GROUP, [Demand.REPLY_CHAIN], "低保年审", 10),
    ("垃圾分类督导群", WorkApp.AppKind.GROUP, [Demand.FORM_FILLING], "垃圾分类", 10),
    ("政务服务公众号", WorkApp.AppKind.ACCOUNT, [], "政务信息发布", 5),
]
EMERGENCY = [
    ("防汛应急值守群", [Demand.CHECKIN, Demand.LOCATION_UPLOAD, Demand.REPLY_CHAIN], "防汛值守"),
    ("森林防火巡查群", [Demand.CHECKIN, Demand.PHOTO_UPLOAD], "森林防火"),
]
TRACE_APPS = [
    ("创文打卡工作群", WorkApp.AppKind.GROUP, [Demand.CHECKIN, Demand.PHOTO_UPLOAD, Demand.REPLY_CHAIN]),
    ("志愿服务积分小程序", WorkApp.AppKind.MINI_PROGRAM, [Demand.RANKING, Demand.FORCED_INSTALL]),
    ("网上学习平台", WorkApp.AppKind.APP, [Demand.ONLINE_TIME, Demand.RANKING, Demand.FORCED_INSTALL]),
    ("文明实践打卡群", WorkApp.AppKind.GROUP, [Demand.CHECKIN, Demand.LOCATION_UPLOAD]),
]
TRACE_MATTER = "文明城市创建"


def demo_records(context) -> int:
    rng = context.rng
    tracer = context.offender(TRACES)
    apps = []
    for unit in context.communities + context.streets:
        for name, kind, demands, matter, minutes in rng.sample(ORDINARY, rng.choice([2, 3])):
            apps.append(_app(context, unit, context.source_for(unit), name, kind, demands, matter, minutes))
        if rng.random() < 0.5:
            name, demands, matter = rng.choice(EMERGENCY)
            app = _app(context, unit, context.source_for(unit), name, WorkApp.AppKind.GROUP, demands, matter, 20)
            app.security_or_emergency = True
            apps.append(app)
        if rng.random() < 0.35:  # TRACES: the bureau's campaign, app after app on the same unit
            for name, kind, demands in rng.sample(TRACE_APPS, rng.choice([1, 2, 4])):
                apps.append(_app(context, unit, tracer, name, kind, demands, TRACE_MATTER, 20))
        if rng.random() < 0.15:  # a census group kept long after the census was done
            app = _app(
                context,
                unit,
                context.source_for(unit),
                "人口普查工作群",
                WorkApp.AppKind.GROUP,
                [Demand.REPLY_CHAIN],
                "人口普查",
                5,
            )
            app.start_date = context.start
            app.matter_ended_on = context.start + datetime.timedelta(days=rng.randint(60, 120))
            apps.append(app)
    for app in apps:
        app.external_id = context.external_id("work_app")
    return context.save(WorkApp, apps)


def _app(context, unit, source, name, kind, demands, matter, minutes) -> WorkApp:
    rng = context.rng
    start = context.start + datetime.timedelta(days=rng.randint(0, 300))
    ended = rng.random() < 0.3
    return WorkApp(
        unit=unit,
        source_unit=source,
        name=name,
        app_kind=kind,
        start_date=start,
        end_date=min(context.today, start + datetime.timedelta(days=rng.randint(20, 90))) if ended else None,
        people_required=rng.choice([1, 2, 2, 3, 5]) if unit.level == "community" else rng.choice([3, 5, 8]),
        minutes_per_day=max(5, minutes + rng.choice([-5, 0, 0, 5, 10])),
        demands=list(demands),
        matter=matter,
        trace_requirements=[],
    )
