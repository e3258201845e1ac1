"""The English translation (shequ/locale/en): complete, compiled, and actually used by the pages.

Chinese is the source language — every msgid is the Chinese text. When someone adds a string and forgets to
run `shequ makemessages -l en …` / translate / `shequ compilemessages`, one of these tests fails and says
which strings. How to fix: docs/translations.md.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the `shequ` package
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


# --------------------------------------------------------------------------------------------- .po parsing


def _unquote(s: str) -> str:
    s = s.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgid, msgid_plural, msgstr (list), flags, refs. Skips the header."""
    entries: list[dict] = []
    cur: dict = {}
    key = None

    def flush():
        nonlocal cur
        if "msgid" in cur and cur["msgid"] != "":
            entries.append(cur)
        cur = {}

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
            key = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if "msgid" in cur:
                flush()
            if line.startswith("#,"):
                cur.setdefault("flags", []).extend(f.strip() for f in line[2:].split(","))
            elif line.startswith("#:"):
                cur.setdefault("refs", []).extend(line[2:].split())
            continue
        m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
        if m:
            key = m.group(1)
            value = _unquote(m.group(2))
            if key.startswith("msgstr"):
                cur.setdefault("msgstr", []).append(value)
            else:
                cur[key] = value
            continue
        assert line.startswith('"'), f"cannot parse .po line: {line!r}"
        if key.startswith("msgstr"):
            cur["msgstr"][-1] += _unquote(line)
        else:
            cur[key] += _unquote(line)
    flush()
    return entries


@pytest.fixture(scope="module")
def po_entries():
    assert PO_PATH.exists(), (
        f"{PO_PATH} is missing — run `shequ makemessages -l en --ignore=.venv --ignore=build`"
    )
    return parse_po(PO_PATH)


def _where(e: dict) -> str:
    return (e.get("refs") or ["?"])[0]


# --------------------------------------------------------------------------------------------- the catalog


def test_every_msgid_has_an_english_translation(po_entries):
    assert len(po_entries) > 500
    untranslated = [
        f"{_where(e)}: {e['msgid']}" for e in po_entries if not all(s.strip() for s in e["msgstr"])
    ]
    fuzzy = [f"{_where(e)}: {e['msgid']}" for e in po_entries if "fuzzy" in e.get("flags", [])]
    assert not untranslated, "untranslated strings in django.po (see docs/translations.md):\n" + "\n".join(
        untranslated
    )
    assert not fuzzy, "fuzzy (unchecked) translations in django.po:\n" + "\n".join(fuzzy)


def test_placeholders_are_kept(po_entries):
    bad = []
    for e in po_entries:
        sources = [e["msgid"], e.get("msgid_plural", e["msgid"])]
        for i, s in enumerate(e["msgstr"]):
            src = sources[min(i, 1)]
            if sorted(PLACEHOLDER.findall(src)) != sorted(PLACEHOLDER.findall(s)):
                bad.append(f"{_where(e)}: {src!r} -> {s!r}")
    assert not bad, "placeholders differ:\n" + "\n".join(bad)


def test_english_text_has_no_chinese_left(po_entries):
    # Product names may be explained in English but never left in Chinese (the import help names the
    # Chinese column headers on purpose).
    allowed = {"楼栋", "单元", "门牌号", "楼层", "专有面积"}
    leftovers = []
    for e in po_entries:
        for s in e["msgstr"]:
            han = set(re.findall(r"[\u4e00-\u9fff]+", s)) - allowed
            if han:
                leftovers.append(f"{_where(e)}: {s!r}")
    assert not leftovers, "Chinese text in English translations:\n" + "\n".join(leftovers)


