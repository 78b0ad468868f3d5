"""What the accessibility walk checks on each page: axe-core, words left in the
other language, and the fit on a small phone at 200 % zoom.

axe-core is run with ``page.evaluate`` (the Chrome DevTools protocol), not
through a ``<script>`` tag: the pages' Content-Security-Policy allows no
inline script, and a tag pointing at a test-only file would need the server to
serve it. DevTools evaluation is not subject to the page's CSP, so the pages
are checked exactly as they are served, policy included (``bypass_csp`` would
also change how the page itself behaves).
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import django
from playwright.sync_api import Page, ViewportSize

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
FAILING_IMPACTS = ("critical", "serious")

RUN_AXE = """async (rules) => {
  const result = await axe.run(document, { resultTypes: ["violations"], rules });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


@cache
def axe_source() -> str:
    return AXE.read_text()


def axe_violations(page: Page, *, contrast: bool = True) -> list[str]:
    """axe-core's critical and serious violations on the page, one line per element.

    ``contrast=False`` skips the colour-contrast rule, more than half of axe's
    time: the walk checks it in one language only, as the colours of a page do
    not depend on its language.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    rules = {"color-contrast": {"enabled": contrast}}
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE, rules)
    return [
        f"{v['impact']} {v['id']} ({v['help']}) at {node['target']}: "
        + node["summary"].replace("\n", " ")
        for v in found
        if v["impact"] in FAILING_IMPACTS
        for node in v["nodes"]
    ]


# --- Words left in the other language ------------------------------------------

# Every text a person can meet on the page: text nodes, the texts of attributes
# people see or hear, the labels CSS shows (data-label) and the texts scripts
# show later (self.XADESK_TEXTS, config/pwa.py, and data-* of [data-texts]
# holders), skipping parts
# marked as another language (lang="..."), such as the language menu's names.
PAGE_TEXTS = """() => {
  const lang = document.documentElement.lang;
  const own = el => { const l = el.closest("[lang]"); return !l || l.lang === lang; };
  const scripts = self.XADESK_TEXTS || {};
  const texts = [document.title, ...Object.values(scripts).flatMap(Object.values)];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || ["SCRIPT", "STYLE", "TEMPLATE"].includes(parent.tagName)) continue;
    if (own(parent)) texts.push(node.textContent);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (!own(el)) continue;
    for (const attr of el.attributes) {
      if (["placeholder", "aria-label", "title", "alt", "aria-description"].includes(attr.name)
          || attr.name === "data-label"
          || (attr.name.startsWith("data-") && el.matches("[data-texts]"))
          || (attr.name === "value" && el.matches("input[type=submit], input[type=button]"))) {
        texts.push(attr.value);
      }
    }
  }
  return texts;
}"""

# Django's empty choice of a select: shown by model and form fields alike.
WIDGET_DEFAULTS = ("---------", "- Select an option -")
_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif]")
# Placeholders that stand for one word, a number or a case's number ("Trang
# %(number)s", "#%(number)s"): matching any text there called the English
# "Trang Xa Commune" (a commune's name) a Vietnamese leak once the forms named
# communes in English. No space in them: "TN-2026-00638" still matches.
_ONE_WORD = frozenset({"number", "total", "count", "counter", "rating", "minutes", "hours"})


def _stands_for(placeholder: str) -> str:
    name = placeholder[2:-2] if placeholder.startswith("%(") else ""
    if placeholder.endswith(("d", "i", "f")):
        return r"[\d.,]+"
    if name in _ONE_WORD:
        return r"\S+"
    return ".+?"


@dataclass(frozen=True)
class Catalogue:
    """Texts that betray the other language: exact texts and templated ones."""

    exact: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]

    def leaks(self, texts: list[str]) -> list[str]:
        found = []
        for raw in texts:
            text = " ".join(raw.split())
            if not text:
                continue
            if text in self.exact or any(p.fullmatch(text) for p in self.patterns):
                found.append(text)
        return sorted(set(found))


def _catalogue_entries() -> list[tuple[str, str]]:
    """(English msgid, Vietnamese msgstr) of this project's and Django's catalogues."""
    files = [
        ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.mo",
        Path(django.__file__).parent / "conf" / "locale" / "vi" / "LC_MESSAGES" / "django.mo",
    ]
    entries = []
    for mo in files:
        with mo.open("rb") as handle:
            catalog: dict[Any, str] = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        for key, msgstr in catalog.items():
            msgid = key[0] if isinstance(key, tuple) else key
            msgid = msgid.split("\x04")[-1]  # drop a context
            if msgid and msgstr and msgid != msgstr and re.search(r"[A-Za-z]{2}", msgid):
                entries.append((msgid, msgstr))
    return entries


def _catalogue(texts: list[str]) -> Catalogue:
    exact, patterns = set(), []
    for text in texts:
        # Template strings escape a literal % as %% (Django's {% translate %}).
        text = " ".join(text.replace("%%", "%").split())
        if _PLACEHOLDER.search(text):
            pattern, end = "", 0
            for found in _PLACEHOLDER.finditer(text):
                pattern += re.escape(text[end : found.start()]) + _stands_for(found.group(0))
                end = found.end()
            patterns.append(re.compile(pattern + re.escape(text[end:])))
        else:
            exact.add(text)
    return Catalogue(frozenset(exact), tuple(patterns))


@cache
def english_texts() -> Catalogue:
    """What must not be seen on a Vietnamese page: translated English, widget defaults."""
    return _catalogue([msgid for msgid, _ in _catalogue_entries()] + list(WIDGET_DEFAULTS))


@cache
def vietnamese_texts() -> Catalogue:
    """What must not be seen on an English page: the Vietnamese translations."""
    return _catalogue([msgstr for _, msgstr in _catalogue_entries()])


def language_leaks(page: Page, language: str) -> list[str]:
    texts: list[str] = page.evaluate(PAGE_TEXTS)
    catalogue = english_texts() if language == "vi" else vietnamese_texts()
    return catalogue.leaks(texts)


# --- Small phones ---------------------------------------------------------------

PHONE: ViewportSize = {"width": 360, "height": 740}
# A 360 px phone with the text zoomed to 200 %: the page has 180 CSS px.
PHONE_ZOOMED: ViewportSize = {"width": 180, "height": 370}

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    if (el.closest(".table-wrap, .map, .leaflet-container")) continue;  // they scroll inside
    if (getComputedStyle(el).position === "fixed") continue;
    const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                 classes.filter(Boolean).map(c => "." + c).join("");
    wide.push(name + " right=" + Math.round(box.right));
  }
  return { scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5) };
}"""

