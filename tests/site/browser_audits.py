"""Accessibility audits run inside a Playwright page: axe-core at a pinned version, a walk of
the page with the Tab key, and reflow at 320 CSS pixels.

axe-core comes from the npm registry at the version and hash pinned in
``tests/site/axe/package-lock.json``; ``scripts/test`` installs it (``npm ci``) into
``tests/site/axe/node_modules/``, and :func:`run_axe` adds its ``axe.min.js`` (:func:`axe_script`)
to a page from a local server (``tests/site/conftest.py``'s ``axe_url``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_DIR = Path(__file__).resolve().parent / "axe"
# Every WCAG 2.0, 2.1 and 2.2 success criterion at levels A and AA that axe-core tests.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")
# Best-practice rules run as well: all content sits inside landmarks.
EXTRA_RULES = ("region",)


def pinned_axe_version() -> str:
    """The axe-core version that ``package-lock.json`` pins."""
    lock = json.loads((AXE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/axe-core"]["version"]


def axe_script() -> Path:
    """The installed ``axe.min.js``, after checking it is the pinned version."""
    package = AXE_DIR / "node_modules" / "axe-core"
    if not (package / "axe.min.js").is_file():
        raise FileNotFoundError(
            f"axe-core is not installed in {AXE_DIR / 'node_modules'}: run scripts/test, "
            f"or npm ci --prefix {AXE_DIR}"
        )
    installed = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    if installed != pinned_axe_version():
        raise RuntimeError(
            f"axe-core {installed} is installed but the lock pins {pinned_axe_version()}: "
            f"run npm ci --prefix {AXE_DIR}"
        )
    return package / "axe.min.js"


def run_axe(page: Page, script_url: str) -> dict[str, Any]:
    """axe-core's results for the page as loaded: every WCAG A/AA rule plus ``region``.
    axe-core is added by its URL (:func:`axe_script`, served locally), not as text, so that
    Chromium compiles its 650 kB once and reuses the code on each later page: loading and
    checking the 78 pages of an edition took 47 CPU s of an idle 2-core machine this way,
    against 58 s with axe-core added as text."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=script_url)
    return page.evaluate(
        """([tags, extra]) => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            rules: Object.fromEntries(extra.map((id) => [id, {enabled: true}])),
            resultTypes: ["violations"],
        })""",
        [list(WCAG_TAGS), list(EXTRA_RULES)],
    )


def rules_run(results: dict[str, Any]) -> set[str]:
    """Identifiers of every rule that axe-core ran on the page (whatever its outcome)."""
    groups = ("violations", "passes", "incomplete", "inapplicable")
    return {rule["id"] for group in groups for rule in results[group]}


# Marks every element that should be reachable with Tab (visible, enabled, in the tab order;
# one per radio group) with data-bbp-tab, in document order, and records how it and its
# descendants look unfocused (outline and box shadow). Returns their descriptions.
MARK_TABBABLE = """() => {
  const selector = 'a[href], area[href], button, input, select, textarea, summary, iframe, '
    + '[tabindex], [contenteditable="true"], [contenteditable=""], audio[controls], '
    + 'video[controls]';
  const radios = new Set();
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.tabIndex < 0 || el.disabled || el.closest('[inert]')) continue;
    if (el.tagName === 'INPUT' && el.type === 'hidden') continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (el.tagName === 'INPUT' && el.type === 'radio' && el.name) {
      if (radios.has(el.name)) continue;
      radios.add(el.name);
    }
    el.dataset.bbpTab = String(out.length);
    for (const part of [el, ...el.querySelectorAll('*')]) {
      const style = getComputedStyle(part);
      part.dataset.bbpUnfocused = JSON.stringify([style.outline, style.boxShadow]);
    }
    const text = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('href')
      || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    out.push(`<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}> ${text}`);
  }
  return out;
}"""

