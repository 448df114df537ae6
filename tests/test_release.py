"""The student bundle: everything a student needs, nothing of the solutions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from solution_cases import WELL_FORMED, make_course, readable_text, secret_lines

from mlops_course.classroom.authoring.assign import assign
from mlops_course.classroom.authoring.release import ReleaseError, release
from mlops_course.classroom.cli import main
from mlops_course.paths import ROOT_ENV

REPO = Path(__file__).resolve().parents[1]


def _distinctive(line: str) -> bool:
    """Lines only a solution would hold: imports and one-word lines recur in public text."""
    return len(line) >= 12 and not line.startswith(("import ", "from "))


def _public_lines(root: Path) -> set[str]:
    """Lines the course publishes on purpose: walkthroughs, the package, and every part of a
    solution notebook outside the markers (prompts, setup, public tests).

    A solution may reuse a line the walkthrough teaches (`schema.validate(batch, lazy=True)`);
    finding that line in the bundle says nothing about a leak.
    """
    import nbformat

    lines: set[str] = set()
    for solution in root.glob("solutions/*.ipynb"):
        for cell in nbformat.read(solution, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                text = line.strip()
                if text.startswith("### BEGIN "):
                    inside = True
                elif text.startswith("### END "):
                    inside = False
                elif not inside:
                    lines.add(text)
    for walkthrough in root.glob("notebooks/*.ipynb"):
        # Read as plain JSON: a fixture course's walkthrough may be a stand-in `{}`.
        for cell in json.loads(walkthrough.read_text()).get("cells", []):
            lines |= {line.strip() for line in "".join(cell["source"]).splitlines()}
    for module in root.glob("src/**/*.py"):
        lines |= {line.strip() for line in module.read_text().splitlines()}
    return lines


def _leaks(bundle: Path, solutions_folder: Path) -> list[str]:
    """Every (file, secret line) pair where a solution or hidden-test line reached the bundle."""
    public = _public_lines(solutions_folder.parent)
    secrets = {
        line
        for solution in sorted(solutions_folder.glob("*.ipynb"))
        for line in secret_lines(solution)
        if _distinctive(line)
    }
    # A secret that is part of a published line (`return bool(` in `return bool(x)`) would
    # be found wherever that line is, leak or not.
    secrets = {secret for secret in secrets if not any(secret in line for line in public)}
    found = []
    for path in sorted(bundle.rglob("*")):
        if path.is_file():
            text = readable_text(path)
            found += [f"{path.relative_to(bundle)}: {line}" for line in secrets if line in text]
    return found


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A complete little course: two solutions, instructor notes, tests, the real package."""
    root = make_course(tmp_path / "course", {"00": WELL_FORMED, "01": WELL_FORMED})
    for name in ("README.md", "Makefile", "pyproject.toml", ".gitignore"):
        (root / name).write_text(f"{name} of the fixture course\n")
    (root / "requirements").mkdir()
    (root / "requirements" / "constraints.txt").write_text("pandas==3.0.0\n")
    (root / "course" / "syllabus.md").write_text("# Syllabus\n")
    (root / "course" / "instructor").mkdir()
    (root / "course" / "instructor" / "00-notes.md").write_text("Grade q2 generously.\n")
    (root / "notebooks").mkdir()
    (root / "notebooks" / "00-mlops-lifecycle.ipynb").write_text("{}\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_solutions.py").write_text("def test_solutions(): pass\n")
    shutil.copytree(REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__"))
    assign(root=root)
    return root


def test_bundle_holds_what_students_need(course, tmp_path):
    bundle = tmp_path / "bundle"

    files = release(bundle, root=course)

    top_level = sorted(path.name for path in bundle.iterdir())
    assert top_level == [
        ".gitignore", "Makefile", "README.md", "course", "exercises", "notebooks",
        "pyproject.toml", "requirements", "src",
    ]  # fmt: skip
    assert Path("exercises/00-mlops-lifecycle.ipynb") in files
    assert Path("course/course.toml") in files and Path("course/syllabus.md") in files
    assert Path("src/mlops_course/classroom/authoring/checks.py") in files
    assert not any(part.endswith(".egg-info") for f in files for part in f.parts)


def test_bundle_leaves_out_solutions_tests_and_instructor_notes(course, tmp_path):
    bundle = tmp_path / "bundle"

    release(bundle, root=course)

    assert not (bundle / "solutions").exists()
    assert not (bundle / "tests").exists()
    assert not (bundle / "course" / "instructor").exists()
    assert not any("Grade q2 generously" in readable_text(p) for p in bundle.rglob("*.md"))


def test_no_solution_or_hidden_test_line_reaches_any_file_of_the_bundle(course, tmp_path):
    bundle = tmp_path / "bundle"
    assert any(
        _distinctive(line)
        for line in secret_lines(course / "solutions" / "00-mlops-lifecycle.ipynb")
    )

    release(bundle, root=course)

    assert _leaks(bundle, course / "solutions") == []


def test_leak_scan_finds_a_solution_line_pasted_into_a_shipped_file(course, tmp_path):
    """The scan above must be able to fail: paste a solution line into the syllabus."""
    (course / "course" / "syllabus.md").write_text("Hint: return total_days / len(values)\n")
    bundle = tmp_path / "bundle"

    release(bundle, root=course)

    assert _leaks(bundle, course / "solutions") == [
        "course/syllabus.md: return total_days / len(values)"
    ]


def test_bundle_of_the_real_course_carries_no_solution(tmp_path):
    bundle = tmp_path / "bundle"

    release(bundle, root=REPO)

    assert not (bundle / "solutions").exists() and not (bundle / "tests").exists()
    assert not (bundle / "course" / "instructor").exists()
    assert (bundle / "README.md").is_file() and (bundle / "course" / "course.toml").is_file()
    # The bundle's `make test` runs nbval on the walkthroughs with the course's sanitizer.
    assert (bundle / "course" / "nbval_sanitize.cfg").is_file()
    assert _leaks(bundle, REPO / "solutions") == []


def test_the_bundle_readme_is_written_for_students(tmp_path):
    bundle = tmp_path / "bundle"
    release(bundle, REPO)
    readme = (bundle / "README.md").read_text()
    assert readme == (REPO / "course" / "student-README.md").read_text()
    assert "make lab" in readme and 'check("q1")' in readme and "runs/mlflow.db" in readme
    for instructor_only in ("mlops-course grade", "mlops-course assign", "solutions/",
                            "mlops-course release"):  # fmt: skip
        assert instructor_only not in readme


def test_release_refuses_a_destination_inside_the_repository(course):
    with pytest.raises(ReleaseError, match="is inside the course repository .*; choose a folder"):
        release(course / "dist" / "bundle", root=course)
    assert not (course / "dist").exists()


def test_release_refuses_a_non_empty_destination(course, tmp_path):
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "old-notes.txt").write_text("keep me\n")

    with pytest.raises(ReleaseError, match="is not an empty folder; choose a new or empty folder"):
        release(bundle, root=course)
    assert sorted(path.name for path in bundle.iterdir()) == ["old-notes.txt"]


def test_release_refuses_while_an_exercise_is_out_of_sync(course, tmp_path):
    exercise = course / "exercises" / "01-data-validation.ipynb"
    exercise.write_text(exercise.read_text().replace("YOUR CODE HERE", "late_share = 0.4"))

    with pytest.raises(ReleaseError, match="the exercises of lesson 01 are out of sync"):
        release(tmp_path / "bundle", root=course)
    assert not (tmp_path / "bundle").exists()


def test_cli_release_writes_the_bundle(course, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(ROOT_ENV, str(course))
    bundle = tmp_path / "bundle"

    assert main(["release", str(bundle)]) == 0

    assert capsys.readouterr().out.startswith("wrote the student bundle (")
    assert (bundle / "exercises" / "00-mlops-lifecycle.ipynb").is_file()


def test_cli_release_into_the_repository_is_one_error_line(course, monkeypatch, capsys):
    monkeypatch.setenv(ROOT_ENV, str(course))

    assert main(["release", str(course / "bundle")]) == 2

    error = capsys.readouterr().err
    assert error.startswith("mlops-course: error: release destination ")
    assert error.count("\n") == 1