# Controls a finger must hit: at least 44 x 44 CSS px (links inside a sentence
# are exempt, as in WCAG 2.5.5). A checkbox or radio counts with its label.
SMALL_TARGETS = """() => {
  const small = [];
  const selector = "button, select, input:not([type=hidden]), textarea, summary, " +
                   "nav a, a.button, a.tile, a.tap, .pager a, .counts a";
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest("[hidden], .leaflet-container, .skip")) continue;
    let box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (["checkbox", "radio"].includes(el.type) && el.labels && el.labels[0]) {
      const label = el.labels[0].getBoundingClientRect();
      const top = Math.min(box.top, label.top), bottom = Math.max(box.bottom, label.bottom);
      const left = Math.min(box.left, label.left), right = Math.max(box.right, label.right);
      box = { width: right - left, height: bottom - top };
    }
    if (box.height < 43.5 || box.width < 43.5) {
      const size = Math.round(box.width) + "x" + Math.round(box.height);
      small.push(el.outerHTML.slice(0, 80) + " " + size);
    }
  }
  return small;
}"""


def phone_problems(page: Page) -> list[str]:
    """Tap targets under 44 px at phone width; a sideways scroll at 200 % zoom."""
    problems = [f"small tap target: {t}" for t in page.evaluate(SMALL_TARGETS)]
    page.set_viewport_size(PHONE_ZOOMED)
    try:
        fit = page.evaluate(OVERFLOW)
        if fit["scroll"] > fit["width"]:
            problems.append(
                f"scrolls sideways at 200 % zoom ({fit['scroll']} > {fit['width']} px): "
                + ", ".join(fit["wide"])
            )
    finally:
        page.set_viewport_size(PHONE)
    return problems
