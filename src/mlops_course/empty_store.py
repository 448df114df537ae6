"""A new SQLite tracking store in milliseconds: a copy of an empty one, migrated once.

MLflow creates a SQLite store by running every one of its schema migrations, about 2.5 s of
CPU, and the grader gives every submission a store of its own: a batch of forty lesson-03
submissions paid that forty times. Here the migrations run once per MLflow version, into an
empty store kept in the user's cache folder; a new store is a copy of it in which the one
row that names a place, the "Default" experiment's artifact location, is pointed at the new
store's own artifact folder. When the template cannot be made or read, MLflow creates the
store itself, as before.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import sqlite3
import tempfile
import time
from contextlib import closing
from importlib import metadata
from pathlib import Path

# Bump when what a template holds changes, so no old template is copied.
TEMPLATE_FORMAT = 1
DEFAULT_EXPERIMENT_ID = 0


def cache_folder() -> Path:
    """Where templates live: $XDG_CACHE_HOME/mlops-course, else ~/.cache/mlops-course."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mlops-course"


def template_path() -> Path:
    """The template's file for the installed MLflow (whose version fixes the schema)."""
    return cache_folder() / f"mlflow-{metadata.version('mlflow')}-empty-v{TEMPLATE_FORMAT}.db"


def template() -> Path | None:
    """The empty, migrated store for the installed MLflow, made on first use; None when it
    cannot be made here (a read-only home, say), in which case callers migrate themselves."""
    path = template_path()
    if path.is_file():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # two processes on a fresh machine: one migrates
            if not path.is_file():
                # Built beside its final name and renamed: a template is whole or absent.
                with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
                    building = Path(scratch) / path.name
                    _migrate(building, Path(scratch) / "artifacts")
                    os.replace(building, path)
    except OSError:
        return None
    return path


def create(database: Path, artifact_root: Path) -> None:
    """Create an empty store at `database` whose "Default" experiment keeps its artifacts
    under `artifact_root`, as MLflow would, from the template when there is one."""
    source = template()
    if source is not None and _copy_template(source, database, artifact_root):
        return
    _migrate(database, artifact_root)


def _copy_template(source: Path, database: Path, artifact_root: Path) -> bool:
    """Copy `source` to `database` and re-point its Default experiment; False (and nothing
    left at `database`) when the template is not the store this code expects."""
    partial = database.with_name(database.name + ".partial")
    shutil.copyfile(source, partial)
    now_ms = int(time.time() * 1000)
    # What MLflow writes for the Default experiment: <artifact root URI>/0.
    location = f"{artifact_root.as_uri()}/{DEFAULT_EXPERIMENT_ID}"
    try:
        with closing(sqlite3.connect(partial)) as connection, connection:
            updated = connection.execute(
                "UPDATE experiments SET artifact_location = ?, creation_time = ?, "
                "last_update_time = ? WHERE experiment_id = ?",
                (location, now_ms, now_ms, DEFAULT_EXPERIMENT_ID),
            ).rowcount
            experiments = connection.execute("SELECT COUNT(*) FROM experiments").fetchone()[0]
    except sqlite3.Error:
        updated = experiments = 0
    if updated != 1 or experiments != 1:
        partial.unlink()
        return False
    os.replace(partial, database)
    return True


def _migrate(database: Path, artifact_root: Path) -> None:
    """Let MLflow create the store and run its migrations, without its INFO lines.

    Creating the tables logs timestamped INFO lines to stderr; in a notebook they would
    become an output that only the first run on a fresh checkout has (nbval fails on it).
    """
    import warnings

    with warnings.catch_warnings():
        # Importing the store warns of a deprecated SQLAlchemy loader in MLflow's own code.
        warnings.simplefilter("ignore", DeprecationWarning)
        from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    quiet = [logging.getLogger(name) for name in ("mlflow.store.db.utils", "alembic")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.WARNING)
    try:
        store = SqlAlchemyStore(f"sqlite:///{database}", artifact_root.as_uri())
        store.engine.dispose()  # close its connections before the file is renamed or copied
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
