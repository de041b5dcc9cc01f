"""What the wheel and the image are made of, checked on the files (no build, no Docker here).

tests/e2e/test_install.py builds and installs the wheel for real; these say why it holds what
it holds: every package is listed, and the image's layers and build context are the ones the
Dockerfile and .dockerignore mean.
"""

from __future__ import annotations

import re
import tomllib

from bot.storage.migrations import PACKAGED
from tests.support.data import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
MIGRATIONS_PACKAGE = f"bot.storage.{PACKAGED}"


def packages_in_the_tree() -> set[str]:
    return {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in ("bot", "recsys")
        for init in (REPO / top).rglob("__init__.py")
    }


def test_the_wheel_lists_every_package_of_the_tree_and_the_migrations() -> None:
    assert set(SETUPTOOLS["packages"]) == packages_in_the_tree() | {MIGRATIONS_PACKAGE}


def test_the_migrations_ship_from_the_top_level_folder() -> None:
    assert SETUPTOOLS["package-dir"] == {MIGRATIONS_PACKAGE: "migrations"}
    assert SETUPTOOLS["package-data"] == {MIGRATIONS_PACKAGE: ["*.sql", "postgresql/*.sql"]}


def build_stage() -> list[str]:
    """The build stage's instructions, continuation lines joined, comments left out."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    runtime = next(i for i, line in enumerate(instructions) if line == "FROM python:3.11-slim")
    return instructions[:runtime]


def test_the_image_installs_the_dependencies_before_it_copies_any_code() -> None:
    stage = build_stage()
    deps = next(i for i, line in enumerate(stage) if "-r requirements.txt" in line)
    project = next(i for i, line in enumerate(stage) if "pip install --no-deps" in line)
    copied_before = [line for line in stage[:deps] if line.startswith("COPY")]
    assert copied_before == ["COPY pyproject.toml constraints.txt ./"]
    assert deps < project


def dockerignore() -> list[str]:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker leaves `path` out of the build context: the last pattern that matches
    it or one of its parent folders decides, `!` letting it back in (moby's patternmatcher,
    without the rarely used `\\` escapes)."""
    parts = path.split("/")
    decision = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern.lstrip("!").strip("/")
        regex = re.escape(body).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
        regex = regex.replace(r"\*", "[^/]*")
        regex = regex.replace(r"\?", "[^/]")
        prefixes = ("/".join(parts[:n]) for n in range(1, len(parts) + 1))
        if any(re.fullmatch(regex, prefix) for prefix in prefixes):
            decision = not negated
    return decision


def test_the_build_context_leaves_out_the_environment_the_data_and_the_secrets() -> None:
    patterns = dockerignore()
    left_out = [".venv/lib/python3.11/site-packages/torch/__init__.py", "data/moviebot.db"]
    left_out += [".git/HEAD", ".env", "tests/conftest.py", "bot/__pycache__/app.cpython-311.pyc"]
    kept = ["pyproject.toml", "constraints.txt", "README.md", "migrations/001_initial.sql"]
    kept += ["bot/app.py", "bot/chat/locales/en.py", "recsys/mf.py"]
    assert [path for path in left_out if not ignored(path, patterns)] == []
    assert [path for path in kept if ignored(path, patterns)] == []


def test_what_the_image_copies_is_in_the_build_context() -> None:
    patterns = dockerignore()
    copied = [
        source
        for line in build_stage()
        if line.startswith("COPY") and "--from" not in line
        for source in line.split()[1:-1]
    ]
    assert copied and [source for source in copied if ignored(source, patterns)] == []
