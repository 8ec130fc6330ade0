"""The README and `.env.example` keep up with the code: every setting and every
command is documented, and the README's two Quick start commands are the ones CI runs.

No database is needed: an app on a throwaway SQLite file is enough to list commands.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from leadsite import create_app
from leadsite.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The README's text under `## title`, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def settings_table() -> dict[str, str]:
    """Configuration table rows: setting name -> its Default cell."""
    rows = re.findall(
        r"^\| `([A-Z0-9_]+)` \| ([^|]*) \|", section("Configuration"), re.M
    )
    return {name: default.strip() for name, default in rows}


def documented_default(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def test_every_setting_is_in_the_readme_with_its_default():
    table = settings_table()
    assert sorted(set(SETTINGS) - set(table)) == [], "add these to the README table"
    assert sorted(set(table) - set(SETTINGS)) == [], "the README lists unknown settings"
    wrong = {
        name: (table[name], documented_default(setting.default))
        for name, setting in SETTINGS.items()
        if table[name] != documented_default(setting.default)
    }
    assert wrong == {}, "README default -> actual default"


def test_every_setting_is_in_env_example():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    missing = [
        name for name in SETTINGS if not re.search(rf"^#? ?{name}=", example, re.M)
    ]
    assert missing == [], "add these to .env.example (commented out if optional)"


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[str]:
    """Every runnable command under `group`, as it is typed after `flask`."""
    paths = []
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        path = (*prefix, name)
        if path == ("db",):
            # Flask-Migrate's own group: only the command operators need.
            paths.append("db upgrade")
        elif isinstance(command, click.Group) and command.commands:
            paths += command_paths(command, path)
        else:
            paths.append(" ".join(path))
    return paths


@pytest.fixture
def cli_app(tmp_path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'docs.db'}",
            "SITE_DIR": str(TESTS / "site"),
        }
    )


def test_every_command_is_in_the_readme(cli_app):
    paths = command_paths(cli_app.cli)
    assert {"serve", "check-site", "db upgrade"} <= set(paths)
    undocumented = [
        path
        for path in paths
        if not re.search(rf"`flask {re.escape(path)}(?![\w-])", README)
    ]
    assert undocumented == [], "document these commands in the README"


def quick_start_commands() -> list[str]:
    block = re.search(r"^```[^\n]*\n(.*?)^```", section("Quick start"), re.M | re.S)
    assert block, "the Quick start section has no code block"
    lines = [line.strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_readme_opens_with_two_quick_start_commands_and_ci_runs_the_second():
    first_heading = re.search(r"^## (.*)$", README, re.M)
    assert first_heading and first_heading.group(1) == "Quick start"
    commands = quick_start_commands()
    assert len(commands) == 2, commands

    ci_lines = [
        line.split("#", 1)[0]
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    ]
    test_command = re.compile(rf"(^|[\s;&|(]){re.escape(commands[1])}($|[\s;&|)])")
    assert any(test_command.search(line) for line in ci_lines), (
        f".ci/run does not run {commands[1]!r}"
    )
