"""Execute one notebook with papermill, with the defaults a batch of runs needs.

Each notebook gets its own kernel ("mlops-course" unless told otherwise) on private IPC
sockets, its own folder as working directory, MLOPS_COURSE_STATIC=1 in its environment,
a per-cell timeout and no progress bar. A notebook that fails does not raise: the result
says which cell failed and why, so a batch (the runner, the grader) goes on with the next
one. Bad input — a missing notebook, an unknown parameter — raises a CourseError.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops_course.classroom.errors import CourseError
from mlops_course.classroom.running.parameters import resolve_parameters

DEFAULT_KERNEL = "mlops-course"
DEFAULT_TIMEOUT_PER_CELL = 120.0
STATIC_ENV = "MLOPS_COURSE_STATIC"
# Notebooks run side by side, one per core: numerical libraries that start a thread per
# core then wait on each other (a 0.8 s fit took 17 s under load). The caller's own
# setting wins.
_THREAD_SETTINGS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _one_thread_per_kernel() -> dict[str, str]:
    return {name: os.environ.get(name, "1") for name in _THREAD_SETTINGS}
STATUS_OK, STATUS_FAILED, STATUS_TIMEOUT = "ok", "failed", "timeout"
INJECTED_TAG, PARAMETERS_TAG = "injected-parameters", "parameters"
MAX_EVALUE_CHARS = 300


class NotebookNotFound(CourseError):
    """The notebook to execute does not exist."""


class KernelNotInstalled(CourseError):
    """The Jupyter kernel the notebook should run on is not installed."""


@dataclass(frozen=True)
class CellFailure:
    """Where and how a notebook stopped.

    `cell_index` counts the cells of the input notebook from 0, so it points at the cell
    the author wrote (papermill's own index also counts the cell it injects); None means
    papermill's injected parameters cell.
    """

    cell_index: int | None
    ename: str
    evalue: str

    def __str__(self) -> str:
        where = (
            "the injected parameters cell" if self.cell_index is None else f"cell {self.cell_index}"
        )
        return f"{where}: {self.ename}: {self.evalue}" if self.evalue else f"{where}: {self.ename}"


@dataclass(frozen=True)
class ExecutionResult:
    """The outcome of one notebook execution."""

    notebook: Path
    output: Path
    status: str
    duration: float
    parameters: dict[str, Any] = field(default_factory=dict, hash=False)
    error: CellFailure | None = None

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK


def execute(
    input: str | Path,
    output: str | Path,
    parameters: Mapping[str, Any] | None = None,
    cwd: str | Path | None = None,
    timeout_per_cell: float = DEFAULT_TIMEOUT_PER_CELL,
    env_extra: Mapping[str, str] | None = None,
    kernel_name: str = DEFAULT_KERNEL,
) -> ExecutionResult:
    """Execute notebook `input` into `output` and return what happened.

    `parameters` values may be text (from a command line); each is converted to the type
    the notebook's parameters cell declares. `cwd` defaults to the notebook's own folder.
    `env_extra` is added to the kernel's environment on top of MLOPS_COURSE_STATIC=1.
    """
    import papermill
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from mlops_course.classroom.running.kernels import ipc_kernel

    input, output = Path(input).resolve(), Path(output).resolve()
    if not input.is_file():
        raise NotebookNotFound(f"notebook {input} does not exist; check the path.")
    resolved = resolve_parameters(input, parameters or {})
    output.parent.mkdir(parents=True, exist_ok=True)
    working_folder = Path(cwd).resolve() if cwd is not None else input.parent
    env = {STATIC_ENV: "1", **_one_thread_per_kernel(), **(env_extra or {})}

    status, error = STATUS_OK, None
    started = time.perf_counter()
    with ipc_kernel(env) as kernel:
        try:
            papermill.execute_notebook(
                str(input),
                str(output),
                parameters=resolved,
                kernel_name=kernel_name,
                progress_bar=False,
                execution_timeout=timeout_per_cell,
                # nbclient starts the kernel in resources' metadata.path; papermill's own
                # `cwd` would chdir this whole process instead.
                resources={"metadata": {"path": str(working_folder)}},
                **kernel.options,
            )
        except papermill.PapermillExecutionError as failure:
            status = STATUS_FAILED
            index = _input_cell_index(input, failure.cell_index, injected=bool(resolved))
            error = CellFailure(index, failure.ename, _one_line(failure.evalue))
        except CellTimeoutError:
            status = STATUS_TIMEOUT
            index = _running_cell_index(input, output, injected=bool(resolved))
            error = CellFailure(
                index, "Timeout", f"the cell ran longer than {timeout_per_cell:g} s"
            )
        except DeadKernelError as failure:
            status = STATUS_FAILED
            index = _running_cell_index(input, output, injected=bool(resolved))
            last_words = kernel.log_tail()
            detail = f"{failure}; its last output: {last_words}" if last_words else str(failure)
            error = CellFailure(index, "DeadKernelError", _one_line(detail))
        except NoSuchKernel:
            raise KernelNotInstalled(
                f"the Jupyter kernel '{kernel_name}' is not installed; run `make course` once, "
                f"or `python -m ipykernel install --sys-prefix --name {kernel_name}`."
            ) from None
    return ExecutionResult(
        notebook=input,
        output=output,
        status=status,
        duration=time.perf_counter() - started,
        parameters=resolved,
        error=error,
    )


def _input_cell_index(input: Path, executed_index: int, injected: bool) -> int | None:
    """Map an index into the executed notebook back to the input notebook's cells.

    Papermill inserts its injected-parameters cell after the `parameters` cell (or at the
    top without one) unless the input already has one, which it then replaces.
    """
    if not injected:
        return executed_index
    import nbformat

    cells = nbformat.read(input, as_version=4).cells
    if _first_tagged(cells, INJECTED_TAG) is not None:
        return executed_index
    parameters_at = _first_tagged(cells, PARAMETERS_TAG)
    injected_at = 0 if parameters_at is None else parameters_at + 1
    if executed_index == injected_at:
        return None
    return executed_index - 1 if executed_index > injected_at else executed_index


def _running_cell_index(input: Path, output: Path, injected: bool) -> int | None:
    """The cell that was running when the kernel stopped answering: the last one started.

    (Papermill marks the cells it never reached "completed" too, but gives them no
    start time.)
    """
    import nbformat

    try:
        cells = nbformat.read(output, as_version=4).cells
    except (OSError, ValueError):
        return None
    started = [
        index
        for index, cell in enumerate(cells)
        if cell.metadata.get("papermill", {}).get("start_time") is not None
    ]
    return _input_cell_index(input, started[-1], injected) if started else None


def _first_tagged(cells: list[Any], tag: str) -> int | None:
    for index, cell in enumerate(cells):
        if tag in cell.metadata.get("tags", []):
            return index
    return None


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_EVALUE_CHARS else line[: MAX_EVALUE_CHARS - 1] + "…"
