"""A year of demo documents (see ``burden.demo_records``): a steady flow, and a few flood days.

An ordinary document passes every document rule: it has substance, it adds local
content when it forwards, it stays under 5,000 characters, and a unit receives a few
a day. The flags come from two habits — the bureau that asks for photos as proof of
its campaigns (``TRACES``) and the office that floods one street's communities with
documents on a few days of the year (``FLOODS``), a third of them as memos (便笺), which
count all the same — and from rare slips: a special-task document over 4,000
characters, a demand for a report back, a one-vote veto pushed onto a community.

Staff note the matter for a few of the documents, so ``DOC-MERGE`` finds the
runs of one issuer's documents on one matter among those; a few documents bundle two
matters, and some arrive as white-headed documents or memos.
"""

from burden.demo_records import FLOODS, TRACES

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
MAX_LENGTH = 5000  # DOC-LENGTH's default
MAX_LENGTH_SPECIAL_TASK = 4000  # ... and its default for a special task
LABELS = list(Document.Label.values)
LABEL_WEIGHTS = [86, 8, 4, 2]
MATTER_NOTED = 0.08  # how often staff note the matter: DOC-MERGE then finds a few runs, not chance pairs
FLOOD_MEMOS = 0.3  # the share of a flood day's documents issued as memos
# FLOODS: the street whose communities get a flood, how many extra documents a flood day
# brings each of them (DOC-DAILY allows 10), and which of the year's working days are
# flood days (as shares of them: three days spread over the year).
FLOODED_STREET = "DH-BJ"
FLOOD_EXTRA = 12
FLOOD_DAYS = (0.22, 0.45, 0.93)
CAMPAIGN_SUBJECTS = ["垃圾分类", "市容环境整治", "创建全国文明城市"]


def demo_records(context) -> int:
    rng = context.rng
    kinds = list(TITLE)
    flooder = context.offender(FLOODS)
    working_days = [day for day, _season in context.days()]
    flood_days = {working_days[int(len(working_days) * share)] for share in FLOOD_DAYS}
    documents = []
    for unit in context.communities + context.streets:
        rate = 1.6 if unit.level == "community" else 3.5  # documents per working day
        flooded = unit.parent_id == context.units[FLOODED_STREET].pk
        for day, season in context.days():
            count = context.count(rate * season)
            flood = flooded and day in flood_days
            for _ in range(count + (FLOOD_EXTRA if flood else 0)):
                # A flood day's documents all come from the office that floods it.
                source = flooder if flood else context.source_for(unit)
                kind = rng.choices(kinds, KIND_WEIGHTS)[0]
                subject = rng.choice(SUBJECTS)
                length = int(rng.lognormvariate(7.6, 0.5))
                if length > MAX_LENGTH:
                    length = rng.randint(MAX_LENGTH // 2, MAX_LENGTH)
                document = Document(
                    unit=unit,
                    source_unit=source,
                    number=f"{source.code}〔{day.year}〕{rng.randint(1, 300)}号",
                    received_on=day,
                    kind=kind,
                    length_chars=length,
                    substantive=True,
                    has_local_content=True,
                    response_deadline=day + context.timedelta(rng.choice([5, 7, 10, 14]))
                    if kind == Document.Kind.FEEDBACK_REQUEST
                    else None,
                    handling_minutes=rng.choice([None, None, None, 20, 45, 90]),
                    matter=subject if rng.random() < MATTER_NOTED else "",
                    labelled_as=Document.Label.MEMO
                    if flood and rng.random() < FLOOD_MEMOS
                    else rng.choices(LABELS, LABEL_WEIGHTS)[0],
                    matters=2 if rng.random() < 0.03 else 1,
                    special_task=rng.random() < 0.2,
                    trace_requirements=[],
                )
                if document.special_task and document.length_chars > MAX_LENGTH_SPECIAL_TASK:
                    document.length_chars = rng.randint(MAX_LENGTH_SPECIAL_TASK // 2, MAX_LENGTH_SPECIAL_TASK)
                if context.habit(source) == TRACES and rng.random() < 0.4:
                    subject = rng.choice(CAMPAIGN_SUBJECTS)
                    document.matter = document.matter and subject
                    document.trace_requirements = rng.choice([["photo"], ["photo", "material"]])
                elif not flood and context.slip():
                    _slip(rng, document)
                document.title = TITLE[document.kind].format(subject)
                document.pages = max(1, document.length_chars // 700)
                document.external_id = context.external_id("document")
                documents.append(document)
    return context.save(Document, documents)


def _slip(rng, document: Document) -> None:
    """One rule broken by an ordinary sender on an ordinary day."""
    slip = rng.choice(["long", "forward", "empty", "special_task", "report_back", "veto"])
    if slip == "long":
        document.length_chars = rng.randint(MAX_LENGTH + 500, MAX_LENGTH * 2)
    elif slip == "forward":
        document.kind, document.has_local_content = Document.Kind.FORWARDING, False
    elif slip == "empty":
        document.substantive = False
    elif slip == "special_task":
        document.special_task = True
        document.length_chars = rng.randint(MAX_LENGTH_SPECIAL_TASK + 200, MAX_LENGTH)
    elif slip == "report_back":
        document.demands_report_back = True
    else:
        document.sets_veto_or_pledge = True
