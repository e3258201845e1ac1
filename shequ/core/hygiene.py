"""What no request may carry, checked once for every page and API operation (issue #9, finding 8).

- NUL bytes and other control characters (tab, line feed and carriage return are text) and lone
  UTF-16 surrogates: PostgreSQL cannot store them and refuses the whole statement, so one such
  character in a login or registration form would be a server error.
- Whole numbers outside the signed 64-bit range, in a query value or a JSON body: no row can have
  such an id and no column can hold such a count; in the path (an id) the answer is simply 404.
- JSON nested deeper than MAX_JSON_DEPTH: Python's parser would run out of stack.
- A single text value longer than MAX_TEXT characters.

Each refusal is a DomainError with a Chinese and an English sentence, rendered as JSON for the API
and as the product's 400 page otherwise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from shequ.core.errors import Invalid, NotFound

MAX_JSON_DEPTH = 32
# No single text a person types in shequ (an appeal, a notice, a forum post) needs more; a longer one is
# refused with a clear message instead of filling the database (issue #9, finding 9).
MAX_TEXT = 20_000
INT64_MAX = 2**63 - 1

# C0 controls except \t \n \r, DEL, and lone surrogates (never valid text).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
BIG_DIGITS_RE = re.compile(r"\d{19,}")
JSON_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
JSON_BRACKETS_RE = re.compile(r"[\[\]{}]")


def has_control_characters(text: str) -> bool:
    return CONTROL_RE.search(text) is not None


def check_text(value: str, *, field: str = "request") -> str:
    """Raise Invalid if a piece of text carries a control character; return it unchanged."""
    if has_control_characters(value):
        raise Invalid(
            "内容里有无法保存的控制字符（例如空字符），请删掉后重试。",
            "The text contains control characters (such as NUL) that cannot be stored; remove them.",
            code="control_characters",
            fields={field: "control_characters"},
        )
    return value


def check_length(value: str, *, field: str) -> None:
    if len(value) > MAX_TEXT:
        raise Invalid(
            f"内容太长，请不要超过{MAX_TEXT}字。",
            f"The text is too long; keep it under {MAX_TEXT} characters.",
            code="text_too_long",
            fields={field: "text_too_long"},
        )


def _too_big(field: str) -> Invalid:
    return Invalid(
        "数字太大，请检查后重试。",
        "A number is too large.",
        code="number_too_large",
        fields={field: "number_too_large"},
    )


def json_depth(body: str) -> int:
    """How deeply arrays and objects nest, without parsing (strings may hold brackets)."""
    depth = deepest = 0
    for bracket in JSON_BRACKETS_RE.findall(JSON_STRING_RE.sub('""', body)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _json_items(value: object) -> Iterator[tuple[str, object]]:
    """Every key and scalar of a parsed JSON document with its path, without recursion."""
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                yield path or str(key), str(key)
                stack.append((f"{path}.{key}" if path else str(key), child))
        elif isinstance(item, list):
            stack.extend((path, child) for child in item)
        else:
            yield path or "request", item


def check_pairs(pairs: Iterable[tuple[str, str]]) -> None:
    """Form or query values: no control characters, no whole number beyond 64 bits."""
    for key, value in pairs:
        check_text(key, field=key)
        check_text(value, field=key)
        check_length(value, field=key)
        stripped = value.strip().lstrip("+-")
        if stripped.isdigit() and int(stripped) > INT64_MAX:
            raise _too_big(key)


def check_json(body: bytes) -> None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return  # not JSON text; the API's parser refuses it with its own 422
    if json_depth(text) > MAX_JSON_DEPTH:
        raise Invalid(
            "请求内容嵌套太深。",
            f"The JSON document nests deeper than {MAX_JSON_DEPTH} levels.",
            code="json_too_deep",
        )
    try:
        document = json.loads(text)
    except ValueError:
        return  # malformed: left to the API's parser
    for field, value in _json_items(document):
        if isinstance(value, str):
            check_text(value, field=field)
            check_length(value, field=field)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT64_MAX:
            raise _too_big(field)
        elif isinstance(value, float) and value != value:  # NaN
            raise Invalid(
                "数字无效。", "A number is not valid.", code="number_invalid", fields={field: "nan"}
            )


def check_path(path: str) -> None:
    check_text(path, field="path")
    if BIG_DIGITS_RE.search(path) and any(int(run) > INT64_MAX for run in BIG_DIGITS_RE.findall(path)):
        raise NotFound("没有找到。", "Not found.")
