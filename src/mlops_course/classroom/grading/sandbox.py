"""The grading sandbox: how a submission's kernel is launched so it can harm nothing.

A kernel runs under bubblewrap (`bwrap`): no network, its own PID namespace, a root
filesystem that shows the system (/usr, /etc), the Python installation and the course
package read-only, and one writable folder — the submission's own. The course repo, its
`solutions/`, the gradebook and other submissions are simply not mounted.

Inside, `setpriv` drops to an unprivileged uid before Python starts. Why not bwrap's
`--unshare-user --uid 65534`: run by root, that uid maps back to root outside, and the
kernel exempts root from RLIMIT_NPROC, so a fork bomb would go unchecked. A real uid
without a user namespace is counted. RLIMIT_NPROC counts per uid across the machine, so
each kernel gets a uid of its own (`kernel_uid`): a fork bomb starves only itself.

Resource limits are rlimits set in the launched process before bwrap starts and
inherited by everything below it: address space (memory), processes, file size, CPU.
Where bwrap or setpriv is missing or fails its probe, kernels run without the sandbox but
with the rlimits, and `SandboxSupport.warning()` says which protections are off.
"""

from __future__ import annotations

import functools
import itertools
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlops_course import tracking
from mlops_course.classroom.authoring.checks import GRADING_ENV

# Real uids handed to sandboxed kernels: far above any login account, one per live kernel.
KERNEL_UID_BASE = 1_000_000
KERNELS_PER_PROCESS = 16
_kernel_counter = itertools.count()

SCRATCH_TMPFS_BYTES = 64 * 1024**2


@dataclass(frozen=True)
class ResourceLimits:
    """What one submission's kernel may use; every limit applies per process in the sandbox."""

    memory_bytes: int = 2 * 1024**3  # RLIMIT_AS: allocations beyond it raise MemoryError
    max_processes: int = 64  # RLIMIT_NPROC: processes and threads of the kernel's uid
    max_file_bytes: int = 64 * 1024**2  # RLIMIT_FSIZE: the largest file it may write
    cpu_seconds: int = 600  # RLIMIT_CPU: SIGXCPU ends a kernel that spins past it

    def apply(self) -> None:
        """Set the limits on the current process (run in the child before exec).

        Also asks the kernel to SIGKILL this process when the grader dies: bwrap's
        --die-with-parent only covers the sandbox below bwrap, not bwrap itself, and a
        grader killed with SIGKILL would otherwise leave its kernels running.
        """
        kill_me_when_parent_dies()
        for limit, value in (
            (resource.RLIMIT_AS, self.memory_bytes),
            (resource.RLIMIT_NPROC, self.max_processes),
            (resource.RLIMIT_FSIZE, self.max_file_bytes),
            (resource.RLIMIT_CPU, self.cpu_seconds),
            (resource.RLIMIT_CORE, 0),
        ):
            resource.setrlimit(limit, (value, value))


def kill_me_when_parent_dies() -> None:
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the grader died before prctl took effect
        os._exit(1)


@dataclass(frozen=True)
class SandboxSupport:
    """Whether kernels can run under bwrap here, and if not, why."""

    available: bool
    reason: str = ""

    def warning(self) -> str:
        """One sentence for the batch log naming the protections that are off (empty if none)."""
        if self.available:
            return ""
        return (
            f"Sandbox off ({self.reason}): kernels run without network isolation, without "
            "hiding instructor files and as the grader's own user; memory, file-size and CPU "
            "limits still apply (the process limit only for a non-root grader). "
            "Install bubblewrap to turn the sandbox on."
        )


def kernel_uid() -> int:
    """A uid no other live kernel uses: unique per grader process and per kernel in it."""
    slot = next(_kernel_counter) % KERNELS_PER_PROCESS
    return KERNEL_UID_BASE + (os.getpid() % 4_000_000) * KERNELS_PER_PROCESS + slot


def readonly_mounts() -> list[Path]:
    """What a kernel must read: the Python installation, the venv and the course package."""
    import mlops_course

    roots = {
        Path(sys.base_prefix).resolve(),
        Path(sys.prefix).resolve(),
        Path(sysconfig.get_paths()["purelib"]).resolve(),
        # An editable install puts the package outside site-packages: mount exactly it,
        # never the repository around it.
        Path(mlops_course.__file__).resolve().parent,
    }
    if Path(sys.prefix) != Path(sys.prefix).resolve():
        roots.add(Path(sys.prefix))  # the venv's own path, if it is reached through a link
    system = (Path("/usr"), Path("/etc"))
    kept = sorted(
        root for root in roots if not any(_is_inside(root, other) for other in roots - {root})
    )
    return [*system, *(root for root in kept if not any(_is_inside(root, s) for s in system))]


def _is_inside(path: Path, folder: Path) -> bool:
    return path != folder and path.is_relative_to(folder)


