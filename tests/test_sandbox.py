"""The sandbox command and the fallback when bubblewrap is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from grading_helpers import FULL_MARKS, GRADING_COURSE, submission_folder

import mlops_course
from mlops_course.classroom.grading import batch, kernel_pool, sandbox
from mlops_course.classroom.grading.sandbox import SandboxSupport


def test_bwrap_command_mounts_the_package_but_not_the_repository(tmp_path: Path) -> None:
    command = sandbox.bwrap_command(tmp_path, 1_000_001, {"HOME": str(tmp_path)})
    package = Path(mlops_course.__file__).resolve().parent
    repository = package.parent.parent
    mounted = [command[i + 1] for i, arg in enumerate(command) if arg in ("--ro-bind", "--bind")]
    assert str(package) in mounted
    assert str(repository) not in mounted and str(repository / "solutions") not in mounted
    assert [command[i + 1] for i, arg in enumerate(command) if arg == "--bind"] == [
        str(tmp_path.resolve())
    ]
    assert "--unshare-net" in command and "--reuid=1000001" in command


def test_each_kernel_gets_its_own_uid() -> None:
    uids = {sandbox.kernel_uid() for _ in range(sandbox.KERNELS_PER_PROCESS)}
    assert len(uids) == sandbox.KERNELS_PER_PROCESS
    assert min(uids) >= sandbox.KERNEL_UID_BASE


def test_missing_bwrap_turns_the_sandbox_off_with_one_warning(monkeypatch) -> None:
    sandbox.probe_sandbox.cache_clear()
    monkeypatch.setattr(sandbox.shutil, "which", lambda tool: None)
    try:
        support = sandbox.probe_sandbox()
    finally:
        sandbox.probe_sandbox.cache_clear()
    assert support == SandboxSupport(False, "bwrap not found")
    assert "network isolation" in support.warning() and "Install bubblewrap" in support.warning()


def test_grading_goes_on_without_the_sandbox_and_says_so(tmp_path: Path, monkeypatch) -> None:
    off = SandboxSupport(False, "bwrap not found")
    monkeypatch.setattr(kernel_pool, "probe_sandbox", lambda: off)
    monkeypatch.setattr(batch, "probe_sandbox", lambda: off)
    folder = submission_folder(tmp_path / "in", {"ana": "solved"})
    lines: list[str] = []
    result = batch.grade_lesson("00", folder, tmp_path / "gb.db", root=GRADING_COURSE,
                                progress=lines.append)  # fmt: skip
    [grade] = result.graded
    assert (grade.status, grade.score, grade.sandboxed) == ("graded", FULL_MARKS, False)
    assert [line for line in lines if line.startswith("Sandbox off")] == [off.warning()]


@pytest.mark.skipif(not sandbox.probe_sandbox().available, reason="bubblewrap unavailable")
def test_probe_passes_where_bubblewrap_works() -> None:
    assert sandbox.probe_sandbox() == SandboxSupport(True)
