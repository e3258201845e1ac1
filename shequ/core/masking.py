"""Personal data masking for public views (DESIGN §3 Transparency)."""

from __future__ import annotations

import re

# A mobile number as people write it: 13812345678, 138-1234-5678, 138.1234.5678, 138 1234 5678,
# with a country code (+86 138…, 0086…, 8613812345678); full-width digits are folded first.
PHONE_RE = re.compile(r"(?<!\d)((?:(?:\+|00)?86[\s.\-]?)?)(1[3-9]\d)[\s.\-]?(\d{4})[\s.\-]?(\d{4})(?!\d)")
FULL_WIDTH = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "＋": "+", "－": "-", "．": ".", "\u3000": " "}
)
LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3})-?(\d{3,4})(\d{4})(?!\d)")
ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_name(name: str) -> str:
    """李志勇 → 李**; a one-character name keeps its first character only."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]


def mask_text(text: str) -> str:
    """Mask mobile numbers, landlines and ID-card numbers written inside free text."""
    text = (text or "").translate(FULL_WIDTH)
    text = ID_RE.sub(lambda m: m.group(1)[:3] + "*" * 11 + m.group(3)[-4:], text)
    text = PHONE_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(4)}", text)
    text = LANDLINE_RE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)
    return text
