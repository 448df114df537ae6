"""New SQLite tracking stores copied from a migrated empty one (mlops_course.empty_store)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from mlops_course import empty_store


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own, so the user's template is neither used nor touched."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


def log_one_run(database: Path) -> tuple[str, str]:
    """Log a run with an artifact to the store in the Default experiment; return the run's
    artifact URI and the Default experiment's artifact location as MLflow reads them."""
    from mlflow import MlflowClient

    client = MlflowClient(f"sqlite:///{database}")
    run = client.create_run("0")
    client.log_text(run.info.run_id, "hello", "greeting.txt")
    client.set_terminated(run.info.run_id)
    return client.get_run(run.info.run_id).info.artifact_uri, client.get_experiment(
        "0"
    ).artifact_location


def test_a_store_copied_from_the_template_keeps_its_artifacts_in_its_own_folder(
    cache: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "a" / "mlflow.db", tmp_path / "b" / "mlflow.db"
    for database in (first, second):
        database.parent.mkdir()
        empty_store.create(database, database.parent / "mlartifacts")

    assert empty_store.template_path().is_file()
    for database in (first, second):
        artifact_uri, default_location = log_one_run(database)
        assert default_location == (database.parent / "mlartifacts" / "0").as_uri()
        assert artifact_uri.startswith(default_location + "/")
        logged = list((database.parent / "mlartifacts").rglob("greeting.txt"))
        assert [path.read_text() for path in logged] == ["hello"]


def test_the_template_is_migrated_once_and_then_only_copied(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = empty_store.template()
    assert template is not None
    made = template.stat().st_mtime_ns

    def no_migration(database: Path, artifact_root: Path) -> None:
        raise AssertionError("migrated although the template exists")

    monkeypatch.setattr(empty_store, "_migrate", no_migration)
    empty_store.create(tmp_path / "mlflow.db", tmp_path / "mlartifacts")
    assert template.stat().st_mtime_ns == made
    assert (tmp_path / "mlflow.db").is_file()


def test_a_template_that_is_not_an_empty_store_is_not_copied(cache: Path, tmp_path: Path) -> None:
    # A file of that name holding something else (another tool's, or a store with runs).
    template = empty_store.template_path()
    template.parent.mkdir(parents=True)
    with sqlite3.connect(template) as connection:
        connection.execute("CREATE TABLE experiments (experiment_id INTEGER)")
    database = tmp_path / "mlflow.db"

    empty_store.create(database, tmp_path / "mlartifacts")

    assert not database.with_name("mlflow.db.partial").exists()
    _, default_location = log_one_run(database)
    assert default_location == (tmp_path / "mlartifacts" / "0").as_uri()


def test_without_a_usable_cache_mlflow_creates_the_store_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cache folder that cannot be made (a file stands in its way; root can write anywhere).
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder" / "cache"))
    assert empty_store.template() is None

    database = tmp_path / "mlflow.db"
    empty_store.create(database, tmp_path / "mlartifacts")
    _, default_location = log_one_run(database)
    assert default_location == (tmp_path / "mlartifacts" / "0").as_uri()
