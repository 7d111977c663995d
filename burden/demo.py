"""A believable demo city: its unit tree and a person for every role.

``python manage.py load_demo`` calls :func:`load_demo`; running it again updates what
is there instead of duplicating it. Names are Chinese with an English name beside
them, as a real city's register would have.
"""

from dataclasses import dataclass

from django.db import transaction

from .models import Membership, Unit, User

DEMO_PASSWORD = "burden-demo-2026"

CITY = ("JC", "江城市", "Jiangcheng City", 0)

CITY_DEPARTMENTS = [
    ("JC-SWB", "市委办公室", "City Party Committee Office", 46),
    ("JC-ZFB", "市政府办公室", "City Government Office", 52),
    ("JC-ZZB", "市委组织部", "City Organisation Department", 38),
    ("JC-TJJ", "市统计局", "City Statistics Bureau", 41),
    ("JC-STJ", "市生态环境局", "City Ecology and Environment Bureau", 63),
]

# Every district has the same set of offices and bureaus that send work down.
DISTRICT_DEPARTMENTS = [
    ("WB", "区委办公室", "District Party Committee Office", 24),
    ("ZB", "区政府办公室", "District Government Office", 28),
    ("JYJ", "区教育局", "District Education Bureau", 35),
    ("MZJ", "区民政局", "District Civil Affairs Bureau", 22),
    ("WJJ", "区卫生健康局", "District Health Commission", 30),
    ("YJJ", "区应急管理局", "District Emergency Management Bureau", 26),
    ("SJJ", "区市场监管局", "District Market Regulation Bureau", 40),
    ("ZJJ", "区住房和城乡建设局", "District Housing and Construction Bureau", 33),
]

