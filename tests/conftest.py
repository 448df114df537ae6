"""Fixtures shared by the classroom and toolkit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURE_NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"


@pytest.fixture
def tmp_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty course root in tmp_path, so nothing a test writes reaches the real runs/."""
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "course.toml").write_text("")
    monkeypatch.setenv("MLOPS_COURSE_ROOT", str(tmp_path))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/runs/mlflow.db")
    return tmp_path
