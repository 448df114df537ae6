"""Fixtures shared by the classroom and toolkit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

# The fixture notebooks are inputs of tests, not notebooks whose outputs nbval should check
# (one of them fails on purpose).
collect_ignore_glob = ["fixtures/*"]

REPOSITORY = Path(__file__).resolve().parent.parent
FIXTURES = REPOSITORY / "tests" / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--keep-slow", action="append", default=[], metavar="FILE",
        help="a test file whose tests are not marked slow, so that `-m 'not slow'` keeps them "
        "(make check: the round trips of the lessons that changed)",
    )  # fmt: skip


@pytest.fixture
def tmp_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty course root in tmp_path, so nothing a test writes reaches the real runs/."""
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "course.toml").write_text("")
    monkeypatch.setenv("MLOPS_COURSE_ROOT", str(tmp_path))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/runs/mlflow.db")
    return tmp_path


@pytest.fixture
def course_copy(tmp_course: Path) -> Path:
    """The real catalog in a temporary root, with a stand-in file for each written notebook.

    Tests of the catalog's content then pass whether or not a lesson's notebook has landed.
    """
    import tomllib

    catalog = REPOSITORY / "course" / "course.toml"
    (tmp_course / "course" / "course.toml").write_bytes(catalog.read_bytes())
    for lesson in tomllib.loads(catalog.read_text())["lessons"]:
        if lesson["status"] == "written":
            notebook = tmp_course / lesson["notebook"]
            notebook.parent.mkdir(parents=True, exist_ok=True)
            notebook.write_text("{}")
    return tmp_course


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slow parts and order every test slowest part first (tests/suite_parts.py).

    Under `pytest -n 2 --dist loadscope` the workers take scopes in collection order, so
    the long round trips and the browser scopes start at once and the quick unit tests
    fill the gaps at the end, instead of a long scope starting last on one worker.
    """
    from suite_parts import ORDER, SLOW, part_of

    kept = {Path(file).resolve() for file in config.getoption("--keep-slow")}
    for item in items:
        part = part_of(item.nodeid)
        item.user_properties.append(("part", part))
        if part in SLOW and Path(item.fspath).resolve() not in kept:
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: ORDER.index(part_of(item.nodeid)))  # stable: keeps file order
