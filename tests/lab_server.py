"""A private JupyterLab server for the browser tests, started and stopped by the test.

The server sees only a temporary copy of the course, and its own config, data, runtime,
settings and workspace folders, so neither the student's Jupyter set-up nor an earlier
run leaks in and nothing it saves reaches the repository. It listens on 127.0.0.1 on a
free port with a random token. Kernels run in processes of their own session, so on
the way out the server is asked to shut down through its API (which stops its kernels)
and then every process it started is reaped.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

# Variables that would change what the server or its kernels do. MLOPS_COURSE_STATIC is
# set by `make test` for papermill and nbval; in the browser the widgets must be live.
DROPPED_ENV = ("MLOPS_COURSE_STATIC", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTERLAB_DIR")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


class LabServerError(RuntimeError):
    """JupyterLab did not start, with the reason and the end of its log."""


@dataclass
class LabServer:
    """A running JupyterLab: its URL, token, the folder it serves and its process."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path
    runtime: Path  # the server's runtime folder (connection files, kernel sockets)

    def lab_url(self, notebook: str, workspace: str) -> str:
        """The URL that opens `notebook` (relative to root) alone in a fresh workspace."""
        return f"{self.url}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={self.token}"

    def api(self, method: str, path: str) -> object:
        """Call the server's REST API and return the decoded JSON (None when empty)."""
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        """End every notebook session, so the next notebook starts with a fresh kernel."""
        for session in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def stop(self) -> None:
        """Shut the server down through its API, then reap whatever it left running."""
        try:
            started = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            started = []
        try:
            self.api("POST", "/api/shutdown")
            self.process.wait(timeout=STOP_TIMEOUT)
        except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        _reap(started)
        shutil.rmtree(self.runtime, ignore_errors=True)


def start_lab(course: Path, venv: Path, scratch: Path) -> LabServer:
    """Start JupyterLab on `course` with the kernels and extensions of `venv`.

    `scratch` receives the server's own Jupyter folders and its log.
    """
    folders = {name: scratch / name for name in ("config", "data", "settings", "ws")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    # IPC kernels put their sockets in the runtime folder, and a socket path may not be
    # longer than 107 bytes: pytest's temporary folders are too deep for it.
    folders["runtime"] = Path(tempfile.mkdtemp(prefix="mlops-lab-"))
    _answer_the_news_question(folders["settings"])
    token = secrets.token_hex(16)
    port = _free_port()
    command = [
        str(venv / "bin" / "jupyter"),
        "lab",
        "--no-browser",
        "--allow-root",  # CI containers run as root; harmless elsewhere
        "--ServerApp.terminals_enabled=False",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={course}",
        f"--IdentityProvider.token={token}",
        # IPC kernels: two servers' kernels can never race for the same TCP port.
        "--KernelManager.transport=ipc",
        f"--LabApp.user_settings_dir={folders['settings']}",
        f"--LabApp.workspaces_dir={folders['ws']}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # never ask PyPI about extensions
        # The test drives JupyterLab's own commands and reads its notebook model.
        "--LabApp.expose_app_in_browser=True",
    ]
    env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV}
    env |= {
        # The user folders are empty; the venv's share/jupyter (kernelspec, ipywidgets
        # extension) stays on Jupyter's path through sys.prefix.
        "JUPYTER_CONFIG_DIR": str(folders["config"]),
        "JUPYTER_DATA_DIR": str(folders["data"]),
        "JUPYTER_RUNTIME_DIR": str(folders["runtime"]),
        "MLOPS_COURSE_ROOT": str(course),
        "MLFLOW_TRACKING_URI": f"sqlite:///{course}/runs/mlflow.db",
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    log = scratch / "jupyterlab.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=course,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, course, process, log, folders["runtime"])
    try:
        _wait_until_ready(server)
    except BaseException:
        server.stop()
        raise
    return server


def copy_course(repository: Path, destination: Path, extra_folders: tuple[str, ...] = ()) -> Path:
    """Copy what a student's course folder holds, plus `extra_folders`, to `destination`.

    A student's folder is the release bundle (its allow-list); the browser test works on
    this copy so that nothing JupyterLab saves can reach the repository.
    """
    from mlops_course.classroom.authoring.release import FOLDERS, OPTIONAL_FILES, REQUIRED_FILES

    destination.mkdir(parents=True)
    for name in (*REQUIRED_FILES, *OPTIONAL_FILES):
        if (repository / name).is_file():
            shutil.copy2(repository / name, destination / name)
    leftovers = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.egg-info")
    for folder in (*FOLDERS, *extra_folders):
        if (repository / folder).is_dir():
            shutil.copytree(repository / folder, destination / folder, ignore=leftovers)
    return destination


def _answer_the_news_question(settings: Path) -> None:
    """Say "no" to the news toast that fresh settings show, so it covers no output."""
    notification = (
        settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    )
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_ready(server: LabServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise LabServerError(
                f"JupyterLab exited with status {server.process.returncode} before it "
                f"served; its log ends:\n{_tail(server.log)}"
            )
        try:
            server.api("GET", "/api/status")
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
            continue
        return
    raise LabServerError(
        f"JupyterLab did not answer on {server.url} within {START_TIMEOUT:g} s; "
        f"its log ends:\n{_tail(server.log)}"
    )


def _reap(processes: list[psutil.Process]) -> None:
    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            continue
    _, alive = psutil.wait_procs(processes, timeout=5)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(alive, timeout=5)


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
