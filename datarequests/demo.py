"""Demo data requests against a small approved data list (see ``burden.demo_records``).

An ordinary request passes every data request rule: it asks nothing the unit gave
anyone in the last 90 days, items off the data list are approved, it leaves a week or
so to answer, and reports come monthly at most. The flags come from two habits — the
statistics bureau asking every unit again, month after month, for the population it
holds (``ASKS_AGAIN``) and the commission wanting a weekly progress report by the
next day (``WEEKLY_REPORTS``), padded out so that less than four fifths is core content
(RPT-CORE-SHARE) — and from rare slips. The shares of core content come from a random
generator of their own, so that the other records stay the ones they were.
"""

import datetime
import random

from burden.demo_records import ASKS_AGAIN, SEED, WEEKLY_REPORTS

from .models import CatalogueItem, DataRequest, DataRequestItem

CATALOGUE = [
    ("POP-01", "常住人口数", "JC-TJJ"),
    ("POP-02", "户籍人口数", "JC-TJJ"),
    ("WEL-01", "低保对象名单", "DH-MZJ"),
    ("WEL-02", "特困供养人员名单", "DH-MZJ"),
    ("HLT-01", "65岁以上老年人健康档案数", "XS-WJJ"),
    ("EDU-01", "适龄儿童入学情况", "DH-JYJ"),
    ("SAF-01", "重点企业安全隐患台账", "DH-YJJ"),
    ("ENV-01", "垃圾分类小区覆盖率", "JC-STJ"),
]
# Enough different things to ask that a unit is rarely asked the same one twice in 90 days.
FREE_ITEMS = [
    "辖区商铺数量",
    "独居老人名单",
    "志愿者服务时长",
    "网格员走访记录",
    "电动车充电桩数量",
    "退役军人信息",
    "困境儿童名单",
    "残疾人基本情况",
    "出租房屋台账",
    "流动人口登记情况",
    "燃气用户底数",
    "高层建筑消防设施情况",
    "老旧小区改造意愿调查",
    "新就业形态劳动者底数",
    "小区物业服务情况",
    "地下空间使用情况",
    "危房排查台账",
    "空置房屋底数",
    "家庭医生签约人数",
    "社区食堂运营情况",
    "养老服务需求调查",
    "垃圾分类督导员名单",
    "楼栋长名单",
    "社会组织名单",
    "个体工商户名单",
    "防汛物资储备情况",
    "应急避难场所情况",
    "消防栓分布情况",
    "文明实践活动开展情况",
    "矛盾纠纷排查台账",
    "安置帮教对象名单",
    "托育机构情况",
    "农村集体资产台账",
    "耕地保护巡查记录",
    "居民议事会开展情况",
    "平安志愿者名单",
]
TITLES = ["关于报送{}的通知", "{}统计表", "请于期限内填报{}", "{}情况调查"]
WEEKLY_TOPICS = ["疫苗接种进度", "健康随访进度", "爱国卫生运动进展", "病媒生物防制进展"]
REPEAT_DAYS = 90  # DR-DUPLICATE's default: an item is not asked of a unit again within this


def demo_records(context) -> int:
    rng = context.rng
    owners = {unit.code: unit for unit in context.departments}
    catalogue = []
    for code, name, owner in CATALOGUE:
        item, _created = CatalogueItem.objects.get_or_create(
            code=code, defaults={"name": name, "owner_unit": owners.get(owner, context.departments[0])}
        )
        catalogue.append(item)
    population = catalogue[:2]  # ASKS_AGAIN: the statistics bureau's own figures
    requests, items = [], []
    for unit in context.communities + context.streets:
        rate = 0.2 if unit.level == "community" else 0.35
        last_asked = {}  # item -> the day it was last asked of this unit
        for day, season in context.days():
            for _ in range(context.count(rate * season)):
                source = context.source_for(unit)
                habit = context.habit(source)
                if habit == ASKS_AGAIN:
                    chosen = population[: rng.choice([1, 2])]
                    request = _ordinary(rng, context, unit, source, day, chosen)
                elif habit == WEEKLY_REPORTS:
                    week = day.isocalendar().week
                    chosen = [f"第{week}周{rng.choice(WEEKLY_TOPICS)}"]
                    request = _ordinary(rng, context, unit, source, day, chosen)
                    request.kind, request.frequency = DataRequest.Kind.REPORT, DataRequest.Frequency.WEEKLY
                    request.deadline = day + context.timedelta(1)
                else:
                    fresh = [item for item in catalogue + FREE_ITEMS if _fresh(last_asked, item, day)]
                    chosen = rng.sample(fresh, min(len(fresh), rng.choice([1, 1, 2, 2, 3])))
                    if not chosen:  # a busy quarter: everything was asked already
                        chosen = [min(last_asked, key=last_asked.get)]
                    request = _ordinary(rng, context, unit, source, day, chosen)
                    if context.slip():
                        _slip(rng, request, chosen, last_asked)
                for item in chosen:
                    last_asked[item] = day
                request.item_count = len(chosen)
                request.external_id = context.external_id("data-request")
                requests.append(request)
                items.append(chosen)
    shares = random.Random(f"{SEED}-core-shares")
    for request in requests:
        if request.kind == DataRequest.Kind.REPORT:
            padded = request.frequency == DataRequest.Frequency.WEEKLY
            request.core_share_percent = shares.randint(55, 75) if padded else shares.randint(80, 95)
    saved = context.save(DataRequest, requests)
    rows = []
    for request, chosen in zip(requests, items, strict=True):
        for position, value in enumerate(chosen):
            linked = value if isinstance(value, CatalogueItem) else None
            rows.append(
                DataRequestItem(
                    request=request, catalogue_item=linked, name=linked.name if linked else value, position=position
                )
            )
    DataRequestItem.objects.bulk_create(rows, batch_size=5000)
    return saved


def _name(item) -> str:
    return item.name if isinstance(item, CatalogueItem) else item


def _fresh(last_asked: dict, item, day) -> bool:
    return item not in last_asked or (day - last_asked[item]).days > REPEAT_DAYS


def _ordinary(rng, context, unit, source, day, chosen) -> DataRequest:
    """A request that breaks no rule: items off the list approved, a week or so to answer."""
    off_list = any(not isinstance(item, CatalogueItem) for item in chosen)
    return DataRequest(
        unit=unit,
        source_unit=source,
        title=rng.choice(TITLES).format(_name(chosen[0])),
        date=day,
        kind=rng.choice(["data", "data", "report"]),
        frequency=rng.choice(["once", "once", "monthly", "quarterly", "yearly"]),
        deadline=day + context.timedelta(rng.choice([5, 7, 10, 14])),
        approved_on=day if off_list or rng.random() < 0.5 else None,
        channel=rng.choice(["paper", "spreadsheet", "spreadsheet", "work_app", "system"]),
        filling_hours=None,
    )


def _slip(rng, request: DataRequest, chosen: list, last_asked: dict) -> None:
    """One rule broken by an ordinary requester on an ordinary day."""
    slip = rng.choice(["unapproved", "deadline", "again"])
    if slip == "unapproved" and any(not isinstance(item, CatalogueItem) for item in chosen):
        request.approved_on = None
    elif slip == "deadline":
        request.deadline = request.date + datetime.timedelta(days=1)
    elif last_asked:
        chosen.append(max(last_asked, key=last_asked.get))  # asked again what was asked last
