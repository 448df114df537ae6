"""MLflow defaults for the course: one SQLite store, artifacts beside it, lineage tags.

Every lesson and the runner log to `runs/mlflow.db` under the course root, with artifacts
under `runs/mlartifacts/`, so students find all their runs in one place whatever folder a
notebook ran in. `MLFLOW_TRACKING_URI` in the environment overrides this (a class's shared
server); there `MLFLOW_WORKSPACE` names the student's own MLflow workspace, created on first
use, so that students sharing a server never share an experiment or a model name. Only the
plumbing lives here; lessons call `mlflow.*` themselves for everything they teach.

MLflow is imported inside the functions: `import mlops_course.tracking` stays cheap.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import platform
import re
import subprocess
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from mlops_course import empty_store
from mlops_course.paths import course_root, runs_dir

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pandas as pd

TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"
WORKSPACE_ENV = "MLFLOW_WORKSPACE"
STORE_FILENAME = "mlflow.db"
ARTIFACTS_DIRNAME = "mlartifacts"
DEFAULT_EXPERIMENT = "mlops-course"
SQLITE_PREFIX = "sqlite:///"
LINEAGE_PACKAGES = ("mlflow", "scikit-learn", "pandas", "numpy", "papermill")


class TrackingSetupError(RuntimeError):
    """The tracking settings in the environment cannot work; the message says the fix."""


def tracking_uri() -> str:
    """Return the tracking URI the course uses: `MLFLOW_TRACKING_URI`, else runs/mlflow.db."""
    override = os.environ.get(TRACKING_URI_ENV)
    if override:
        return override
    return SQLITE_PREFIX + str(runs_dir() / STORE_FILENAME)


def configure(experiment: str | None = None) -> str:
    """Point MLflow at the course store and make `experiment` the active one.

    Gets or creates the experiment (default "mlops-course"); for a SQLite store its
    artifacts go to `mlartifacts/<experiment>/` beside the database, never to a `./mlruns`
    in the notebook's folder. On a server, with `MLFLOW_WORKSPACE` set, the experiment lives
    in that workspace, which is created first if need be. Returns the experiment id.
    """
    # The course runs offline: no usage telemetry, and no download progress bars, which
    # show up as widget outputs in stored notebooks. A user's own setting wins.
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import mlflow

    uri = tracking_uri()
    if _sqlite_path(uri) is not None:
        _import_sqlite_store_quietly()
    mlflow.set_tracking_uri(uri)
    name = experiment or DEFAULT_EXPERIMENT
    _ensure_workspace(uri)
    with _store_initialised(uri):
        experiment_id = _get_or_create_experiment(uri, name)
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def lineage_tags(data: pd.DataFrame | None = None) -> dict[str, str]:
    """Return tags that say where a run came from: code, data and environment.

    The names lesson 02 teaches: lineage.code_version (`code_version()`),
    lineage.data_fingerprint (only when `data` is given), lineage.python and
    lineage.version.<package> for the packages a result depends on.
    """
    tags = {"lineage.code_version": code_version()}
    if data is not None:
        tags["lineage.data_fingerprint"] = data_fingerprint(data)
    tags["lineage.python"] = platform.python_version()
    for package in LINEAGE_PACKAGES:
        tags[f"lineage.version.{package}"] = _package_version(package)
    return tags


def code_version() -> str:
    """The version of the course's code: "git:<commit>" ("+dirty" with uncommitted edits to
    tracked files) in the course's own repository, else "sha256:<source hash>".

    A released bundle has no repository (or sits inside a student's own, whose commit says
    nothing about the course): there the hash of the package's sources names the code, as
    lesson 02 teaches, instead of an "unknown" that no one could check a run against.
    """
    root = course_root()
    try:
        if Path(_git(root, "rev-parse", "--show-toplevel")).resolve() == root.resolve():
            dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
            return "git:" + _git(root, "rev-parse", "HEAD") + ("+dirty" if dirty else "")
    except (OSError, RuntimeError, subprocess.SubprocessError):
        pass  # no git installed, or not a repository
    return source_hash()


def source_hash() -> str:
    """sha256 over the package's source files in a fixed order, each with its path inside
    the package's folder: the same sources give the same hash wherever they were copied."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package.parent).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()


def tag_lineage(data: pd.DataFrame | None = None) -> dict[str, str]:
    """Set `lineage_tags(data)` on the active MLflow run and return them."""
    import mlflow

    tags = lineage_tags(data)
    mlflow.set_tags(tags)
    return tags


