"""Small courses built from the solution fixtures, and the secret lines of a solution.

`secret_lines` reads the markers with its own few lines of code instead of the authoring
module, so that a leak test does not trust the code it tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

SOLUTION_FIXTURES = Path(__file__).parent / "fixtures" / "solutions"
WELL_FORMED = "well-formed-two-questions"

_LESSON = """
[[lessons]]
id = "{id}"
slug = "{slug}"
title = "Lesson {id}"
practice = "Practise lesson {id}."
status = "planned"
notebook = "notebooks/{slug}.ipynb"
solution = "solutions/{slug}.ipynb"
exercise = "exercises/{slug}.ipynb"
points = {points}
"""


def make_course(root: Path, solutions: dict[str, str], points: int = 5) -> Path:
    """A course at `root` with lessons 00 and 01; `solutions` maps a lesson id to a fixture."""
    slugs = {"00": "00-mlops-lifecycle", "01": "01-data-validation"}
    (root / "course").mkdir(parents=True)
    lessons = "".join(
        _LESSON.format(id=lesson_id, slug=slug, points=points) for lesson_id, slug in slugs.items()
    )
    (root / "course" / "course.toml").write_text(f'[course]\ntitle = "Fixture course"\n{lessons}')
    (root / "solutions").mkdir()
    for lesson_id, fixture in solutions.items():
        target = root / "solutions" / f"{slugs[lesson_id]}.ipynb"
        shutil.copyfile(SOLUTION_FIXTURES / f"{fixture}.ipynb", target)
    return root


def secret_lines(solution: Path) -> set[str]:
    """Every stripped, non-blank line between solution or hidden-tests markers."""
    import nbformat

    secrets = set()
    for cell in nbformat.read(solution, as_version=4).cells:
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if text in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                inside = True
            elif text in ("### END SOLUTION", "### END HIDDEN TESTS"):
                inside = False
            elif inside and text:
                secrets.add(text)
    return secrets


def readable_text(path: Path) -> str:
    """A file's text as a reader sees it: a notebook's JSON strings unescaped, one per line."""
    import json

    raw = path.read_bytes().decode("utf-8", errors="replace")
    if path.suffix != ".ipynb":
        return raw
    strings: list[str] = []

    def collect(value: object) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                collect(key)
                collect(item)

    collect(json.loads(raw))
    return "".join(strings) + "\n" + raw
