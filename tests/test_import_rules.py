"""The layers import only downward (README, "Layout"): pages -> ui -> coalition -> db, and
core/ under all of them. Every .py file is parsed, imports inside functions included, and each
import that breaks a rule is named with its file and line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core import vocabulary

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = {
    "app",
    "bench",
    "coalition",
    "core",
    "db",
    "entry",
    "pages",
    "scripts",
    "tests",
    "ui",
}
SKIPPED = {".git", ".venv", "node_modules", "__pycache__"}

# (the folder a file is in, the top-level packages it may not import, why)
RULES = [
    ("core", PROJECT_PACKAGES - {"core"}, "core/ imports nothing of the project"),
    ("core", {"streamlit"}, "only app.py, pages/ and ui/ import Streamlit"),
    ("db", PROJECT_PACKAGES - {"core", "db"}, "db/ is below everything but core/"),
    ("db", {"streamlit"}, "only app.py, pages/ and ui/ import Streamlit"),
    (
        "coalition",
        {"ui", "pages", "entry", "bench", "scripts", "tests"},
        "coalition/ is below entry/, ui/ and pages/",
    ),
    ("coalition", {"streamlit"}, "only app.py, pages/ and ui/ import Streamlit"),
    ("entry", {"ui", "pages", "bench", "scripts", "tests"}, "entry/ is beside ui/, below app.py"),
    ("entry", {"streamlit"}, "only app.py, pages/ and ui/ import Streamlit"),
    ("ui", {"pages", "entry", "bench", "scripts", "tests"}, "ui/ is below pages/"),
    (
        "pages",
        {"db", "entry", "bench", "scripts", "tests"},
        "pages/ reach the database through ui/",
    ),
    ("bench", {"pages", "scripts"}, "benchmarks run the app's code, not its pages or scripts"),
    ("scripts", {"pages", "tests"}, "scripts run the app's code, not its pages or tests"),
]
# The domain's sub-packages from the bottom up (coalition/__init__.py): each imports only
# those below it, never one beside it or above it.
COALITION_LAYERS = {
    "errors": 0,
    "text": 1,
    "money": 2,
    "access": 3,
    "read": 4,
    "write": 5,
    "figures": 5,
    "seed": 6,
    "output": 6,
    "notify": 7,
    "bootstrap": 8,
}
# `python -m coalition` is the command line's door: the one module of the domain that imports
# entry/ (entry/cli.py), which holds the command line itself.
DOORS = {("coalition/__main__.py", "entry")}
VOCABULARY = {name for name in vars(vocabulary) if name.isupper()}


def imported_modules(tree: ast.AST, path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names imported from it) for every import in the file."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolved against the file's own package
                package = path.relative_to(ROOT).parent.parts
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            if not module:  # `from .. import pages`: the names are the modules
                found.extend((node.lineno, alias.name, []) for alias in node.names)
                continue
            found.append((node.lineno, module, [alias.name for alias in node.names]))
    return found


def _coalition_layer(relative: Path) -> str | None:
    if relative.parts[0] != "coalition" or len(relative.parts) < 2:
        return None
    return relative.parts[1].removesuffix(".py")


def violations(path: Path, source: str) -> list[str]:
    relative = path.relative_to(ROOT)
    layer = relative.parts[0] if len(relative.parts) > 1 else None
    found = []
    for line, module, names in imported_modules(ast.parse(source, str(path)), path):
        top = module.split(".")[0]
        for folder, forbidden, why in RULES:
            if layer == folder and top in forbidden and (str(relative), top) not in DOORS:
                found.append(f"{relative}:{line}: imports {module} ({why})")
        own, parts = _coalition_layer(relative), module.split(".")
        if own in COALITION_LAYERS and top == "coalition" and len(parts) > 1:
            other = parts[1]
            above = COALITION_LAYERS.get(other, -1) >= COALITION_LAYERS[own]
            if other != own and above:
                found.append(
                    f"{relative}:{line}: imports {module} (coalition/{own} is below "
                    f"coalition/{other}: see coalition/__init__.py)"
                )
        # One way to each thing: a vocabulary comes from core.vocabulary, not passed on.
        passed_on = sorted(set(names) & VOCABULARY)
        if passed_on and module != "core.vocabulary":
            found.append(
                f"{relative}:{line}: imports {', '.join(passed_on)} from {module} "
                "(vocabularies are imported from core.vocabulary)"
            )
    return found


def python_files() -> list[Path]:
    return sorted(
        path for path in ROOT.rglob("*.py") if not SKIPPED & set(path.relative_to(ROOT).parts)
    )


def test_every_import_follows_the_layers():
    files = python_files()
    assert {f.relative_to(ROOT).parts[0] for f in files} >= {"core", "db", "coalition", "pages"}
    found = [v for path in files for v in violations(path, path.read_text(encoding="utf-8"))]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("core/settings.py", "from coalition import audit"),
        ("core/vocabulary.py", "import db.models"),
        ("core/settings.py", "import streamlit as st"),
        ("db/models.py", "from coalition.settings import get_settings"),
        ("db/migrations/env.py", "import ui.resources"),
        ("db/engine.py", "from streamlit import cache_resource"),
        ("coalition/figures/view.py", "import streamlit.components.v1 as components"),
        ("coalition/figures/view.py", "def f():\n    from ui.data import reading"),
        ("pages/map.py", "from db.engine import read_session"),
        ("pages/map.py", "from ui.data import STATUSES"),
        ("coalition/read/filters.py", "from db.models import CATEGORIES"),
        ("coalition/read/filters.py", "from ... import pages"),
        ("db/migrations/env.py", "from ...coalition import seed"),
        ("coalition/read/queries.py", "from coalition.write.pledges import create_pledge"),
        ("coalition/write/pledges.py", "from coalition.figures import charts"),
        ("coalition/figures/charts.py", "from coalition.write import validation"),
        ("coalition/text/formatting.py", "from coalition.money.exchange import rate_for"),
        ("coalition/access/auth.py", "from ..read import queries"),
        ("coalition/read/filters.py", "from entry.cli import main"),
        ("ui/shell.py", "from entry.server import ROUTES"),
        ("ui/shell.py", "import pages.overview"),
        ("entry/server.py", "from ui.resources import read"),
        ("pages/about.py", "from entry.server import SCREENS"),
        ("bench/run.py", "import pages.overview"),
        ("scripts/screenshots.py", "from tests.conftest import FIXTURE_DATA"),
    ],
)
def test_the_rules_catch_each_kind_of_breach(path, source):
    assert violations(ROOT / path, source), source


def test_allowed_imports_pass():
    for path, source in [
        ("db/models.py", "from core.vocabulary import CATEGORIES"),
        ("db/migrations/env.py", "from core.settings import get_settings"),
        ("coalition/figures/view.py", "from db.models import Pledge"),
        ("pages/map.py", "from core.vocabulary import STATUSES\nimport streamlit as st"),
        ("ui/data.py", "from db.engine import write_session"),
        ("core/settings.py", "from core.vocabulary import ROLES\nimport os"),
        ("coalition/write/pledges.py", "from coalition.read.queries import SYNTHETIC_SOURCE"),
        ("coalition/output/snapshots.py", "from coalition.figures.view import build_view"),
        ("coalition/read/as_of.py", "from coalition.errors import Problem"),
        ("coalition/__main__.py", "from entry.cli import main"),
        ("entry/cli.py", "from coalition.bootstrap import open_database"),
        ("ui/resources.py", "from coalition.bootstrap import app_engine"),
    ]:
        assert violations(ROOT / path, source) == [], source
