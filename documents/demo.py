"""A year of demo documents (see ``burden.demo_records``): a steady flow, and a few flood days."""

from .models import Document

SUBJECTS = [
    "安全生产大排查大整治",
    "防汛抗旱",
    "创建全国文明城市",
    "垃圾分类",
    "燃气安全专项整治",
    "基层治理数字化",
    "人口普查数据核查",
    "城乡居民医保参保",
    "消防安全隐患排查",
    "市容环境整治",
    "防范电信网络诈骗",
    "老旧小区改造",
]
TITLE = {
    Document.Kind.NOTICE: "关于开展{}工作的通知",
    Document.Kind.FORWARDING: "转发关于{}工作的通知",
    Document.Kind.SUPPLEMENTARY: "关于{}工作的补充通知",
    Document.Kind.OPINION: "关于进一步加强{}工作的实施意见",
    Document.Kind.FEEDBACK_REQUEST: "关于报送{}工作情况的函",
    Document.Kind.OTHER: "关于{}有关事项的说明",
}
KIND_WEIGHTS = [40, 20, 8, 10, 17, 5]


def demo_records(context) -> int:
    rng = context.rng
    kinds = list(TITLE)
    documents = []
    # A handful of units get a flood of documents on a few days (DOC-DAILY will flag them).
    flooded = {
        (unit.pk, day)
        for unit in rng.sample(context.communities, 6)
        for day in [context.start + (context.today - context.start) * share // 10 for share in (2, 5, 8)]
    }
    for unit in context.communities + context.streets:
        rate = 1.6 if unit.level == "community" else 3.5  # documents per working day
        for day, season in context.days():
            count = context.count(rate * season) + (12 if (unit.pk, day) in flooded else 0)
            for _ in range(count):
                kind = rng.choices(kinds, KIND_WEIGHTS)[0]
                source = context.source_for(unit)
                length = int(rng.lognormvariate(7.8, 0.6))
                documents.append(
                    Document(
                        unit=unit,
                        source_unit=source,
                        title=TITLE[kind].format(rng.choice(SUBJECTS)),
                        number=f"{source.code}〔{day.year}〕{rng.randint(1, 300)}号",
                        received_on=day,
                        kind=kind,
                        length_chars=length,
                        pages=max(1, length // 700),
                        substantive=rng.random() > 0.08,
                        has_local_content=kind != Document.Kind.FORWARDING or rng.random() < 0.4,
                        response_deadline=day + context.timedelta(rng.choice([2, 3, 5, 7, 10]))
                        if kind == Document.Kind.FEEDBACK_REQUEST
                        else None,
                        handling_minutes=rng.choice([None, None, None, 20, 45, 90]),
                        trace_requirements=rng.choice([[], [], [], [], ["material"], ["photo", "material"]]),
                        external_id=context.external_id("document"),
                    )
                )
    return context.save(Document, documents)