# Describes the focused element once its transitions have run: its mark, and how its focus
# shows: an outline or box shadow that it (or a descendant) lacks when unfocused, the contrast
# of that indicator's colour against the background around it, and whether some of the
# element is not covered by anything else (WCAG 2.4.7, 2.4.11, 1.4.11).
FOCUSED = """async () => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const finite = document.getAnimations().filter(
    (a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.all(finite.map((a) => a.finished.catch(() => null)));
  let indicator = 'none';
  let ratio = 0;
  for (const part of [el, ...el.querySelectorAll('*')]) {
    const style = getComputedStyle(part);
    const [outline, shadow] = JSON.parse(part.dataset.bbpUnfocused || '["", ""]');
    let colour = null;
    let what = '';
    if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
        && style.outline !== outline) {
      colour = parse(style.outlineColor);
      what = `outline ${style.outline}`;
    } else if (style.boxShadow !== 'none' && style.boxShadow !== shadow) {
      colour = parse(style.boxShadow.match(/rgba?\\([^)]+\\)/)?.[0] || '');
      what = `box-shadow ${style.boxShadow}`;
    }
    if (!colour || clipped(part, style)) continue;
    const around = backdrop(part.parentElement);
    const value = contrast(blend(colour, around), around);
    if (value > ratio) [indicator, ratio] = [what, value];
  }
  return {
    mark: el.dataset.bbpTab ?? null,
    what: `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}> ` +
      (el.getAttribute('aria-label') || el.textContent || '').trim().replace(/\\s+/g, ' ')
        .slice(0, 50),
    indicator,
    contrast: Math.round(ratio * 100) / 100,
    uncovered: uncovered(el),
  };
  function parse(colour) {
    const m = colour.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 1];
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function backdrop(node) {
    const layers = [];
    for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = blend(layer, colour);
    return colour;
  }
  function blend(top, bottom) {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  }
  function luminance(c) {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  // Whether every side of the ring falls outside the box of an ancestor that clips overflow.
  function clipped(part, style) {
    const spread = style.outlineStyle !== 'none'
      ? parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth)
      : Math.max(0, ...[...style.boxShadow.matchAll(/(-?[\\d.]+)px/g)].map((m) => +m[1]));
    const box = part.getBoundingClientRect();
    const ring = {left: box.left - spread, right: box.right + spread, top: box.top - spread,
      bottom: box.bottom + spread};
    const clip = {left: -Infinity, right: Infinity, top: -Infinity, bottom: Infinity};
    for (let n = part.parentElement; n && n !== document.body; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const r = n.getBoundingClientRect();
      clip.left = Math.max(clip.left, r.left);
      clip.right = Math.min(clip.right, r.right);
      clip.top = Math.max(clip.top, r.top);
      clip.bottom = Math.min(clip.bottom, r.bottom);
    }
    return !(ring.left >= clip.left - 0.5 || ring.right <= clip.right + 0.5
      || ring.top >= clip.top - 0.5 || ring.bottom <= clip.bottom + 0.5);
  }
  function uncovered(el) {
    const box = el.getBoundingClientRect();
    const xs = [box.left + 2, (box.left + box.right) / 2, box.right - 2];
    const ys = [box.top + 2, (box.top + box.bottom) / 2, box.bottom - 2];
    for (const x of xs) for (const y of ys) {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      const hit = document.elementFromPoint(x, y);
      if (hit && (hit === el || el.contains(hit) || hit.contains(el))) return true;
    }
    return false;
  }
}"""


def tab_walk(page: Page) -> tuple[list[str], list[dict[str, Any]]]:
    """Press Tab from the top of the page until focus leaves the document or comes back to
    the first element; return the elements expected to be reachable and each stop of the
    walk (see ``FOCUSED``)."""
    expected = page.evaluate(MARK_TABBABLE)
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    stops: list[dict[str, Any]] = []
    for _ in range(2 * len(expected) + 20):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        key = None if stop is None else (stop["mark"], stop["what"])
        back_at_start = bool(stops) and key == (stops[0]["mark"], stops[0]["what"])
        if stop is None or back_at_start:
            break
        stops.append(stop)
    return expected, stops


# Everything on the page that reaches beyond the viewport's sides, except what sits inside a
# data table in its own scroll container (overflow-x auto or scroll, in the tab order, a named
# region). Content wholly off screen (hidden skip links) or clipped away by an ancestor that
# itself fits is not reachable by scrolling and is skipped.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const out = [];
  const reported = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right <= width + 0.5 && box.left >= -0.5) continue;
    if (box.right <= 0 || box.left >= width) continue;
    const scroller = scrollAncestor(el);
    if (scroller === 'clipped') continue;
    if (scroller && el.closest('table') && scroller.contains(el.closest('table'))
        && named(scroller)) continue;
    reported.add(el);
    if (reported.has(el.parentElement)) continue;  // only the outermost of each overflow
    out.push(describe(el) + (scroller ? ' in scroll container ' + describe(scroller)
      + ' (needs tabindex=0, role=region and a name)' : ''));
  }
  // Text that runs out of its box (a long word or address) overflows without its box doing so.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || reported.has(el) || !el.checkVisibility()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const outside = [...range.getClientRects()].some(
      (r) => r.width > 0 && r.right > width + 0.5 && r.left < width);
    if (!outside) continue;
    const scroller = scrollAncestor(el);
    if (scroller === 'clipped') continue;
    if (scroller && el.closest('table') && named(scroller)) continue;
    reported.add(el);
    out.push('text "' + node.textContent.trim().slice(0, 40) + '" in ' + describe(el));
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, offenders: out};
  function scrollAncestor(el) {
    for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
      const overflow = getComputedStyle(n).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') return n;
      if (overflow === 'hidden' || overflow === 'clip') {
        const box = n.getBoundingClientRect();
        if (box.right <= width + 0.5 && box.left >= -0.5) return 'clipped';
      }
    }
    return null;
  }
  function named(n) {
    if (n.tabIndex !== 0 || n.getAttribute('role') !== 'region') return false;
    const label = (n.getAttribute('aria-label') || '').trim();
    const ids = (n.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const labelled = ids.map((id) => document.getElementById(id)?.textContent || '').join('');
    return Boolean(label || labelled.trim());
  }
  function describe(el) {
    const box = el.getBoundingClientRect();
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
      + `${el.className && typeof el.className === 'string' ? '.' + el.className.trim()
        .split(/\\s+/).join('.') : ''}> [${Math.round(box.left)}, ${Math.round(box.right)}]`;
  }
}"""


def overflow(page: Page) -> dict[str, Any]:
    """The document's scroll width, the viewport width and what overflows (see ``OVERFLOW``)."""
    return page.evaluate(OVERFLOW)
