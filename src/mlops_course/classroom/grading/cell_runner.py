"""Run a prepared notebook's cells in a grading kernel and record what each reply said.

The verdict of a cell is its execute reply's status (`ok` or `error`), recorded per cell
index; printed text never counts. The runner keeps going after a cell raises (a student's
mistake costs that cell, not the notebook) and stops only when it must:

- a cell runs past the per-cell timeout: the kernel is interrupted; if it still has not
  answered one more timeout later, it is killed (`timeout`);
- the kernel dies (`os._exit`, a signal, SIGXCPU): `crashed`;
- the whole run passes the total timeout: the kernel is killed (`timeout`).

Outputs are capped: past `output_limit_bytes` for the whole notebook, further outputs are
dropped as they arrive (nbclient would otherwise keep them all in the grader's memory).
A single message cannot exceed the kernel's own memory limit, which bounds the rest.

Observations (display outputs of `observe`'s MIME type) are taken out of the stream and
recorded per cell, under a budget of their own: a student who printed past the output
cap still has the hidden tests' observations judged.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_output

from mlops_course.classroom.authoring.observe import MIME_TYPE as OBSERVATION_MIME
from mlops_course.classroom.grading.kernel_pool import GradingKernel

TRUNCATION_NOTE = "[grader: output limit reached, the rest was dropped]\n"
OBSERVATION_BUDGET_BYTES = 8 * 1024**2  # all observations of one run
OBSERVATIONS_PER_CELL = 64


@dataclass(frozen=True)
class RunLimits:
    """Time and output bounds of one submission's run."""

    cell_timeout: float = 60.0
    total_timeout: float = 600.0
    output_limit_bytes: int = 5 * 1024**2


@dataclass(frozen=True)
class CellReply:
    """What the kernel answered for one cell: `ok` or `error` (with the exception's name)."""

    status: str
    ename: str = ""
    evalue: str = ""


@dataclass
class RunRecord:
    """Every cell's reply by index, and the incidents that cut the run short or capped it."""

    replies: dict[int, CellReply] = field(default_factory=dict)
    timed_out_cells: list[int] = field(default_factory=list)
    crashed_at: int | None = None
    killed_for_timeout: bool = False
    output_truncated: bool = False
    iopub_lost: bool = False  # a message over the size cap broke the output stream
    observations: dict[int, list[Any]] = field(default_factory=dict)  # raw JSON, by cell
    seconds: float = 0.0

    def memory_errors(self) -> list[int]:
        return [i for i, reply in self.replies.items() if reply.ename == "MemoryError"]


def _output_size(msg: dict[str, Any]) -> int:
    content = msg.get("content", {})
    if "text" in content:
        return len(content["text"])
    size = sum(len(str(value)) for value in content.get("data", {}).values())
    return size + sum(len(line) for line in content.get("traceback", []))


class GradingClient(NotebookClient):
    """nbclient with per-cell reply recording, an output budget and a two-strike timeout."""

    def __init__(self, nb: NotebookNode, kernel: GradingKernel, limits: RunLimits) -> None:
        super().__init__(
            nb,
            km=kernel.manager,
            timeout=int(limits.cell_timeout),
            allow_errors=True,
            interrupt_on_timeout=True,
            record_timing=False,
            store_widget_state=False,
            iopub_timeout=2,
        )
        self.kc = kernel.client
        self.kernel = kernel
        self.record = RunRecord()
        self.output_budget = limits.output_limit_bytes
        self.observation_budget = OBSERVATION_BUDGET_BYTES
        self._current_index = -1
        self._idle_cells: set[int] = set()
        self.on_cell_executed = self._record_reply

    def _record_reply(self, cell: NotebookNode, cell_index: int, execute_reply: Any) -> None:
        if execute_reply is None:
            return
        content = execute_reply.get("content", {})
        self.record.replies[cell_index] = CellReply(
            status=content.get("status", "error"),
            ename=content.get("ename", ""),
            evalue=str(content.get("evalue", ""))[:500],
        )

    async def _async_handle_timeout(
        self, timeout: int, cell: NotebookNode | None = None
    ) -> None | dict[str, Any]:
        # First strike: interrupt and wait one more timeout for the KeyboardInterrupt reply.
        # Second strike: the kernel ignores interrupts; give up on it.
        if self._current_index in self.record.timed_out_cells:
            raise CellTimeoutError.error_from_timeout_and_cell(
                "Cell ignored the interrupt", timeout, cell
            )
        self.record.timed_out_cells.append(self._current_index)
        if not self.kernel.interrupt_hard():
            assert self.km is not None
            await self.km.interrupt_kernel()
        return None

    def process_message(
        self, msg: dict[str, Any], cell: NotebookNode, cell_index: int
    ) -> NotebookNode | None:
        content = msg.get("content", {})
        if msg.get("msg_type") == "status" and content.get("execution_state") == "idle":
            self._idle_cells.add(cell_index)
        return super().process_message(msg, cell, cell_index)

    def output(
        self,
        outs: list[NotebookNode],
        msg: dict[str, Any],
        display_id: str | None,
        cell_index: int,
    ) -> NotebookNode | None:
        size = _output_size(msg)
        data = msg.get("content", {}).get("data", {})
        if isinstance(data, dict) and OBSERVATION_MIME in data:
            self._observe(cell_index, data[OBSERVATION_MIME], size)
            return None
        if self.record.output_truncated or size > self.output_budget:
            if not self.record.output_truncated:
                self.record.output_truncated = True
                outs.append(new_output("stream", name="stderr", text=TRUNCATION_NOTE))
            return None
        self.output_budget -= size
        return super().output(outs, msg, display_id, cell_index)

    def _observe(self, cell_index: int, payload: Any, size: int) -> None:
        cell = self.record.observations.setdefault(cell_index, [])
        if size <= self.observation_budget and len(cell) < OBSERVATIONS_PER_CELL:
            self.observation_budget -= size
            cell.append(payload)

    async def run_cells(self, total_timeout: float) -> RunRecord:
        """Execute every code cell in order; returns the record even when cut short."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(total_timeout):
                for index, cell in enumerate(self.nb.cells):
                    if cell.cell_type != "code":
                        continue
                    self._current_index = index
                    try:
                        await self.async_execute_cell(cell, index)
                        if index not in self._idle_cells:
                            # The IOPub stream lost messages: zmq refuses one larger than
                            # MAX_MESSAGE_BYTES, which only an over-sized output can be. The
                            # stream stays down; verdicts come from the shell channel, so stop
                            # waiting for IOPub after each cell.
                            self.record.output_truncated = True
                            self.record.iopub_lost = True
                            self.iopub_timeout = 0
                    except DeadKernelError:
                        self.record.crashed_at = index
                        break
                    except CellTimeoutError:
                        self.record.killed_for_timeout = True
                        break
        except TimeoutError:
            self.record.killed_for_timeout = True
        finally:
            self.record.seconds = time.monotonic() - started
        return self.record


async def run_notebook(nb: NotebookNode, kernel: GradingKernel, limits: RunLimits) -> RunRecord:
    """Run `nb` in `kernel` (which the caller shuts down afterwards); `nb` gets the outputs."""
    client = GradingClient(nb, kernel, limits)
    record = await client.run_cells(limits.total_timeout)
    if record.crashed_at is None and not record.killed_for_timeout:
        with contextlib.suppress(Exception):
            if not await kernel.manager.is_alive():
                record.crashed_at = max(record.replies, default=0)
    return record