def test_compiled_catalog_is_up_to_date(po_entries):
    """django.mo must contain every translation of django.po (i.e. someone ran compilemessages)."""
    catalog = translation.trans_real.translation("en")._catalog
    stale = []
    for e in po_entries:
        if "msgid_plural" in e:
            got = catalog.get((e["msgid"], 0))
        else:
            got = catalog.get(e["msgid"])
        if got != e["msgstr"][0]:
            stale.append(f"{e['msgid']!r}: .po {e['msgstr'][0]!r}, .mo {got!r}")
    assert not stale, "django.mo is stale — run `shequ compilemessages --ignore=.venv`:\n" + "\n".join(
        stale[:20]
    )


# Strings marked in the code must be in the .po (someone ran makemessages). A quick scan of the two common
# forms — `{% translate "…" %}` in templates and `_("…")` / `gettext(_lazy)("…")` in Python — is enough to
# catch a forgotten `makemessages`; blocktranslate and pgettext are checked by makemessages itself.
TEMPLATE_TRANSLATE = re.compile(r"""{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')(?![^%]*\bcontext\b)""")
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
# Marked strings that makemessages (xgettext) cannot extract, e.g. `_()` inside an f-string. Each needs a fix
# in its own file (move the call out of the f-string); listed here so the suite stays useful meanwhile.
NOT_EXTRACTABLE = {
    "全部分类": "shequ/appeals/models.py RoutingRule.__str__: _() inside an f-string",
}


def _marked_strings():
    for path in SOURCE_ROOT.rglob("*"):
        parts = set(path.relative_to(SOURCE_ROOT).parts)
        if "tests" in parts or "migrations" in parts or not path.is_file():
            continue
        if path.suffix in {".html", ".txt"}:
            for m in TEMPLATE_TRANSLATE.finditer(path.read_text(encoding="utf-8")):
                yield path, m.group(1) if m.group(1) is not None else m.group(2)
        elif path.suffix == ".py":
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    f = node.func
                    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                    if name in GETTEXT_NAMES:
                        yield path, node.args[0].value


def test_marked_strings_are_in_the_catalog(po_entries):
    known = {e["msgid"] for e in po_entries}
    missing = sorted(
        {
            f"{p.relative_to(SOURCE_ROOT.parent)}: {s}"
            for p, s in _marked_strings()
            if s and re.search(r"[\u4e00-\u9fff]", s) and s not in known and s not in NOT_EXTRACTABLE
        }
    )
    assert not missing, (
        "strings not in shequ/locale/en/LC_MESSAGES/django.po — run makemessages and "
        "translate them (docs/translations.md):\n" + "\n".join(missing)
    )


# --------------------------------------------------------------------------------------------- in use


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("我要反映", "Report a problem"),
        ("社区公告", "Community Notices"),
        ("物业之窗", "Property Window"),
        ("业委连线", "Owners' Committee Line"),
        ("警民直通车", "Police Hotline"),
        ("吹哨报到", "Whistle and report-in"),
        ("环物会", "Environment & Property Committee"),
        ("小区", "Compound"),
        ("社区居委会", "Residents' Committee"),
    ],
)
def test_key_strings(zh, en):
    with translation.override("en"):
        assert translation.gettext(zh) == en
    with translation.override("zh-hans"):
        assert translation.gettext(zh) == zh


def test_plural_forms():
    with translation.override("en"):
        assert translation.ngettext("%(n)s 条回复", "%(n)s 条回复", 1) % {"n": 1} == "1 reply"
        assert translation.ngettext("%(n)s 条回复", "%(n)s 条回复", 3) % {"n": 3} == "3 replies"


@pytest.mark.django_db
def test_login_page_stays_chinese_for_an_english_browser(client):
    """Chinese first: only the 中文/EN switch changes the language (see docs/decisions/0004)."""
    r = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    body = r.content.decode()
    assert r.status_code == 200
    assert 'lang="zh-hans"' in body and "手机号" in body


@pytest.mark.django_db
def test_login_page_in_english_after_switching_language(client):
    assert "手机号" in client.get("/accounts/login/").content.decode()  # Chinese is the default
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert r.status_code == 302
    body = client.get("/accounts/login/").content.decode()
    assert "Mobile number" in body and "手机号" not in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert "手机号" in client.get("/accounts/login/").content.decode()