def data_fingerprint(data: pd.DataFrame) -> str:
    """Return a sha256 hex digest that changes if and only if the frame's content changes.

    Covers values, index, column names and dtypes, so a renamed column or a unit change
    gives another fingerprint, while the same data built twice gives the same one.
    """
    import pandas as pd

    digest = hashlib.sha256()
    row_hashes = pd.util.hash_pandas_object(data, index=True)
    digest.update(row_hashes.to_numpy().tobytes())
    for column, dtype in data.dtypes.items():
        digest.update(f"{column!r}:{dtype}\n".encode())
    return digest.hexdigest()


def _sqlite_path(uri: str) -> Path | None:
    """Return the database file of a `sqlite:///` URI, None for any other store."""
    if not uri.startswith(SQLITE_PREFIX):
        return None
    return Path(unquote(uri[len(SQLITE_PREFIX) :])).resolve()


def create_store(database: Path) -> None:
    """Create an empty SQLite store at `database` whose artifacts go beside it, in
    `mlartifacts/` (copied from the migrated template, see `empty_store`).

    MLflow would otherwise resolve the default artifact root `./mlruns` against the cwd of
    whichever process created the database first.
    """
    empty_store.create(database, _artifact_root(database))


def _artifact_root(database: Path) -> Path:
    return database.parent / ARTIFACTS_DIRNAME


def _artifact_location(uri: str, experiment: str) -> str | None:
    """Artifacts of a SQLite store live beside the database; a server decides for itself."""
    database = _sqlite_path(uri)
    if database is None:
        return None
    folder_name = re.sub(r"[^A-Za-z0-9._-]+", "-", experiment).strip("-.") or "experiment"
    return (_artifact_root(database) / folder_name).as_uri()


@contextmanager
def _store_initialised(uri: str) -> Iterator[None]:
    """Hold a lock while the SQLite store is first opened in this process.

    Two processes that create or migrate the same fresh database at once fail with
    "duplicate column name" (the runner's workers and the notebooks' kernels do exactly
    that), so opening the store is serialised with a lock file beside the database.
    """
    database = _sqlite_path(uri)
    if database is None:
        yield
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(database.with_name(database.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not database.exists():
                create_store(database)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _import_sqlite_store_quietly() -> None:
    """Import MLflow's SQLite store here, before a notebook's own calls do.

    Importing it runs SQLAlchemy's `configure_mappers()`, which warns that MLflow uses a
    deprecated loader (SADeprecationWarning). Python shows a DeprecationWarning when it is
    attributed to `__main__`, so the warning appeared in a notebook only when a cell's call
    happened to import the store first — an stderr output on some runs, not others, about
    MLflow's code, not the student's.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import mlflow.store.tracking.sqlalchemy_store  # noqa: F401


def _get_or_create_experiment(uri: str, name: str) -> str:
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient(uri)
    found = client.get_experiment_by_name(name)
    if found is not None:
        if found.lifecycle_stage == "deleted":
            # Deleted in the UI: bring it back rather than fail every later lesson run.
            client.restore_experiment(found.experiment_id)
        return found.experiment_id
    try:
        return client.create_experiment(name, artifact_location=_artifact_location(uri, name))
    except MlflowException:
        # Another process created it between our lookup and our insert.
        found = client.get_experiment_by_name(name)
        if found is None:
            raise
        return found.experiment_id


def _ensure_workspace(uri: str) -> None:
    """Create the student's workspace on a class's tracking server the first time it is used.

    `mlops-course tracking-server` runs MLflow with workspaces; each student's environment
    names theirs in MLFLOW_WORKSPACE. A local store has no workspaces, so this does nothing.
    """
    workspace = os.environ.get(WORKSPACE_ENV, "").strip()
    if not workspace or not uri.startswith(("http://", "https://")):
        return
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        mlflow.get_workspace(workspace)
        return
    except MlflowException as error:
        if error.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise _workspace_error(workspace, uri, error) from None
    try:
        mlflow.create_workspace(workspace)
    except MlflowException as error:
        # Two kernels of one student may create it at once; the loser finds it made.
        if error.error_code != "RESOURCE_ALREADY_EXISTS":
            raise _workspace_error(workspace, uri, error) from None


def _workspace_error(workspace: str, uri: str, error: Exception) -> Exception:
    code = getattr(error, "error_code", "")
    if code == "FEATURE_DISABLED":
        return TrackingSetupError(
            f"{WORKSPACE_ENV}={workspace} is set but the tracking server {uri} has no "
            f"workspaces; start it with `mlops-course tracking-server` or unset {WORKSPACE_ENV}."
        )
    if code == "INVALID_PARAMETER_VALUE":
        return TrackingSetupError(
            f"{WORKSPACE_ENV}={workspace!r} is not a valid MLflow workspace name; use lowercase "
            "letters, digits and inner hyphens, like 'alice-smith'."
        )
    return error


def _git(root: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=True
    )
    return completed.stdout.strip()


def _package_version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
