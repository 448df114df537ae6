"""Kernels for batch runs: IPC sockets in a private folder, and extra environment variables.

Kernels on TCP pick a free port, close it and reopen it: two kernels started at the same
moment (parallel workers, parallel `mlops-course run`s) can race for the same port. Unix
domain sockets in a folder of their own cannot collide. nbclient creates, starts and shuts
down the kernel manager itself; it gets our class and its settings through the
`kernel_manager_class` and `config` keyword arguments that papermill passes on to it
(handing nbclient a ready `km=` instead would leave the kernel's shutdown to us).

The kernel process's own stdout and stderr go to a log file in that folder rather than
to the terminal: jupyter_client interrupts every kernel it shuts down, which makes
ipykernel log a "KeyboardInterrupt caught in kernel" line that would interleave with the
runner's progress. The notebook's output is recorded in the notebook either way; the log
matters when a kernel dies.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client import AsyncKernelManager
from traitlets import Dict, Unicode
from traitlets.config import Config


class CourseKernelManager(AsyncKernelManager):
    """An AsyncKernelManager that adds `extra_env` and sends the process output to a log."""

    extra_env = Dict(config=True, help="Environment variables added for the kernel process.")
    output_log = Unicode("", config=True, help="File for the kernel process's stdout/stderr.")

    async def start_kernel(self, **kw: Any) -> None:
        env = dict(kw.pop("env", None) or os.environ)
        env.update(self.extra_env)
        if not self.output_log:
            await super().start_kernel(env=env, **kw)
            return
        with open(self.output_log, "ab") as log:  # the kernel process keeps its own copy
            await super().start_kernel(env=env, stdout=log, stderr=log, **kw)


@dataclass(frozen=True)
class KernelSetup:
    """Keyword arguments for papermill/nbclient, and where the kernel process logs."""

    options: dict[str, Any]
    log: Path

    def log_tail(self, lines: int = 5) -> str:
        """The last lines the kernel process wrote (it may die before flushing them)."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextmanager
def ipc_kernel(extra_env: Mapping[str, str]) -> Iterator[KernelSetup]:
    """Set up one kernel on IPC sockets in a private folder, removed afterwards.

    The folder is short (Unix socket paths are limited to about 100 characters).
    """
    folder = Path(tempfile.mkdtemp(prefix="mlops-kernel-"))
    try:
        settings = {
            "transport": "ipc",
            "ip": str(folder / "k"),
            "extra_env": dict(extra_env),
            "output_log": str(folder / "kernel.log"),
        }
        options = {
            "kernel_manager_class": CourseKernelManager,
            "config": Config({CourseKernelManager.__name__: settings}),
        }
        yield KernelSetup(options=options, log=folder / "kernel.log")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
