"""Running lessons as a batch, through the API and through the `mlops-course` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import nbformat
import pytest

from mlops_course.classroom.catalog import load_catalog
from mlops_course.classroom.running import runner
from mlops_course.classroom.running.runner import run_lessons

NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
COMMAND = Path(sys.executable).parent / "mlops-course"


def _write_course(root: Path, lessons: list[tuple[str, str, str]]) -> None:
    """A course whose lessons are fixture notebooks: (id, fixture name, status) each."""
    (root / "notebooks").mkdir(exist_ok=True)
    tables = []
    for lesson_id, fixture, status in lessons:
        slug = f"{lesson_id}-{fixture}"
        if status == "written":
            shutil.copy(NOTEBOOKS / f"{fixture}.ipynb", root / "notebooks" / f"{slug}.ipynb")
        tables.append(
            f'[[lessons]]\nid = "{lesson_id}"\nslug = "{slug}"\ntitle = "{fixture}"\n'
            f'practice = "Run {fixture}."\nstatus = "{status}"\n'
            f'notebook = "notebooks/{slug}.ipynb"\nsolution = "solutions/{slug}.ipynb"\n'
            f'exercise = "exercises/{slug}.ipynb"\npoints = 10\n'
        )
        if fixture == "prints-parameters":
            tables.append('[lessons.parameters]\nseed = 42\nlabel = "from-catalog"\n')
    (root / "course" / "course.toml").write_text("\n".join(tables))


@pytest.fixture
def fixture_course(tmp_course: Path) -> Path:
    _write_course(
        tmp_course,
        [
            ("00", "prints-parameters", "written"),
            ("01", "fails-in-third-cell", "written"),
            ("02", "sleeps-briefly", "written"),
            ("03", "not-yet", "planned"),
        ],
    )
    return tmp_course


def _mlflow_runs(course: Path) -> list:
    from mlflow import MlflowClient

    client = MlflowClient(os.environ["MLFLOW_TRACKING_URI"])
    experiment = client.get_experiment_by_name("course-runs")
    return client.search_runs([experiment.experiment_id]) if experiment else []


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COMMAND), *args], capture_output=True, text=True, timeout=120)


def test_parameters_are_injected_and_recorded_in_mlflow(fixture_course: Path) -> None:
    report = run_lessons(["00"], {"seed": "7", "verbose": "yes"})

    [lesson_run] = report.runs
    assert report.ok and lesson_run.result.output == report.folder / "00-prints-parameters.ipynb"
    printed = nbformat.read(lesson_run.result.output, as_version=4).cells[-1].outputs[0].text
    assert "seed=7 (int)" in printed and "verbose=True (bool)" in printed
    assert "label='from-catalog' (str)" in printed

    [recorded] = _mlflow_runs(fixture_course)
    assert recorded.info.run_id == lesson_run.mlflow_run_id
    assert recorded.data.params == {"seed": "7", "label": "from-catalog", "verbose": "True"}
    assert recorded.data.tags["lesson.id"] == "00" and recorded.data.tags["status"] == "ok"
    assert recorded.data.tags["lineage.code_version"].startswith("sha256:")  # no git there
    assert recorded.data.metrics["duration_seconds"] > 0
    artifact = (
        Path(recorded.info.artifact_uri.removeprefix("file://")) / lesson_run.result.output.name
    )
    assert artifact.is_relative_to(fixture_course / "runs" / "mlartifacts") and artifact.is_file()


def test_failing_notebook_is_reported_with_its_cell_index(fixture_course: Path) -> None:
    report = run_lessons(["01"], {"seed": "5"})

    [lesson_run] = report.runs
    assert not report.ok and lesson_run.result.status == "failed"
    assert str(lesson_run.result.error) == "cell 2: ValueError: broken on purpose with seed 5"
    [recorded] = _mlflow_runs(fixture_course)
    assert recorded.info.status == "FAILED"
    assert recorded.data.tags["error.cell_index"] == "2"


def test_no_lesson_ids_runs_every_written_lesson_in_parallel(tmp_course: Path) -> None:
    _write_course(
        tmp_course,
        [
            ("00", "prints-parameters", "written"),
            ("01", "sleeps-briefly", "written"),
            ("02", "not-yet", "planned"),
        ],
    )
    seen = []
    report = run_lessons(jobs=2, on_finished=lambda done, total, run: seen.append((done, total)))
    assert [run.lesson.id for run in report.runs] == ["00", "01"]
    assert sorted(seen) == [(1, 2), (2, 2)] and report.ok


def test_cli_reports_a_failing_notebook_and_exits_non_zero(fixture_course: Path) -> None:
    completed = _cli("run", "01")
    assert completed.returncode == 1
    assert "[1/1] 01-fails-in-third-cell failed" in completed.stderr
    assert "cell 2: ValueError: broken on purpose with seed 42" in completed.stderr
    assert "0 of 1 notebooks ran without error" in completed.stdout


def test_two_parallel_runs_do_not_collide(fixture_course: Path) -> None:
    command = [str(COMMAND), "run", "02", "-p", "seconds", "0.5"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outcomes = [process.communicate(timeout=180) for process in (first, second)]

    assert [first.returncode, second.returncode] == [0, 0], outcomes
    folders = [path for path in (fixture_course / "runs").iterdir() if path.is_dir()]
    outputs = sorted(folder / "02-sleeps-briefly.ipynb" for folder in folders)
    assert len([path for path in outputs if path.is_file()]) == 2
    recorded = _mlflow_runs(fixture_course)
    assert len({run.data.tags["run_folder"] for run in recorded}) == 2


def test_a_second_batch_in_the_same_second_gets_a_suffixed_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FrozenClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 1, 2, 3, 4, 5)

    monkeypatch.setattr(runner, "datetime", FrozenClock)
    first, second = runner._new_run_folder(tmp_path), runner._new_run_folder(tmp_path)
    assert (first.name, second.name) == ("2026-01-02T03-04-05", "2026-01-02T03-04-05-2")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["run", "42"],
            "no lesson '42' in course/course.toml; known lessons are 00–03 (see mlops-course list)",
        ),
        (
            ["run", "00", "-p", "sed", "7"],
            "00-prints-parameters.ipynb has no parameter 'sed'; its parameters are "
            "seed (int), label (str), rate (float), verbose (bool).",
        ),
        (["run", "00", "-p", "seed", "seven"], "parameter 'seed' of "),
        (["run", "03"], "lesson '03' is planned and its notebook notebooks/03-not-yet.ipynb"),
    ],
    ids=["unknown-lesson", "unknown-parameter", "value-does-not-convert", "planned-lesson"],
)
def test_bad_input_is_one_error_sentence_with_exit_2(
    fixture_course: Path, args: list[str], expected: str
) -> None:
    completed = _cli(*args)
    assert completed.returncode == 2
    [line] = completed.stderr.splitlines()
    assert line.startswith("mlops-course: error: ") and expected in line
    assert not (fixture_course / "runs").exists() or not any((fixture_course / "runs").iterdir())


def test_list_shows_the_fifteen_lessons(course_copy: Path) -> None:
    completed = _cli("list")
    assert completed.returncode == 0, completed.stderr
    header, *rows = completed.stdout.splitlines()
    assert header.split() == ["id", "title", "status", "points"]
    assert [row.split()[0] for row in rows] == [f"{number:02d}" for number in range(15)]
    statuses = {lesson.id: lesson.status for lesson in load_catalog().lessons}
    for row in rows:
        assert f" {statuses[row.split()[0]]} " in row, row
    assert any(" written " in row for row in rows)