# district -> streets/townships -> communities/villages (Chinese, English, headcount)
DISTRICTS = [
    (
        ("DH", "东湖区", "Donghu District", 0),
        [
            (
                ("BJ", "滨江街道", "Binjiang Subdistrict", 42),
                [
                    ("江滩社区", "Jiangtan Community", 14),
                    ("码头社区", "Matou Community", 11),
                    ("望江社区", "Wangjiang Community", 12),
                    ("沿河社区", "Yanhe Community", 9),
                ],
            ),
            (
                ("HP", "和平街道", "Heping Subdistrict", 38),
                [
                    ("和平里社区", "Hepingli Community", 13),
                    ("东风社区", "Dongfeng Community", 10),
                    ("建设社区", "Jianshe Community", 12),
                    ("文化社区", "Wenhua Community", 8),
                ],
            ),
            (
                ("XY", "新苑街道", "Xinyuan Subdistrict", 35),
                [
                    ("新苑社区", "Xinyuan Community", 15),
                    ("翠竹社区", "Cuizhu Community", 11),
                    ("桂园社区", "Guiyuan Community", 10),
                ],
            ),
            (
                ("LS", "柳山镇", "Liushan Town", 47),
                [
                    ("柳山村", "Liushan Village", 7),
                    ("石桥村", "Shiqiao Village", 6),
                    ("茶园村", "Chayuan Village", 8),
                    ("下湾村", "Xiawan Village", 6),
                ],
            ),
        ],
    ),
    (
        ("XS", "西山区", "Xishan District", 0),
        [
            (
                ("GL", "古楼街道", "Gulou Subdistrict", 40),
                [
                    ("古楼社区", "Gulou Community", 13),
                    ("钟鼓社区", "Zhonggu Community", 10),
                    ("书院社区", "Shuyuan Community", 11),
                    ("南门社区", "Nanmen Community", 9),
                ],
            ),
            (
                ("QS", "青石街道", "Qingshi Subdistrict", 33),
                [
                    ("青石社区", "Qingshi Community", 12),
                    ("枫林社区", "Fenglin Community", 10),
                    ("松坡社区", "Songpo Community", 9),
                    ("青年社区", "Qingnian Community", 11),
                ],
            ),
            (
                ("BT", "白塔乡", "Baita Township", 44),
                [
                    ("白塔村", "Baita Village", 7),
                    ("龙泉村", "Longquan Village", 6),
                    ("杏花村", "Xinghua Village", 5),
                    ("高岭村", "Gaoling Village", 6),
                ],
            ),
        ],
    ),
    (
        ("NA", "南岸区", "Nan'an District", 0),
        [
            (
                ("GK", "港口街道", "Gangkou Subdistrict", 39),
                [
                    ("港口社区", "Gangkou Community", 14),
                    ("灯塔社区", "Dengta Community", 10),
                    ("渔港社区", "Yugang Community", 9),
                    ("海关社区", "Haiguan Community", 12),
                ],
            ),
            (
                ("YH", "雁湖街道", "Yanhu Subdistrict", 36),
                [
                    ("雁湖社区", "Yanhu Community", 13),
                    ("荷塘社区", "Hetang Community", 10),
                    ("湖滨社区", "Hubin Community", 11),
                    ("雁鸣社区", "Yanming Community", 9),
                ],
            ),
            (
                ("SZ", "沙洲镇", "Shazhou Town", 45),
                [
                    ("沙洲村", "Shazhou Village", 7),
                    ("芦苇村", "Luwei Village", 6),
                    ("新洲村", "Xinzhou Village", 6),
                    ("红旗村", "Hongqi Village", 8),
                    ("江心村", "Jiangxin Village", 5),
                ],
            ),
        ],
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    unit_code: str
    superuser: bool = False


DEMO_LOGINS = [
    DemoLogin("admin", "王芳", Membership.Role.ADMIN, "JC", superuser=True),
    DemoLogin("sup_district", "李强", Membership.Role.SUPERVISOR, "DH"),
    DemoLogin("sup_street", "张伟", Membership.Role.SUPERVISOR, "DH-BJ"),
    DemoLogin("staff_jiangtan", "陈静", Membership.Role.STAFF, "DH-BJ-01"),
    DemoLogin("staff_matou", "刘洋", Membership.Role.STAFF, "DH-BJ-02"),
    DemoLogin("staff_education", "赵敏", Membership.Role.STAFF, "DH-JYJ"),
    # Staff of two departments that the demo's flags are mostly about (burden.demo_records.HABITS):
    # the city bureau that asks again for figures it holds, and the district bureau that
    # inspects Jiangtan every fortnight. They sign in to see the cases against them.
    DemoLogin("staff_statistics", "孙丽", Membership.Role.STAFF, "JC-TJJ"),
    DemoLogin("staff_emergency", "周杰", Membership.Role.STAFF, "DH-YJJ"),
]


def _unit(code, name, name_en, headcount, level, parent=None, grassroots=False) -> Unit:
    unit, _ = Unit.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "name_en": name_en,
            "headcount": headcount,
            "level": level,
            "parent": parent,
            "is_grassroots": grassroots,
        },
    )
    return unit


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    """Create or refresh the demo city and its people; returns the logins to print."""
    code, name, name_en, headcount = CITY
    city = _unit(code, name, name_en, headcount, Unit.Level.CITY)
    for code, name, name_en, headcount in CITY_DEPARTMENTS:
        _unit(code, name, name_en, headcount, Unit.Level.DEPARTMENT, city)
    for (d_code, d_name, d_name_en, d_headcount), streets in DISTRICTS:
        district = _unit(d_code, d_name, d_name_en, d_headcount, Unit.Level.DISTRICT, city)
        for suffix, name, name_en, headcount in DISTRICT_DEPARTMENTS:
            _unit(
                f"{d_code}-{suffix}",
                d_name + name[1:],
                f"{d_name_en.split()[0]} {name_en}",
                headcount,
                Unit.Level.DEPARTMENT,
                district,
            )
        for (s_code, s_name, s_name_en, s_headcount), communities in streets:
            street = _unit(
                f"{d_code}-{s_code}", s_name, s_name_en, s_headcount, Unit.Level.STREET, district, grassroots=True
            )
            for number, (c_name, c_name_en, c_headcount) in enumerate(communities, start=1):
                _unit(
                    f"{street.code}-{number:02d}",
                    c_name,
                    c_name_en,
                    c_headcount,
                    Unit.Level.COMMUNITY,
                    street,
                    grassroots=True,
                )

    for login in DEMO_LOGINS:
        user, _ = User.objects.get_or_create(username=login.username)
        user.first_name = login.name
        user.email = f"{login.username}@example.org"
        user.is_superuser = user.is_staff = login.superuser
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.update_or_create(
            user=user, unit=Unit.objects.get(code=login.unit_code), defaults={"role": login.role}
        )
    return DEMO_LOGINS
