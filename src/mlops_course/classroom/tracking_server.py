"""A shared MLflow tracking server for a class: `mlops-course tracking-server`.

One `mlflow server` process with a SQLite store (or a PostgreSQL database for a large
class) and artifacts proxied through the server, so students need only its URL. It runs
with MLflow workspaces enabled: every student works in a workspace of their own, named by
MLFLOW_WORKSPACE in their environment, and `mlops_course.tracking.configure` creates it
on first use. Lessons keep their experiment and model names ("03-experiment-tracking",
"late-delivery-02") and still never meet another student's runs, models or aliases.

This module starts and stops the process; it imports nothing of MLflow itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mlops_course.classroom.errors import CourseError
from mlops_course.paths import runs_dir

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
STORE_DIRNAME = "tracking-server"
DATABASE_FILENAME = "mlflow.db"
ARTIFACTS_DIRNAME = "mlartifacts"
BACKEND_SCHEMES = ("sqlite", "postgresql")
START_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0
# MLflow's job runner (seven huey consumer processes) serves GenAI scorers and trace
# roll-ups, which the course does not use; without it the server is four processes lighter.
SERVER_ENV = {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
# Hosts that mean "every interface": a client reaches such a server on the loopback.
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


class TrackingServerError(CourseError):
    """The tracking server cannot start as asked; the message says what to change."""


@dataclass(frozen=True)
class ServerSettings:
    """Where the server listens and where it keeps runs and artifacts."""

    backend_store_uri: str
    artifacts_destination: str
    folder: Path  # the server's working folder: the local store, or runs/tracking-server/
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int | None = None  # None: MLflow's default
    allowed_hosts: str | None = None  # None: MLflow's default (localhost, private IPs)

    @property
    def url(self) -> str:
        """The URL a client on this machine uses."""
        host = "127.0.0.1" if self.host in WILDCARD_HOSTS else self.host
        return f"http://{_bracketed(host)}:{self.port}"

    @property
    def student_url(self) -> str:
        """The URL to give students: this machine's name when listening on every interface."""
        if self.host in WILDCARD_HOSTS:
            return f"http://{socket.getfqdn()}:{self.port}"
        return f"http://{_bracketed(self.host)}:{self.port}"

    def command(self) -> list[str]:
        command = [
            sys.executable, "-m", "mlflow", "server",
            "--backend-store-uri", self.backend_store_uri,
            "--serve-artifacts",
            "--artifacts-destination", self.artifacts_destination,
            "--enable-workspaces",
            "--host", self.host,
            "--port", str(self.port),
        ]  # fmt: skip
        if self.workers is not None:
            command += ["--workers", str(self.workers)]
        if self.allowed_hosts:
            command += ["--allowed-hosts", self.allowed_hosts]
        return command


def server_settings(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    store: str | os.PathLike[str] | None = None,
    backend_store_uri: str | None = None,
    artifacts_destination: str | None = None,
    workers: int | None = None,
    allowed_hosts: str | None = None,
) -> ServerSettings:
    """Check the arguments and fill in the defaults.

    Runs and artifacts go to `store` (default: runs/tracking-server/ in the course root):
    `mlflow.db` and `mlartifacts/` there. `backend_store_uri` (sqlite:/// or
    postgresql://) and `artifacts_destination` (a folder or an s3:// or gs:// URI) each
    override their half.
    """
    if not 0 < port < 65536:
        raise TrackingServerError(f"port {port} is not a TCP port; give one from 1 to 65535.")
    if workers is not None and workers < 1:
        raise TrackingServerError(f"--workers {workers} must be 1 or more.")
    folder = Path(store).expanduser().resolve() if store else runs_dir() / STORE_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    if backend_store_uri is None:
        backend_store_uri = f"sqlite:///{folder / DATABASE_FILENAME}"
    _check_backend(backend_store_uri)
    if artifacts_destination is None:
        artifacts_destination = str(folder / ARTIFACTS_DIRNAME)
    return ServerSettings(
        backend_store_uri=backend_store_uri,
        artifacts_destination=artifacts_destination,
        folder=folder,
        host=host,
        port=port,
        workers=workers,
        allowed_hosts=allowed_hosts,
    )


class TrackingServer:
    """A running `mlflow server`, in a process group of its own so that stop() ends it all."""

    def __init__(self, settings: ServerSettings, process: subprocess.Popen, log: Path | None):
        self.settings = settings
        self.process = process
        self.log = log

    @property
    def url(self) -> str:
        return self.settings.url

    def wait_until_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Return once the server answers /health; raise if it exits or stays silent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise TrackingServerError(
                    f"mlflow server exited with status {self.process.returncode} before it "
                    f"answered on {self.url}{self._log_hint()}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        self.stop()
        raise TrackingServerError(
            f"mlflow server did not answer on {self.url} within {timeout:g} s{self._log_hint()}"
        )

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the server and its workers: SIGTERM to its group, SIGKILL after `timeout`."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        # The server waits for its workers before it exits; sweep up any that did not.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def __enter__(self) -> TrackingServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _log_hint(self) -> str:
        return f"; see its log {self.log}" if self.log else "; see its output above"


def start_tracking_server(settings: ServerSettings, log: Path | None = None) -> TrackingServer:
    """Start `mlflow server` with `settings`, wait until it answers, and return it.

    Its output goes to `log` (default: this process's own stdout and stderr).
    """
    _check_port_free(settings.host, settings.port)
    output: IO[bytes] | None = log.open("ab") if log else None
    try:
        process = subprocess.Popen(
            settings.command(),
            # Its workers put their cwd on sys.path: a stray folder there named like a
            # module (wsproto/, say) would break them. The store's folder holds none.
            cwd=settings.folder,
            env={**os.environ, **SERVER_ENV},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,  # its own group: stop() reaches every worker
        )
    finally:
        if output is not None:
            output.close()
    server = TrackingServer(settings, process, log)
    server.wait_until_ready()
    return server


def _check_backend(uri: str) -> None:
    scheme = uri.split(":", 1)[0].split("+", 1)[0] if ":" in uri else ""
    if scheme not in BACKEND_SCHEMES:
        raise TrackingServerError(
            f"backend store {uri!r} is not a SQLite or PostgreSQL URI; give "
            "sqlite:////absolute/path/mlflow.db or postgresql://user:password@host/database."
        )


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        # As the server itself binds: a port left in TIME_WAIT by a restart is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise TrackingServerError(
                f"cannot listen on {host}:{port} ({error.strerror}); choose another --port "
                "or stop what uses it."
            ) from None


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host
