"""Kernels for batch runs: IPC sockets in a private folder, and extra environment variables.

Kernels on TCP pick a free port, close it and reopen it: two kernels started at the same
moment (parallel workers, parallel `mlops-course run`s) can race for the same port. Unix
domain sockets in a folder of their own cannot collide. nbclient creates, starts and shuts
down the kernel manager itself; it gets our class and its settings through the
`kernel_manager_class` and `config` keyword arguments that papermill passes on to it
(handing nbclient a ready `km=` instead would leave the kernel's shutdown to us).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from jupyter_client import AsyncKernelManager
from traitlets import Dict
from traitlets.config import Config


class CourseKernelManager(AsyncKernelManager):
    """An AsyncKernelManager that adds `extra_env` to the kernel's environment."""

    extra_env = Dict(config=True, help="Environment variables added for the kernel process.")

    async def start_kernel(self, **kw: Any) -> None:
        env = dict(kw.pop("env", None) or os.environ)
        env.update(self.extra_env)
        await super().start_kernel(env=env, **kw)


@contextmanager
def ipc_kernel_options(extra_env: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    """Yield papermill/nbclient keyword arguments for one kernel on private IPC sockets.

    The socket folder is short (Unix socket paths are limited to about 100 characters)
    and removed afterwards.
    """
    folder = tempfile.mkdtemp(prefix="mlops-kernel-")
    try:
        settings = {
            "transport": "ipc",
            "ip": os.path.join(folder, "k"),
            "extra_env": dict(extra_env),
        }
        yield {
            "kernel_manager_class": CourseKernelManager,
            "config": Config({CourseKernelManager.__name__: settings}),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
