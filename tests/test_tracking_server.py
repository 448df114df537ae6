"""The class's shared tracking server: settings, start and stop, and a lesson run against it.

The integration tests start a real `mlflow server` on 127.0.0.1 (a free port, a store in
a temporary folder), run lesson 00 with `mlops-course run` as a student would with
MLFLOW_TRACKING_URI and MLFLOW_WORKSPACE set, and read the run back through MlflowClient.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from mlops_course import tracking
from mlops_course.classroom.catalog import load_catalog
from mlops_course.classroom.tracking_server import (
    TrackingServer,
    TrackingServerError,
    server_settings,
    start_tracking_server,
)

REPOSITORY = Path(__file__).resolve().parent.parent
COMMAND = Path(sys.executable).parent / "mlops-course"
LESSON = "00"
STUDENT = "student-a"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _live_members(group: int) -> list[psutil.Process]:
    """The processes of `group` that still run (zombies wait for a reaper, they run nothing)."""
    members = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == group and process.status() != psutil.STATUS_ZOMBIE:
                members.append(process)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return members


@pytest.fixture(scope="module")
def class_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrackingServer]:
    """One server for the module (starting one costs seconds of CPU), with two workers so
    that the last test can show that stopping it ends them all."""
    store = tmp_path_factory.mktemp("class-store")
    settings = server_settings(host="127.0.0.1", port=_free_port(), store=store, workers=2)
    server = start_tracking_server(settings, log=store / "server.log")
    yield server
    server.stop()


@pytest.fixture
def student_course(tmp_course: Path) -> Path:
    """The course's catalog and walkthroughs in a temporary root, nothing else."""
    shutil.copytree(REPOSITORY / "course", tmp_course / "course", dirs_exist_ok=True)
    shutil.copytree(REPOSITORY / "notebooks", tmp_course / "notebooks")
    return tmp_course


def test_default_store_is_sqlite_with_artifacts_beside_it_under_runs(tmp_course: Path) -> None:
    settings = server_settings(port=5123)

    folder = tmp_course / "runs" / "tracking-server"
    assert settings.backend_store_uri == f"sqlite:///{folder / 'mlflow.db'}"
    assert settings.artifacts_destination == str(folder / "mlartifacts")
    command = settings.command()
    assert command[command.index("--backend-store-uri") + 1] == settings.backend_store_uri
    assert "--enable-workspaces" in command and command[command.index("--port") + 1] == "5123"


def test_postgresql_backend_is_passed_through(tmp_course: Path) -> None:
    uri = "postgresql+psycopg2://mlflow:secret@db.example.edu/course"

    settings = server_settings(backend_store_uri=uri, artifacts_destination="s3://bucket/art")

    assert (settings.backend_store_uri, settings.artifacts_destination) == (uri, "s3://bucket/art")


@pytest.mark.parametrize("uri", ["file:///srv/mlruns", "/srv/mlruns", "mysql://host/db"])
def test_a_backend_other_than_sqlite_or_postgresql_is_refused(tmp_course: Path, uri: str) -> None:
    with pytest.raises(TrackingServerError, match="is not a SQLite or PostgreSQL URI"):
        server_settings(backend_store_uri=uri)


def test_a_taken_port_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = server_settings(port=port, store=tmp_path)

        with pytest.raises(TrackingServerError, match=f"cannot listen on 127.0.0.1:{port}"):
            start_tracking_server(settings)


def test_cli_reports_a_bad_backend_in_one_line(tmp_course: Path) -> None:
    completed = subprocess.run(
        [str(COMMAND), "tracking-server", "--backend-store-uri", "file:///srv/mlruns"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert completed.returncode == 2
    [line] = completed.stderr.strip().splitlines()
    assert line.startswith("mlops-course: error: backend store 'file:///srv/mlruns'")


def test_lesson_run_lands_in_the_students_workspace_on_the_class_server(
    class_server: TrackingServer, student_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow import MlflowClient

    environment = {
        **os.environ,
        "MLOPS_COURSE_ROOT": str(student_course),
        "MLFLOW_TRACKING_URI": class_server.url,
        "MLFLOW_WORKSPACE": STUDENT,
    }
    completed = subprocess.run(
        [str(COMMAND), "run", LESSON],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]

    monkeypatch.setenv("MLFLOW_WORKSPACE", STUDENT)
    client = MlflowClient(class_server.url)
    experiment = client.get_experiment_by_name("course-runs")
    assert experiment is not None, f"no course-runs experiment in workspace {STUDENT}"
    [run] = client.search_runs([experiment.experiment_id])
    lesson = load_catalog(student_course).lesson(LESSON)
    assert run.info.status == "FINISHED" and run.data.tags["lesson.id"] == LESSON
    assert run.data.params["seed"] == str(lesson.parameters["seed"])
    artifacts = [artifact.path for artifact in client.list_artifacts(run.info.run_id)]
    assert artifacts == [f"{lesson.slug}.ipynb"]

    monkeypatch.delenv("MLFLOW_WORKSPACE")
    assert MlflowClient(class_server.url).get_experiment_by_name("course-runs") is None, (
        "the student's run is visible outside their workspace"
    )


def test_invalid_workspace_name_is_one_sentence_with_the_fix(
    class_server: TrackingServer, tmp_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", class_server.url)
    monkeypatch.setenv("MLFLOW_WORKSPACE", "Alice.Smith")

    with pytest.raises(tracking.TrackingSetupError, match="not a valid MLflow workspace name"):
        tracking.configure("lesson")


# Last in the module: it stops the server the tests above share.
def test_stop_ends_the_server_and_its_workers(class_server: TrackingServer) -> None:
    server = class_server
    assert len(_live_members(server.process.pid)) > 1, "the server should run with its workers"

    server.stop()

    assert server.process.returncode is not None
    assert not _live_members(server.process.pid), "a worker outlived the server"
    with pytest.raises(ConnectionRefusedError):  # nothing listens on the port any more
        socket.create_connection(("127.0.0.1", server.settings.port), timeout=5).close()
    server.stop()  # stopping a stopped server is harmless
