"""Page titles are plain text, and the head block holds only head elements (no page sections)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"{%\s*block (title|head)\s*%}(.*?){%\s*endblock", re.S)


def test_title_and_head_blocks_hold_no_page_markup():
    bad = []
    for path in ROOT.rglob("templates/**/*.html"):
        for name, body in BLOCK.findall(path.read_text(encoding="utf-8")):
            if name == "title" and "<" in body:
                bad.append(f"{path.relative_to(ROOT)}: <title> contains markup")
            if name == "head" and re.search(r"<(section|form|div|table|h[1-6])\b", body):
                bad.append(f"{path.relative_to(ROOT)}: head block contains page markup")
    assert not bad, bad
