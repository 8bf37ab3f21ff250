"""axe-core in the browser tests: inject it into the page, run it, keep serious and critical findings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


@lru_cache(maxsize=1)
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list[str]:
    """Serious and critical WCAG 2.x A/AA violations on the page as it is now, one line each.

    The script goes in through the DevTools protocol (page.evaluate), not a <script> tag, so
    the page's Content-Security-Policy is not loosened for the check."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['impact']}: {v['id']} — {v['help']} at {', '.join(v['targets'])}"
            for v in result if v["impact"] in BLOCKING_IMPACTS]
