"""axe-core in the browser tests: `assert_accessible(page, context=...)` checks the page as it is
now against the WCAG 2 A and AA rules and fails with a readable list of what is wrong.

axe is vendored (tests/e2e/vendor/README) and put into the page with `page.evaluate`: Playwright
evaluates through the DevTools protocol, outside the page's Content-Security-Policy, so the
strict policy (script-src 'self', no inline script) stays on and the pages are checked as users
get them. `page.add_script_tag` would insert an inline <script>, which that policy blocks.
"""

from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.map(String).join(" "), summary: n.failureSummary})),
  }));
}"""


def axe_violations(page) -> list[dict]:
    """The WCAG 2 A/AA violations axe finds in the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(_RUN, WCAG_A_AA)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}")
            lines.extend(
                f"        {line.strip()}" for line in (node["summary"] or "").splitlines() if line.strip()
            )
    return "\n".join(lines)


def assert_accessible(page, context: str = "") -> None:
    """Fails, naming each rule, its impact, the elements and the help, unless axe finds no
    WCAG 2 A/AA violation in the page."""
    violations = axe_violations(page)
    where = f"{context} ({page.url})" if context else page.url
    assert not violations, f"axe found {len(violations)} accessibility violation(s) on {where}:\n" + (
        format_violations(violations)
    )
