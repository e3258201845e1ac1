"""Default category tree and routing rules (need no per-community data; staff edit them in the admin)."""

from django.db import migrations

PC = "property_company"
RC = "residents_committee"
AID = "mutual_aid_station"
POLICE = "police_station"
DOCTOR = "family_doctor_team"

# (code, name, parent code, default party kind, time class, default urgency, is_consultation, icon)
CATEGORIES = [
    ("facilities", "设施报修", None, PC, "utility", "normal", False, "tools"),
    ("lift", "电梯", "facilities", PC, "utility", "urgent", False, "building"),
    ("water", "供水", "facilities", PC, "utility", "normal", False, "tools"),
    ("drains", "排水与下水道", "facilities", PC, "utility", "normal", False, "tools"),
    ("heating", "供暖", "facilities", PC, "utility", "normal", False, "tools"),
    ("gas", "燃气", "facilities", PC, "utility", "urgent", False, "tools"),
    ("power-lighting", "供电与照明", "facilities", PC, "utility", "normal", False, "tools"),
    ("access-control", "门禁与大门", "facilities", PC, "general", "normal", False, "shield"),
    ("leaks", "漏水渗水", "facilities", PC, "utility", "normal", False, "tools"),
    ("environment", "环境秩序", None, RC, "general", "normal", False, "pin"),
    ("garbage", "垃圾清运", "environment", RC, "general", "normal", False, "pin"),
    ("greening", "绿化养护", "environment", RC, "general", "normal", False, "pin"),
    ("noise", "噪声扰民", "environment", RC, "general", "normal", False, "pin"),
    ("illegal-building", "违章建筑", "environment", RC, "complex", "normal", False, "pin"),
    ("public-road", "公共道路", "environment", RC, "general", "normal", False, "pin"),
    ("parking-sheds", "停车与车棚", None, PC, "general", "normal", False, "pin"),
    ("parking", "停车管理", "parking-sheds", PC, "general", "normal", False, "pin"),
    ("bike-shed", "车棚与电动车充电", "parking-sheds", PC, "general", "normal", False, "pin"),
    ("property-service", "物业服务", None, PC, "general", "normal", False, "owners"),
    ("neighbour-dispute", "邻里纠纷", None, AID, "general", "normal", False, "people"),
    ("safety", "安全隐患与治安", None, POLICE, "general", "urgent", True, "shield"),
    ("health", "健康咨询", None, DOCTOR, "general", "normal", True, "doctor"),
    ("elderly-care", "养老助老", None, DOCTOR, "general", "normal", True, "heart"),
    ("suggestion", "意见建议", None, RC, "general", "normal", False, "chat"),
    ("praise", "表扬", None, RC, "general", "normal", False, "heart"),
    ("other", "其他", None, RC, "general", "normal", False, "list"),
]


def load(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    RoutingRule = apps.get_model("appeals", "RoutingRule")
    by_code = {}
    for sort, (code, name, parent, kind, time_class, urgency, consult, icon) in enumerate(CATEGORIES):
        by_code[code] = Category.objects.create(
            code=code, name=name, parent=by_code.get(parent), sort=sort * 10, default_party_kind=kind,
            time_class=time_class, default_urgency=urgency, is_consultation=consult, icon=icon,
        )
    # One editable default rule per top-level category; children inherit through their parent.
    for code, _name, parent, kind, *_rest in CATEGORIES:
        if parent is None:
            RoutingRule.objects.create(category=by_code[code], party_kind=kind, priority=1000,
                                       note="默认规则 / default")


def unload(apps, schema_editor):
    apps.get_model("appeals", "RoutingRule").objects.filter(note="默认规则 / default").delete()
    Category = apps.get_model("appeals", "Category")
    Category.objects.exclude(parent=None).delete()
    Category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
