"""Grading kernels: one fresh sandboxed kernel per submission, started ahead of need.

`SandboxedKernelManager` is a jupyter_client kernel manager whose kernel command is the
kernelspec's own, wrapped by `sandbox.bwrap_command`, over the IPC transport (its sockets
live in the kernel's folder, which bwrap shares; a TCP port would be unreachable once the
network is unshared). IPython's history is off so no cell source, hidden tests included,
lands in an SQLite file the next cell could read.

`KernelPool` keeps `size` kernels starting in the background, each in a fresh folder of
its own, so a submission's wait for a kernel overlaps the previous submission's run. A
kernel serves exactly one submission and is then killed with its folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Any, Bool, Instance, Integer

from mlops_course.classroom.grading.sandbox import (
    ResourceLimits,
    bwrap_command,
    kernel_environment,
    kernel_uid,
    prepare_workdir,
    probe_sandbox,
)

KERNEL_START_TIMEOUT = 60
MAX_MESSAGE_BYTES = 16 * 1024**2  # one kernel message; outputs are capped well below this
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that launches its kernel in the grading sandbox with rlimits."""

    workdir = Instance(Path)
    limits = Instance(ResourceLimits, args=())
    sandboxed = Bool(True)
    uid = Integer(allow_none=True)
    environment = Any()

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments) + KERNEL_ARGUMENTS
        if not self.sandboxed:
            return command
        assert self.uid is not None
        return bwrap_command(self.workdir, self.uid, self.environment) + command

    def write_connection_file(self, **kwargs: object) -> None:
        super().write_connection_file(**kwargs)
        if self.uid is not None:  # the kernel reads it as its own unprivileged user
            os.chown(self.connection_file, self.uid, self.uid)


def _configure(km: SandboxedKernelManager, workdir: Path, limits: ResourceLimits) -> None:
    sandboxed = probe_sandbox().available
    km.workdir = workdir
    km.limits = limits
    km.sandboxed = sandboxed
    km.uid = kernel_uid() if sandboxed else None
    km.environment = kernel_environment(workdir)
    km.transport = "ipc"
    km.ip = str(workdir / "ipc")
    km.connection_file = str(workdir / "kernel.json")
    prepare_workdir(workdir, km.uid)
    # Interrupt through the control channel: a SIGINT to the launched process group would
    # hit bwrap outside the sandbox and end it; ipykernel signals its own session inside.
    km.kernel_spec.interrupt_mode = "message"


@dataclass
class GradingKernel:
    """A started kernel, its client and the folder it owns; serves one submission."""

    manager: SandboxedKernelManager
    client: AsyncKernelClient | None
    workdir: Path
    sandboxed: bool

    def interrupt_hard(self) -> bool:
        """Interrupt a runaway cell, even a fork bomb; False if the kernel was not found.

        The kernel is frozen (SIGSTOP), every process it started is killed, SIGINT is left
        pending and the kernel resumes: its next bytecode raises KeyboardInterrupt before it
        can fork again. An interrupt request over the control channel would not do: with
        the process limit full of children the kernel cannot start the thread that answers.
        """
        launched = self.manager.provisioner.pid if self.manager.provisioner else None
        if launched is None:
            return False
        children = _children_by_parent()
        # bwrap's own command lines name ipykernel too; the kernel is the one that is not bwrap.
        kernel = next((pid for pid in [launched, *_descendants(launched, children)]
                       if _is_kernel(_cmdline(pid))), None)  # fmt: skip
        if kernel is None:
            return False
        try:
            os.kill(kernel, signal.SIGSTOP)
            for pid in _descendants(kernel, _children_by_parent()):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            os.kill(kernel, signal.SIGINT)
        finally:
            with contextlib.suppress(OSError):
                os.kill(kernel, signal.SIGCONT)
        return True

    async def shutdown(self) -> None:
        """Kill the kernel (everything in its PID namespace dies with it) and drop its folder."""
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.stop_channels()
            self.client.context.destroy(linger=0)
        with contextlib.suppress(Exception):
            await self.manager.shutdown_kernel(now=True)
        with contextlib.suppress(Exception):
            await self.manager.cleanup_resources()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])  # the command may hold spaces and ")"
        children.setdefault(parent, []).append(int(entry.name))
    return children


def _descendants(pid: int, children: dict[int, list[int]]) -> list[int]:
    """All processes below `pid`, breadth first."""
    found, queue = [], list(children.get(pid, []))
    while queue:
        current = queue.pop(0)
        found.append(current)
        queue += children.get(current, [])
    return found


def _is_kernel(cmdline: bytes) -> bool:
    program = cmdline.split(b"\0", 1)[0]
    return b"ipykernel" in cmdline and not program.endswith((b"bwrap", b"setpriv"))


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


async def start_grading_kernel(
    kernel_name: str, limits: ResourceLimits, parent: Path | None = None
) -> GradingKernel:
    """Start one sandboxed kernel in a fresh folder under `parent` (default: the temp dir)."""
    workdir = Path(tempfile.mkdtemp(prefix="k-", dir=parent)).resolve()
    manager = SandboxedKernelManager(kernel_name=kernel_name)
    kernel = GradingKernel(manager, None, workdir, sandboxed=False)
    try:
        _configure(manager, workdir, limits)
        kernel.sandboxed = manager.sandboxed
        await asyncio.wait_for(_start(kernel, limits), KERNEL_START_TIMEOUT)
    except BaseException:
        await kernel.shutdown()
        raise
    return kernel


async def _start(kernel: GradingKernel, limits: ResourceLimits) -> None:
    """Launch the process and wait until it answers, so a taker finds it ready."""
    manager = kernel.manager
    await manager.start_kernel(
        env=dict(manager.environment),
        cwd=str(kernel.workdir),
        preexec_fn=limits.apply,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # A private context whose sockets refuse messages beyond MAX_MESSAGE_BYTES: zmq drops
    # such a message (and reconnects) before the grader holds a byte of it, so one huge
    # print cannot take the grader's memory. Output past the cap is dropped anyway.
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
    kernel.client = manager.client(context=context)
    kernel.client.start_channels()
    await kernel.client.wait_for_ready(timeout=KERNEL_START_TIMEOUT)


@dataclass
class KernelPool:
    """Keeps `size` kernels starting ahead of need; `take()` hands out a fresh one."""

    kernel_name: str
    limits: ResourceLimits
    size: int = 1
    parent: Path | None = None
    _starting: list[asyncio.Task[GradingKernel]] = field(default_factory=list)

    def _fill(self) -> None:
        while len(self._starting) < self.size:
            start = start_grading_kernel(self.kernel_name, self.limits, self.parent)
            self._starting.append(asyncio.ensure_future(start))

    async def take(self) -> GradingKernel:
        """The oldest kernel in the pool (waiting for it if need be); a new one starts behind it.

        With `size` 0 nothing starts ahead: each take starts its kernel on demand.
        """
        self._fill()
        if self._starting:
            task = self._starting.pop(0)
        else:
            task = asyncio.ensure_future(
                start_grading_kernel(self.kernel_name, self.limits, self.parent)
            )
        self._fill()
        return await task

    async def close(self) -> None:
        """Shut down the kernels nobody took."""
        tasks, self._starting = self._starting, []
        for task in tasks:
            with contextlib.suppress(BaseException):
                kernel = await task
                await kernel.shutdown()
