"""The demo community's facts, from the article (docs/article.md; numbers exact, people fictional).

Longer than our ~500-line rule on purpose: it is data, not logic — one literal table per kind of fact.

北京市 is implicit. 海淀区 → 中关村街道 → 希格玛社区: 9 compounds (院子), 1,880 households, 11 property
companies of varied size (three compounds split between two companies by building). 海淀区 → 曙光街道:
17 communities; 上河村社区 is a single compound with 56 lifts, 29 of them more than 15 years old.
Every name of a person here is invented; none is a name from the article.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_PASSWORD = "shequ-demo-2026"
DEMO_MARKER = "demo-haidian"  # code of the demo's district: its presence means the demo is loaded

SIGMA_HOUSEHOLDS = 1880
SIGMA_COMPOUNDS = 9
SIGMA_COMPANIES = 11
SHUGUANG_COMMUNITIES = 17
SHC_LIFTS = 56
SHC_OLD_LIFTS = 29


@dataclass(frozen=True)
class CompoundSpec:
    key: str
    name: str
    grid: int  # 1..3 within 希格玛社区
    buildings: int
    units: int  # per building
    floors: int
    per_floor: int  # households per floor and unit
    # Property companies by building: [(company key, first building, last building)], 1-based, inclusive.
    companies: tuple[tuple[str, int, int], ...]

    @property
    def households(self) -> int:
        return self.buildings * self.units * self.floors * self.per_floor


SIGMA_COMPOUND_SPECS = (
    CompoundSpec("zcdl", "知春东里", 1, 6, 3, 6, 2, (("pm01", 1, 4), ("pm02", 5, 6))),
    CompoundSpec("zcxl", "知春西里", 1, 5, 3, 6, 2, (("pm03", 1, 5),)),
    CompoundSpec("xgjy", "星规家园", 1, 3, 2, 18, 4, (("pm01", 1, 3),)),
    CompoundSpec("xgmgy", "希格玛公寓", 2, 2, 2, 12, 4, (("pm04", 1, 2),)),
    CompoundSpec("kyxq", "科苑小区", 2, 4, 2, 6, 2, (("pm05", 1, 4),)),
    CompoundSpec("hdnly", "海淀南路院", 2, 4, 3, 5, 2, (("pm06", 1, 2), ("pm07", 3, 4))),
    CompoundSpec("zgcdy", "中关村东院", 3, 3, 2, 16, 3, (("pm08", 1, 3),)),
    CompoundSpec("bshxy", "北四环西院", 3, 2, 2, 6, 2, (("pm09", 1, 2),)),
    CompoundSpec("j12hy", "甲12号院", 3, 7, 2, 11, 2, (("pm10", 1, 4), ("pm11", 5, 7))),
)
assert sum(c.households for c in SIGMA_COMPOUND_SPECS) == SIGMA_HOUSEHOLDS

# 上河村小区: 14 buildings × 2 units × 12 floors × 2 households; 4 lifts per building = 56 lifts.
SHC_SPEC = CompoundSpec("shc", "上河村小区", 0, 14, 2, 12, 2, (("shc-pm", 1, 14),))
SHC_LIFTS_PER_BUILDING = 4

SHUGUANG_OTHER_COMMUNITIES = (
    "曙光花园社区",
    "望河社区",
    "晨光社区",
    "枫林社区",
    "安河社区",
    "西山景社区",
    "碧水社区",
    "世纪城社区",
    "玉泉社区",
    "蓝靛厂社区",
    "长春桥社区",
    "远大社区",
    "金源社区",
    "万柳东社区",
    "怡秀社区",
    "巴沟社区",
)
assert len(SHUGUANG_OTHER_COMMUNITIES) + 1 == SHUGUANG_COMMUNITIES

# key → (name, size note). pm01 is the big one (大物业) that helps the small ones (大手拉小手).
PROPERTY_COMPANIES = {
    "pm01": ("中关村城市物业服务有限公司", "大型物业，管理知春东里1–4号楼和星规家园"),
    "pm02": ("知春物业管理有限公司", "管理知春东里5–6号楼"),
    "pm03": ("海华物业服务有限公司", "管理知春西里"),
    "pm04": ("希格玛物业管理有限公司", "管理希格玛公寓"),
    "pm05": ("科苑物业服务有限公司", "管理科苑小区"),
    "pm06": ("南路物业管理有限公司", "管理海淀南路院1–2号楼"),
    "pm07": ("京西物业服务有限公司", "管理海淀南路院3–4号楼"),
    "pm08": ("东院物业管理有限公司", "管理中关村东院"),
    "pm09": ("四环物业服务中心", "小型物业，管理北四环西院"),
    "pm10": ("甲方物业管理有限公司", "管理甲12号院1–4号楼"),
    "pm11": ("安居物业服务有限公司", "管理甲12号院5–7号楼"),
}
assert len(PROPERTY_COMPANIES) == SIGMA_COMPANIES


@dataclass(frozen=True)
class PartySpec:
    code: str
    kind: str
    name: str
    home: str  # place key
    serves: tuple[str, ...]
    phone: str = ""
    address: str = ""
    hours: str = ""
    description: str = ""


PARTIES = (
    PartySpec(
        "demo-zgc-office",
        "street_office",
        "中关村街道办事处",
        "zgc",
        ("zgc",),
        "010-62000100",
        "海淀区中关村街道",
        "工作日 9:00–17:00",
        "监督辖区各社区，数据分析研判。",
    ),
    PartySpec(
        "demo-sg-office",
        "street_office",
        "曙光街道办事处",
        "sg",
        ("sg",),
        "010-62000200",
        "海淀区曙光街道",
        "工作日 9:00–17:00",
        "在辖区17个社区推广社区治理合伙人机制。",
    ),
    PartySpec(
        "demo-sigma-party",
        "party_org",
        "希格玛社区党总支",
        "sigma",
        ("sigma",),
        "010-62000301",
        "希格玛社区党群服务中心",
        "工作日 8:30–17:30",
        "主心骨：领导和协调社区治理各方。",
    ),
    PartySpec(
        "demo-sigma-rc",
        "residents_committee",
        "希格玛社区居委会",
        "sigma",
        ("sigma",),
        "010-62000302",
        "希格玛社区党群服务中心一层",
        "每天 8:30–18:00",
        "组织者：服务居民、认证住户、发布公告、派发无人认领的问题。",
    ),
    PartySpec(
        "demo-sigma-env",
        "env_property_committee",
        "希格玛社区环境和物业管理委员会（环物会）",
        "sigma",
        ("sigma",),
        "010-62000303",
        "希格玛社区党群服务中心二层",
        "工作日 9:00–17:00",
        "下设于社区居委会，协调物业企业与业主之间的沟通；9名成员。",
    ),
    PartySpec(
        "demo-sigma-aid",
        "mutual_aid_station",
        "希格玛社区居民互助站",
        "sigma",
        ("sigma",),
        "010-62000304",
        "希格玛社区活动室",
        "每天 9:00–11:30",
        "设施维修、矛盾调解、平安维护、环境治理、邻里照顾。",
    ),
    PartySpec(
        "demo-sigma-doctors",
        "family_doctor_team",
        "希格玛社区卫生服务站家庭医生团队",
        "sigma",
        ("sigma",),
        "010-62000305",
        "希格玛社区卫生服务站",
        "工作日 8:00–17:00",
        "签约居民的健康咨询与上门服务。",
    ),
    PartySpec("demo-xgjy-assembly", "owners_assembly", "星规家园业主大会", "sigma", ("xgjy",)),
    PartySpec(
        "demo-xgjy-owners", "owners_committee", "星规家园业主委员会", "sigma", ("xgjy",), "010-62000306"
    ),
    PartySpec(
        "demo-cb-school",
        "co_builder",
        "知春路实验小学",
        "sigma",
        ("sigma",),
        "010-62000401",
        description="提供假期托管场地和志愿者。",
    ),
    PartySpec(
        "demo-cb-hospital",
        "co_builder",
        "海淀知春医院",
        "sigma",
        ("sigma",),
        "010-62000402",
        description="义诊与健康讲座。",
    ),
    PartySpec(
        "demo-cb-firm",
        "co_builder",
        "星规科技有限公司",
        "sigma",
        ("sigma",),
        "010-62000403",
        description="赞助智能车棚等小微项目。",
    ),
    PartySpec(
        "demo-dept-zjw",
        "department",
        "海淀区住房和城乡建设委员会（区住建委）",
        "haidian",
        ("haidian",),
        "010-62000501",
    ),
    PartySpec(
        "demo-dept-fgj", "department", "海淀区房屋管理局（区房管局）", "haidian", ("haidian",), "010-62000502"
    ),
    PartySpec("demo-dept-cg", "department", "中关村街道城管执法队", "zgc", ("zgc",), "010-62000503"),
    PartySpec("demo-dept-scjg", "department", "中关村市场监管所", "zgc", ("zgc",), "010-62000504"),
    PartySpec(
        "demo-police-zgc",
        "police_station",
        "中关村派出所",
        "zgc",
        ("zgc",),
        "010-62000110",
        "中关村派出所社区警务室（希格玛社区）",
        "24小时",
    ),
    PartySpec("demo-police-sg", "police_station", "曙光派出所", "sg", ("sg",), "010-62000210"),
    PartySpec(
        "demo-shc-party",
        "party_org",
        "上河村社区党委",
        "shanghecun",
        ("shanghecun",),
        "010-62000601",
        description="社区治理合伙人机制的“主心骨”。",
    ),
    PartySpec(
        "demo-shc-rc",
        "residents_committee",
        "上河村社区居委会",
        "shanghecun",
        ("shanghecun",),
        "010-62000602",
        "上河村社区服务站",
        "每天 8:30–18:00",
    ),
    PartySpec("demo-shc-assembly", "owners_assembly", "上河村小区业主大会", "shanghecun", ("shc",)),
    PartySpec(
        "demo-shc-owners", "owners_committee", "上河村小区业主委员会", "shanghecun", ("shc",), "010-62000603"
    ),
    PartySpec(
        "demo-shc-doctors",
        "family_doctor_team",
        "曙光社区卫生服务中心家庭医生团队",
        "sg",
        ("shanghecun",),
        "010-62000604",
    ),
)


@dataclass(frozen=True)
class Home:
    """A household by its pieces: compound key, building no., unit no. (0 = none), household name."""

    compound: str
    building: int
    unit: int
    household: str


@dataclass(frozen=True)
class PersonSpec:
    role: str  # slug in `shequ demo-accounts`
    label: str  # Chinese label of that role
    phone: str
    name: str
    party: str | None = None  # party code of the primary membership
    member_role: str = ""
    title: str = ""
    places: tuple[str, ...] = ()  # place keys the member is responsible for ("xgjy", "xgjy/3" = building 3 …)
    home: Home | None = None
    relation: str = "owner"
    verified: bool = True
    birth_year: int | None = None
    lives_alone: bool = False
    extra: tuple[tuple[str, str, str], ...] = field(default=())  # more memberships: (party, role, title)


# Responsible places use keys: a place key ("sigma", "grid1", "xgjy") or "compound/building" ("zcdl/3").
PEOPLE = (
    PersonSpec("admin", "系统管理员", "13800000000", "系统管理员"),
    # 希格玛社区: the party organisation, the residents' committee, 环物会
    PersonSpec(
        "party_org", "社区党组织书记", "13900000001", "梁文清", "demo-sigma-party", "head", "党总支书记"
    ),
    PersonSpec("rc_head", "居委会主任", "13900000002", "谭振华", "demo-sigma-rc", "head", "居委会主任"),
    PersonSpec(
        "rc_staff", "居委会工作人员", "13900000003", "宋雅琴", "demo-sigma-rc", "dispatcher", "社区工作者"
    ),
    PersonSpec(
        "env_committee_director",
        "环物会主任（居委会委员）",
        "13900000004",
        "何静怡",
        "demo-sigma-env",
        "head",
        "环物会主任",
        extra=(("demo-sigma-rc", "staff", "居委会委员"),),
    ),
    PersonSpec(
        "community_police",
        "社区民警（环物会副主任）",
        "13900000005",
        "韩立军",
        "demo-police-zgc",
        "police_officer",
        "社区民警",
        ("sigma",),
        extra=(("demo-sigma-env", "deputy", "环物会副主任"),),
    ),
    PersonSpec(
        "community_police",
        "社区民警（环物会副主任）",
        "13900000006",
        "孟晓东",
        "demo-police-zgc",
        "police_officer",
        "社区民警",
        ("sigma",),
        extra=(("demo-sigma-env", "deputy", "环物会副主任"),),
    ),
    # grid workers and building leaders (members of the residents' committee)
    PersonSpec(
        "grid_worker",
        "网格员",
        "13900000011",
        "袁海燕",
        "demo-sigma-rc",
        "grid_worker",
        "第一网格网格员",
        ("grid1",),
    ),
    PersonSpec(
        "grid_worker",
        "网格员",
        "13900000012",
        "潘志强",
        "demo-sigma-rc",
        "grid_worker",
        "第二网格网格员",
        ("grid2",),
    ),
    PersonSpec(
        "grid_worker",
        "网格员",
        "13900000013",
        "杜晓丽",
        "demo-sigma-rc",
        "grid_worker",
        "第三网格网格员",
        ("grid3",),
    ),
    PersonSpec(
        "building_leader",
        "楼组长",
        "13900000021",
        "冯桂芝",
        "demo-sigma-rc",
        "building_leader",
        "3号楼楼组长",
        ("zcdl/3",),
        Home("zcdl", 3, 1, "201"),
        birth_year=1956,
    ),
    PersonSpec(
        "building_leader",
        "楼组长",
        "13900000022",
        "曹建国",
        "demo-sigma-rc",
        "building_leader",
        "1号楼楼组长",
        ("xgjy/1",),
        Home("xgjy", 1, 1, "802"),
        birth_year=1962,
    ),
    PersonSpec(
        "building_leader",
        "楼组长",
        "13900000023",
        "彭淑芬",
        "demo-sigma-rc",
        "building_leader",
        "2号楼楼组长",
        ("hdnly/2",),
        Home("hdnly", 2, 2, "302"),
        birth_year=1959,
    ),
    PersonSpec(
        "building_leader",
        "楼组长",
        "13900000024",
        "邓国华",
        "demo-sigma-rc",
        "building_leader",
        "6号楼楼组长",
        ("j12hy/6",),
        Home("j12hy", 6, 1, "501"),
        birth_year=1965,
    ),
    # 环物会: six elected owners
    PersonSpec(
        "env_committee_member",
        "环物会委员（业主）",
        "13900000031",
        "吕明辉",
        "demo-sigma-env",
        "member",
        "委员（曾任物业经理）",
        places=("zcdl",),  # the compound they look after
        home=Home("zcdl", 1, 2, "402"),
        birth_year=1958,
    ),
    PersonSpec(
        "env_committee_member",
        "环物会委员（业主）",
        "13900000032",
        "蒋丽华",
        "demo-sigma-env",
        "member",
        "委员（财务）",
        places=("zcxl",),  # the compound they look after
        home=Home("zcxl", 2, 1, "301"),
        birth_year=1961,
    ),
    PersonSpec(
        "env_committee_member",
        "环物会委员（业主）",
        "13900000033",
        "苏卫东",
        "demo-sigma-env",
        "member",
        "委员（环卫专家）",
        places=("xgmgy",),  # the compound they look after
        home=Home("xgmgy", 1, 2, "1003"),
        birth_year=1957,
    ),
    PersonSpec(
        "env_committee_member",
        "环物会委员（业主）",
        "13900000034",
        "卢玉梅",
        "demo-sigma-env",
        "member",
        "委员",
        places=("kyxq",),  # the compound they look after
        home=Home("kyxq", 4, 1, "202"),
        birth_year=1963,
    ),
    PersonSpec(
        "env_committee_member",
        "环物会委员（业主）",
        "13900000035",
        "丁文斌",
        "demo-sigma-env",
        "member",
        "委员",
        places=("zgcdy",),  # the compound they look after
        home=Home("zgcdy", 2, 1, "1502"),
        birth_year=1960,
    ),
    PersonSpec(
        "env_committee_member",
        "环物会委员（业主）",
        "13900000036",
        "魏秀英",
        "demo-sigma-env",
        "member",
        "委员",
        places=("bshxy",),  # the compound they look after
        home=Home("bshxy", 1, 2, "601"),
        birth_year=1955,
    ),
    # property companies: the big one has a manager (大管家) and a handler; every other company a manager
    PersonSpec(
        "property_manager",
        "物业管家",
        "13900000042",
        "范志刚",
        "pm01",
        "manager",
        "物业管家",
        ("zcdl/1", "zcdl/2", "zcdl/3", "zcdl/4", "xgjy"),
    ),
    PersonSpec("property_handler", "物业维修人员", "13900000043", "石永福", "pm01", "handler", "维修师傅"),
    PersonSpec(
        "property_manager",
        "物业管家",
        "13900000044",
        "钟晓明",
        "pm02",
        "manager",
        "物业管家",
        ("zcdl/5", "zcdl/6"),
    ),
    PersonSpec(
        "property_manager", "物业管家", "13900000045", "汪建平", "pm03", "manager", "物业管家", ("zcxl",)
    ),
    PersonSpec(
        "property_manager", "物业管家", "13900000046", "田慧敏", "pm04", "manager", "物业管家", ("xgmgy",)
    ),
    PersonSpec(
        "property_manager", "物业管家", "13900000047", "任德胜", "pm05", "manager", "物业管家", ("kyxq",)
    ),
    PersonSpec(
        "property_manager",
        "物业管家",
        "13900000048",
        "姜红梅",
        "pm06",
        "manager",
        "物业管家",
        ("hdnly/1", "hdnly/2"),
    ),
    PersonSpec(
        "property_manager",
        "物业管家",
        "13900000049",
        "贾树林",
        "pm07",
        "manager",
        "物业管家",
        ("hdnly/3", "hdnly/4"),
    ),
    PersonSpec(
        "property_manager", "物业管家", "13900000050", "夏春燕", "pm08", "manager", "物业管家", ("zgcdy",)
    ),
    PersonSpec(
        "property_manager",
        "物业管家",
        "13900000051",
        "方国庆",
        "pm09",
        "manager",
        "物业管家（兼维修）",
        ("bshxy",),
    ),
    PersonSpec(
        "property_manager",
        "物业管家",
        "13900000052",
        "邹丽君",
        "pm10",
        "manager",
        "物业管家",
        ("j12hy/1", "j12hy/2", "j12hy/3", "j12hy/4"),
    ),
    PersonSpec(
        "property_manager",
        "物业管家",
        "13900000053",
        "熊国强",
        "pm11",
        "manager",
        "物业管家",
        ("j12hy/5", "j12hy/6", "j12hy/7"),
    ),
    # family doctors, mutual-aid station, co-builders, departments
    PersonSpec(
        "family_doctor",
        "家庭医生",
        "13900000061",
        "白晓燕",
        "demo-sigma-doctors",
        "doctor",
        "全科医生",
        ("sigma",),
    ),
    PersonSpec(
        "family_doctor",
        "家庭医生",
        "13900000062",
        "崔永康",
        "demo-sigma-doctors",
        "doctor",
        "全科医生",
        ("sigma",),
    ),
    PersonSpec(
        "mutual_aid_head",
        "互助站站长",
        "13900000063",
        "孔凡荣",
        "demo-sigma-aid",
        "head",
        "站长",
        home=Home("zcxl", 4, 3, "102"),
        birth_year=1954,
    ),
    PersonSpec(
        "volunteer",
        "互助站志愿者",
        "13900000064",
        "康建军",
        "demo-sigma-aid",
        "volunteer",
        "维修志愿者",
        home=Home("kyxq", 2, 2, "501"),
        birth_year=1960,
    ),
    PersonSpec(
        "co_builder", "共建单位联络人", "13900000071", "史雪梅", "demo-cb-school", "staff", "德育主任"
    ),
    PersonSpec(
        "co_builder", "共建单位联络人", "13900000072", "万志远", "demo-cb-hospital", "staff", "社区联络员"
    ),
    PersonSpec("co_builder", "共建单位联络人", "13900000073", "严嘉豪", "demo-cb-firm", "staff", "行政经理"),
    PersonSpec(
        "department_staff",
        "职能部门工作人员",
        "13900000081",
        "黎振宇",
        "demo-dept-zjw",
        "staff",
        "物业科科员",
    ),
    PersonSpec(
        "department_staff",
        "职能部门工作人员",
        "13900000082",
        "常海波",
        "demo-dept-fgj",
        "staff",
        "房管科科员",
    ),
    PersonSpec(
        "department_staff", "职能部门工作人员", "13900000083", "武刚", "demo-dept-cg", "staff", "执法队员"
    ),
    PersonSpec(
        "department_staff", "职能部门工作人员", "13900000084", "乔文静", "demo-dept-scjg", "staff", "监管员"
    ),
    # street offices
    PersonSpec(
        "street_leader", "街道领导", "13900000091", "覃立新", "demo-zgc-office", "head", "街道办事处主任"
    ),
    PersonSpec(
        "street_leader", "街道领导", "13900000092", "殷红霞", "demo-sg-office", "head", "街道办事处主任"
    ),
    PersonSpec(
        "observer", "观察员（只读）", "13900000093", "毛俊杰", "demo-zgc-office", "observer", "督查员"
    ),
    # owners' committees
    PersonSpec(
        "owners_committee",
        "业委会主任",
        "13900000101",
        "郝振东",
        "demo-shc-owners",
        "head",
        "业委会主任",
        home=Home("shc", 5, 1, "602"),
        birth_year=1964,
        extra=(("demo-shc-assembly", "member", "业主"),),
    ),
    PersonSpec(
        "owners_committee",
        "业委会主任",
        "13900000103",
        "邵俊峰",
        "demo-xgjy-owners",
        "head",
        "业委会主任",
        home=Home("xgjy", 2, 2, "1504"),
        birth_year=1968,
        extra=(("demo-xgjy-assembly", "member", "业主"),),
    ),
    # 上河村社区
    PersonSpec(
        "party_org", "社区党组织书记", "13900000111", "秦海军", "demo-shc-party", "head", "社区党委书记"
    ),
    PersonSpec(
        "rc_staff", "居委会工作人员", "13900000112", "尹晓红", "demo-shc-rc", "dispatcher", "社区工作者"
    ),
    PersonSpec(
        "property_manager", "物业管家", "13900000113", "段鹏飞", "shc-pm", "manager", "物业管家", ("shc",)
    ),
    PersonSpec(
        "family_doctor",
        "家庭医生",
        "13900000114",
        "黄若兰",
        "demo-shc-doctors",
        "doctor",
        "全科医生",
        ("shanghecun",),
    ),
    # residents with households (owners and tenants; a few aged 60+ living alone)
    PersonSpec(
        "resident_owner",
        "居民（业主）",
        "13800000001",
        "张秀芳",
        home=Home("zcdl", 3, 2, "501"),
        birth_year=1975,
    ),
    PersonSpec(
        "resident_owner",
        "居民（业主，60岁以上独居）",
        "13800000002",
        "王德贵",
        home=Home("zcdl", 5, 1, "101"),
        birth_year=1948,
        lives_alone=True,
    ),
    PersonSpec(
        "resident_owner",
        "居民（业主，60岁以上独居）",
        "13800000003",
        "刘桂兰",
        home=Home("bshxy", 2, 1, "302"),
        birth_year=1951,
        lives_alone=True,
    ),
    PersonSpec(
        "resident_owner",
        "居民（业主，60岁以上独居）",
        "13800000004",
        "陈福海",
        home=Home("j12hy", 3, 2, "702"),
        birth_year=1945,
        lives_alone=True,
    ),
    PersonSpec(
        "resident_tenant",
        "居民（租户）",
        "13800000005",
        "杨思远",
        home=Home("xgjy", 3, 1, "1203"),
        relation="tenant",
        birth_year=1996,
    ),
    PersonSpec(
        "resident_tenant",
        "居民（租户）",
        "13800000006",
        "赵雨欣",
        home=Home("hdnly", 4, 3, "402"),
        relation="tenant",
        birth_year=1993,
    ),
    PersonSpec(
        "resident_pending",
        "待认证居民（业主）",
        "13800000007",
        "黄嘉怡",
        home=Home("kyxq", 1, 1, "301"),
        verified=False,
        birth_year=1988,
    ),
    PersonSpec(
        "resident_owner",
        "居民（业主）",
        "13800000008",
        "周建民",
        home=Home("shc", 2, 1, "801"),
        birth_year=1966,
    ),
)