def _parent_dirs(paths: list[Path]) -> list[Path]:
    """Every ancestor of `paths` below /, shallow first (bwrap creates them 0700 otherwise)."""
    parents: set[Path] = set()
    for path in paths:
        parents.update(p for p in path.parents if p != Path("/"))
    return sorted(parents, key=lambda p: (len(p.parts), str(p)))


def bwrap_command(workdir: Path, uid: int, environment: dict[str, str]) -> list[str]:
    """The bwrap + setpriv prefix that runs a command as `uid` with only `workdir` writable."""
    mounts = readonly_mounts()
    workdir = workdir.resolve()
    command = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv",
        "--tmpfs", "/",
    ]  # fmt: skip
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            command += ["--symlink", os.readlink(target), str(target)]
        elif target.is_dir():
            command += ["--ro-bind", str(target), str(target)]
    command += [
        "--dev", "/dev",
        "--proc", "/proc",
        "--size", str(SCRATCH_TMPFS_BYTES), "--perms", "01777", "--tmpfs", "/dev/shm",
        "--size", str(SCRATCH_TMPFS_BYTES), "--perms", "01777", "--tmpfs", "/tmp",
    ]  # fmt: skip
    mount_points = {*mounts, *(Path(p) for p in ("/bin", "/lib", "/lib64", "/sbin", "/dev",
                                                "/proc", "/tmp"))}  # fmt: skip
    for parent in _parent_dirs([*mounts, workdir]):
        if parent not in mount_points:
            command += ["--perms", "0755", "--dir", str(parent)]
    for mount in mounts:
        command += ["--ro-bind", str(mount), str(mount)]
    command += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir)]
    for name, value in sorted(environment.items()):
        command += ["--setenv", name, value]
    command += [
        shutil.which("setpriv") or "setpriv",
        f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
    ]  # fmt: skip
    return command


def kernel_environment(workdir: Path) -> dict[str, str]:
    """The whole environment a grading kernel sees: nothing inherited from the grader."""
    venv_bin = str(Path(sys.executable).parent)
    return {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": str(workdir / "tmp"),
        "LANG": "C.UTF-8",
        "MLOPS_COURSE_STATIC": "1",
        # The notebook's own check() calls run nothing: the grader runs every test itself.
        GRADING_ENV: "1",
        "MLOPS_COURSE_ROOT": str(workdir / "course-root"),
        "MLFLOW_TRACKING_URI": tracking.SQLITE_PREFIX + str(workdir / tracking.STORE_FILENAME),
        # Offline: MLflow 3's usage telemetry would try the network and hold the kernel
        # up to a second at exit (measured: an untouched lesson-07 exercise 20.6 s -> 5.8 s).
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(workdir / ".matplotlib"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        # One BLAS/OpenMP thread: threads count against the process limit and each
        # reserves address space against the memory limit.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
    }


def prepare_workdir(workdir: Path, uid: int | None) -> None:
    """Lay out a kernel's folder (a stub course root, scratch) and hand it to `uid`."""
    (workdir / "tmp").mkdir(parents=True, exist_ok=True)
    (workdir / ".matplotlib").mkdir(exist_ok=True)
    stub = workdir / "course-root" / "course"
    stub.mkdir(parents=True, exist_ok=True)
    # mlops_course.paths finds the course root by this file; the real catalog stays hidden.
    (stub / "course.toml").write_text("# grading sandbox: the real catalog is not mounted\n")
    _copy_font_cache(workdir / ".matplotlib")
    # The kernel's MLflow store (MLFLOW_TRACKING_URI) made ready here from the migrated
    # template: a fresh store would cost every MLflow-using submission ~2.5 s of migrations.
    tracking.create_store(workdir / tracking.STORE_FILENAME)
    if uid is not None:
        for path in [workdir, *workdir.rglob("*")]:
            os.lchown(path, uid, uid)


def _copy_font_cache(target: Path) -> None:
    """Reuse the grader's matplotlib font list, so no kernel rebuilds it (about a second)."""
    source = Path(os.environ.get("MPLCONFIGDIR", Path.home() / ".cache" / "matplotlib"))
    for fontlist in source.glob("fontlist-v*.json"):
        shutil.copyfile(fontlist, target / fontlist.name)


@functools.cache
def probe_sandbox() -> SandboxSupport:
    """Run `true` in the sandbox once per process; any failure turns the sandbox off."""
    for tool in ("bwrap", "setpriv"):
        if shutil.which(tool) is None:
            return SandboxSupport(False, f"{tool} not found")
    if os.geteuid() != 0:
        return SandboxSupport(False, "the grader does not run as root, which bwrap needs here")
    with tempfile.TemporaryDirectory(prefix="mlops-probe-") as folder:
        workdir = Path(folder)
        uid = kernel_uid()
        prepare_workdir(workdir, uid)
        command = [*bwrap_command(workdir, uid, kernel_environment(workdir)), sys.executable,
                   "-c", "import mlops_course"]  # fmt: skip
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as error:
            return SandboxSupport(False, f"bwrap failed to start: {error}")
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        return SandboxSupport(False, f"bwrap probe failed: {detail}")
    return SandboxSupport(True)
