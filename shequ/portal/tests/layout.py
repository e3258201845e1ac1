"""Layout checks for browser tests: no text wraps one character per line, every target is ≥ 44 px."""

from __future__ import annotations

# Text nodes of two or more characters whose every line box is about one character wide.
ONE_CHAR_LINES_JS = """
() => {
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (text.length < 2) continue;
    const el = node.parentElement;
    if (!el || el.closest('.sr-only, [hidden], script, style, template, svg')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = Array.from(range.getClientRects()).filter(r => r.width > 0 && r.height > 0);
    if (rects.length < 2) continue;
    const size = parseFloat(style.fontSize) || 16;
    if (rects.every(r => r.width < size * 1.6)) bad.push(text.slice(0, 20));
  }
  return bad;
}
"""

# Visible interactive elements smaller than 44 × 44 px. Links inside running text are exempt (WCAG 2.5.8),
# as are the skip link and controls inside (or named by) a label that is itself a big enough target.
SMALL_TARGETS_JS = """
() => {
  const bad = [];
  const sel = 'a[href], button, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea, summary';
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('.skip, [hidden], .sr-only, .inline-text')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (el.tagName === 'A' && style.display === 'inline' && el.closest('p, li.text, .prose, dd, td')) continue;
    if (el.closest('label') && el.closest('label').getBoundingClientRect().height >= 44) continue;
    // a control whose own label is a big enough target (the hidden file inputs under 拍照 / 从相册选)
    const big = l => { const b = l.getBoundingClientRect(); return b.width >= 43.5 && b.height >= 43.5; };
    if (el.labels && Array.from(el.labels).some(big)) continue;
    if (r.height < 43.5 || r.width < 43.5) bad.push(`${el.tagName} "${(el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return bad;
}
"""


def layout_problems(page) -> dict[str, list[str]]:
    return {
        "one_char_lines": page.evaluate(ONE_CHAR_LINES_JS),
        "small_targets": page.evaluate(SMALL_TARGETS_JS),
    }


def assert_layout_ok(page, where: str = "") -> None:
    problems = layout_problems(page)
    assert not problems["one_char_lines"], (
        f"{where}: text wraps one character per line: {problems['one_char_lines']}"
    )
    assert not problems["small_targets"], f"{where}: targets under 44 px: {problems['small_targets']}"


def full_page_shot(page, path) -> None:
    """A full-page screenshot in which the fixed bottom bar sits at the end of the page, as on a phone
    scrolled to the bottom, instead of over the middle of it (Chromium draws fixed elements where the
    viewport ends). Nothing happens without SHEQU_SCREENSHOTS=1."""
    from shequ.conftest import SCREENSHOTS

    if not SCREENSHOTS:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": original["width"], "height": max(height, original["height"])})
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(original)
