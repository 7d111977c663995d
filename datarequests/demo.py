"""Demo data requests against a small approved data list (see ``burden.demo_records``)."""

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
FREE_ITEMS = ["辖区商铺数量", "独居老人名单", "志愿者服务时长", "网格员走访记录", "电动车充电桩数量", "退役军人信息"]
TITLES = ["关于报送{}的通知", "{}统计表", "请于期限内填报{}", "{}情况调查"]


def demo_records(context) -> int:
    rng = context.rng
    owners = {unit.code: unit for unit in context.departments}
    catalogue = []
    for code, name, owner in CATALOGUE:
        item, _created = CatalogueItem.objects.get_or_create(
            code=code, defaults={"name": name, "owner_unit": owners.get(owner, context.departments[0])}
        )
        catalogue.append(item)
    requests, items = [], []
    for unit in context.communities + context.streets:
        rate = 0.2 if unit.level == "community" else 0.35
        for day, season in context.days():
            for _ in range(context.count(rate * season)):
                chosen = rng.sample(catalogue, rng.randint(0, 2)) + rng.sample(FREE_ITEMS, rng.randint(0, 3))
                chosen = chosen or [rng.choice(FREE_ITEMS)]
                first = chosen[0].name if isinstance(chosen[0], CatalogueItem) else chosen[0]
                request = DataRequest(
                    unit=unit,
                    source_unit=context.source_for(unit),
                    title=rng.choice(TITLES).format(first),
                    date=day,
                    kind=rng.choice(["data", "data", "report"]),
                    frequency=rng.choice(["once", "once", "monthly", "quarterly", "weekly", "yearly"]),
                    deadline=day + context.timedelta(rng.choice([1, 2, 3, 5, 7, 14])),
                    approved_on=day if rng.random() < 0.5 else None,
                    channel=rng.choice(["paper", "spreadsheet", "spreadsheet", "work_app", "system"]),
                    filling_hours=None,
                    item_count=len(chosen),
                    external_id=context.external_id("data-request"),
                )
                requests.append(request)
                items.append(chosen)
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
