"""The layout's rules, checked on the source: which package may import what, no cycles, short files.

Read from the syntax tree, so an import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.data import REPO

MAX_LINES = 400
TELEGRAM_HOMES = ("bot.chat", "bot.app", "bot.__main__")
"""Only the Telegram package and the wiring import `telegram`."""
DATABASE_HOME = "bot.storage"
DRIVERS = {"aiosqlite", "sqlite3", "asyncpg"}
TOP_LEVEL = {"__init__", "__main__", "app", "config", "logs"}


def modules() -> dict[str, Path]:
    found = {}
    for package in ("bot", "recsys"):
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def within(name: str, homes: tuple[str, ...] | str) -> bool:
    homes = (homes,) if isinstance(homes, str) else homes
    return any(name == home or name.startswith(home + ".") for home in homes)


MODULES = modules()


@pytest.mark.parametrize("name", sorted(MODULES))
def test_telegram_and_database_drivers_stay_in_their_packages(name: str) -> None:
    used = {target.split(".")[0] for target in imports(MODULES[name])}
    if "telegram" in used:
        assert within(name, TELEGRAM_HOMES), f"{name} imports telegram"
    if used & DRIVERS:
        assert within(name, DATABASE_HOME), f"{name} uses a database driver"
    if within(name, "recsys"):
        assert not used & {"bot", "telegram", *DRIVERS}, f"{name}: {used}"


FORBIDDEN = {
    "bot.storage": ("bot.chat", "bot.training", "bot.app", "bot.config"),
    "bot.training": ("bot.chat", "bot.app", "bot.config"),
    "bot.chat": ("bot.app",),
}
"""Imports run one way: chat -> training / storage -> recsys; nothing imports the wiring."""


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_run_one_way(name: str) -> None:
    for layer, banned in FORBIDDEN.items():
        if within(name, layer):
            wrong = sorted(t for t in imports(MODULES[name]) if within(t, banned))
            assert not wrong, f"{name} imports {wrong}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_files_stay_short(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


def test_bot_keeps_a_handful_of_top_level_modules() -> None:
    top = {path.stem for path in (REPO / "bot").glob("*.py")}
    assert top <= TOP_LEVEL, sorted(top - TOP_LEVEL)


def test_no_import_cycles() -> None:
    graph = {
        name: {target for target in imports(path) if target in MODULES and target != name}
        for name, path in MODULES.items()
    }
    # A package's __init__ importing its own submodules (re-exports) is not a cycle of ideas.
    for name in graph:
        graph[name] = {t for t in graph[name] if not (name in MODULES and t.startswith(name + "."))}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycle = [*path[path.index(name) :], name]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
