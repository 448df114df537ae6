"""The course's MLflow defaults: where runs and artifacts go, and the lineage tags."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from mlops_course import tracking


@pytest.fixture
def default_store(tmp_course: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The course store as a student gets it: no MLFLOW_TRACKING_URI set."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    return tmp_course


def test_default_uri_is_the_sqlite_store_under_runs(default_store: Path) -> None:
    assert tracking.tracking_uri() == f"sqlite:///{default_store}/runs/mlflow.db"


def test_tracking_uri_env_overrides_the_course_store(
    default_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking.example.edu:5000")
    assert tracking.tracking_uri() == "http://tracking.example.edu:5000"


def test_artifacts_land_under_runs_not_in_the_notebook_folder(
    default_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    notebook_folder = default_store / "notebooks"
    notebook_folder.mkdir()
    monkeypatch.chdir(notebook_folder)

    experiment_id = tracking.configure("artifact-check")
    with mlflow.start_run() as run:
        mlflow.log_text("hello", "greeting.txt")

    artifact_root = default_store / "runs" / "mlartifacts"
    logged = artifact_root / "artifact-check" / run.info.run_id / "artifacts" / "greeting.txt"
    assert logged.read_text() == "hello"
    assert run.info.experiment_id == experiment_id
    default_location = mlflow.get_experiment_by_name("Default").artifact_location
    assert default_location == (artifact_root / "0").as_uri()
    assert not (notebook_folder / "mlruns").exists()


def test_configure_twice_returns_the_same_experiment(tmp_course: Path) -> None:
    first = tracking.configure("twice")
    assert tracking.configure("twice") == first


def test_configure_restores_an_experiment_deleted_in_the_ui(tmp_course: Path) -> None:
    import mlflow

    deleted = tracking.configure("deleted-by-a-student")
    mlflow.MlflowClient().delete_experiment(deleted)
    assert tracking.configure("deleted-by-a-student") == deleted
    assert mlflow.get_experiment(deleted).lifecycle_stage == "active"


def test_tag_lineage_sets_the_tags_on_the_active_run(tmp_course: Path) -> None:
    import mlflow

    tracking.configure("lineage")
    frame = pd.DataFrame({"a": [1, 2]})
    with mlflow.start_run() as run:
        tags = tracking.tag_lineage(frame)
    stored = mlflow.get_run(run.info.run_id).data.tags
    assert {key: stored[key] for key in tags} == tags


def _deliveries() -> pd.DataFrame:
    return pd.DataFrame(
        {"distance_km": [3.5, 12.0, 7.25], "carrier": ["dhl", "ups", "dhl"], "late": [0, 1, 0]}
    )


def test_fingerprint_is_stable_for_equal_data() -> None:
    assert tracking.data_fingerprint(_deliveries()) == tracking.data_fingerprint(_deliveries())


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda f: f.assign(distance_km=[3.5, 12.0, 7.5]), id="value"),
        pytest.param(lambda f: f.rename(columns={"late": "is_late"}), id="column-name"),
        pytest.param(lambda f: f.astype({"late": "float64"}), id="dtype"),
        pytest.param(lambda f: f.set_axis([10, 11, 12]), id="index"),
        pytest.param(lambda f: f.iloc[:2], id="row-dropped"),
    ],
)
def test_fingerprint_changes_when_the_data_changes(change) -> None:
    assert tracking.data_fingerprint(change(_deliveries())) != tracking.data_fingerprint(
        _deliveries()
    )


def _git(folder: Path, *args: str) -> str:
    command = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    return subprocess.run([*command, *args], check=True, capture_output=True, text=True).stdout


def test_lineage_tags_name_the_commit_and_dirty_flag_of_the_course_repo(tmp_course: Path) -> None:
    _git(tmp_course, "init", "--quiet")
    _git(tmp_course, "add", "course/course.toml")
    _git(tmp_course, "commit", "--quiet", "-m", "catalog")
    head = _git(tmp_course, "rev-parse", "HEAD").strip()

    clean = tracking.lineage_tags()
    (tmp_course / "course" / "course.toml").write_text("# edited\n")
    dirty = tracking.lineage_tags()

    assert clean["lineage.code_version"] == f"git:{head}"
    assert dirty["lineage.code_version"] == f"git:{head}+dirty"


def test_lineage_tags_use_the_names_lesson_02_teaches(tmp_course: Path) -> None:
    frame = pd.DataFrame({"order_id": ["a", "b"], "distance_km": [1.0, 2.0]})
    tags = tracking.lineage_tags(frame)
    assert {"lineage.code_version", "lineage.data_fingerprint", "lineage.python"} <= tags.keys()
    assert all(name.startswith("lineage.") for name in tags)
    assert not any("git" in name for name in tags), "one name for the code's version"


def test_outside_a_git_repository_the_code_version_is_the_hash_of_the_sources(
    tmp_course: Path,
) -> None:
    version = tracking.lineage_tags()["lineage.code_version"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", version), version
    assert version == tracking.source_hash()


def test_the_source_hash_changes_with_a_source_file_and_not_with_its_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlops_course

    package = Path(mlops_course.__file__).parent
    copy = tmp_path / "copy" / "mlops_course"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(tracking, "__file__", str(copy / "tracking.py"))
    assert tracking.source_hash() == _source_hash_of(package)
    (copy / "widgets.py").write_text((copy / "widgets.py").read_text() + "\n# edited\n")
    assert tracking.source_hash() != _source_hash_of(package)


def _source_hash_of(package: Path) -> str:
    # The definition lesson 02 teaches, spelled out independently of tracking.source_hash.
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package.parent).as_posix().encode()
        digest.update(name + b"\0" + path.read_bytes())
    return "sha256:" + digest.hexdigest()


def test_lineage_tags_ignore_a_repository_around_an_unpacked_course(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A student unpacks the released bundle inside a repository of their own.
    outer = tmp_path / "student-repo"
    course = outer / "mlops-course"
    (course / "course").mkdir(parents=True)
    (course / "course" / "course.toml").write_text("")
    _git(outer, "init", "--quiet")
    _git(outer, "commit", "--quiet", "--allow-empty", "-m", "student's own work")
    monkeypatch.setenv("MLOPS_COURSE_ROOT", str(course))

    tags = tracking.lineage_tags()

    assert tags["lineage.code_version"] == tracking.source_hash()


def test_configure_keeps_the_course_offline(tmp_course: Path, monkeypatch) -> None:
    monkeypatch.delenv("MLFLOW_DISABLE_TELEMETRY", raising=False)
    monkeypatch.delenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", raising=False)
    tracking.configure("offline")
    assert os.environ["MLFLOW_DISABLE_TELEMETRY"] == "true"
    assert os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] == "false"


def test_lineage_tags_record_python_package_versions_and_data(tmp_course: Path) -> None:
    from importlib.metadata import version

    tags = tracking.lineage_tags(_deliveries())
    assert tags["lineage.version.scikit-learn"] == version("scikit-learn")
    assert tags["lineage.version.mlflow"] == version("mlflow")
    assert tags["lineage.data_fingerprint"] == tracking.data_fingerprint(_deliveries())
    assert "lineage.data_fingerprint" not in tracking.lineage_tags()


def test_creating_a_fresh_store_prints_nothing(tmp_course: Path) -> None:
    # A notebook that happens to create the store on a fresh checkout must not get an extra
    # stderr output: nbval would fail on it in CI, and only there.
    completed = subprocess.run(
        [sys.executable, "-c", "from mlops_course import tracking; tracking.configure('fresh')"],
        capture_output=True, text=True, check=True, cwd=tmp_course,
    )  # fmt: skip
    assert (completed.stdout, completed.stderr) == ("", "")
