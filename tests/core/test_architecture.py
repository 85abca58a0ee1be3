"""The code's shape (DESIGN §5) that no linter keeps: modules of one concept stay small, and
an import of our own code hidden inside a function says why it cannot be at the top.

The direction of imports between apps is import-linter's contract (pyproject.toml), run by
scripts/test before pytest; the types are mypy's."""

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[2] / "apps"
MAX_LINES = 600  # DESIGN §5: one module per concept past ~600 lines
MODULES = sorted(path for path in APPS.rglob("*.py") if "migrations" not in path.parts)


def _name(path: Path) -> str:
    return str(path.relative_to(APPS.parent))


def lazy_imports_without_a_reason(source: str) -> list[int]:
    """Lines of `apps.*` imports inside functions with no comment on them or just above
    them (a run of imports under one comment shares it)."""
    lines = source.splitlines()
    unexplained = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
            elif isinstance(node, ast.Import):
                module = node.names[0].name
            else:
                continue
            if module != "apps" and not module.startswith("apps."):
                continue
            if any("#" in line for line in lines[node.lineno - 1 : node.end_lineno]):
                continue
            above = node.lineno - 2
            while above >= 0 and lines[above].strip().startswith(("from ", "import ", ")")):
                if "#" in lines[above]:
                    break
                above -= 1
            if above < 0 or "#" not in lines[above]:
                unexplained.append(node.lineno)
    return sorted(set(unexplained))


def test_the_lazy_import_check_finds_an_unexplained_import_and_accepts_a_reason():
    source = (
        "def a():\n    from apps.core import hooks\n"
        "def b():\n    # the tasks import these services: a cycle at load\n"
        "    from apps.core import hooks\n    from apps.core import money\n"
        "def c():\n    from apps.core import tasks  # a cycle at load\n"
        "def d():\n    import json\n"
    )
    assert lazy_imports_without_a_reason(source) == [2]


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_a_lazy_import_of_our_code_says_why(path):
    lines = lazy_imports_without_a_reason(path.read_text())
    assert not lines, (
        f"{_name(path)}: imports inside functions at lines {lines}: move them to the top, or say on the line why they cannot be"
    )


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_is_over_600_lines(path):
    count = len(path.read_text().splitlines())
    assert count <= MAX_LINES, f"{_name(path)} has {count} lines: split it by concept (DESIGN §5)"
