"""A sandbox for untrusted code on Linux: bubblewrap namespaces plus resource limits.

Grading runs learners' notebooks, which is running code from strangers on the instructor's
machine. :func:`sandboxed_command` wraps a command so that it runs under
`bubblewrap <https://github.com/containers/bubblewrap>`_ (``bwrap``, packaged by every major
distribution; ``scripts/install_sandbox.sh`` installs it) with:

* **no network**: a new network namespace holding only loopback (``--unshare-net``), so
  code that removes the course's offline guard still reaches nothing;
* **a new filesystem view**: only the system folders, the Python installation, the virtual
  environment and ``course_lib`` are visible, all **read-only**; the instructor's home, the
  repository's ``notebooks/`` and ``dist/`` (solutions, hidden tests), other submissions and
  ``/tmp`` are not there at all;
* **a throw-away working folder and home**: ``/submission`` and ``/tmp`` are size-capped
  in-memory file systems that vanish with the sandbox;
* **new user, PID, IPC, UTS and cgroup namespaces**, no capabilities, a new session (no
  terminal injection), killed when the grader dies;
* **limits** (:class:`Limits`): address space, file size, open files, CPU seconds and the
  number of processes (``RLIMIT_NPROC`` for an ordinary user; as root, where the kernel does
  not apply ``RLIMIT_NPROC``, a ``pids`` cgroup when one can be made).

Not defended: kernel bugs (there is no seccomp filter, and user namespaces widen the kernel
surface), reading world-readable files under the bound folders, CPU use up to the time
limit, and attacks on the grading process that runs inside the same sandbox (see
``book/instructors.md``).

Example:
    >>> limits = Limits(memory_mb=2048)
    >>> limits.memory_mb, limits.max_processes
    (2048, 64)
    >>> cmd = sandboxed_command(["python", "-c", "print(1)"], Limits())  # doctest: +SKIP
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Limits", "SandboxUnavailable", "bwrap_path", "sandbox_problem", "sandboxed_command",
           "sandbox_env", "limited_command", "PidsCgroup", "WORKDIR"]

#: The learner's working folder (and home) inside the sandbox.
WORKDIR = "/submission"
_SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/sbin", "/etc")


class SandboxUnavailable(RuntimeError):
    """Raised when bubblewrap is missing or cannot create namespaces on this machine."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed run (sizes in MiB, time in seconds)."""

    memory_mb: int = 4096       # address space (RLIMIT_AS): a memory bomb gets MemoryError
    file_mb: int = 64           # largest file it may write (RLIMIT_FSIZE), log included
    tmp_mb: int = 256           # size of each in-memory folder (/submission, /tmp)
    max_processes: int = 64     # processes and threads it may add
    open_files: int = 512       # RLIMIT_NOFILE
    cpu_seconds: int = 1800     # RLIMIT_CPU, a backstop behind the wall-clock time limits

    def __post_init__(self) -> None:
        for name in ("memory_mb", "file_mb", "tmp_mb", "max_processes", "open_files", "cpu_seconds"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"Limits.{name} must be a positive int, got {value!r}")


def bwrap_path() -> str | None:
    """The ``bwrap`` executable on PATH, or None."""
    return shutil.which("bwrap")


def sandbox_problem() -> str | None:
    """Why no sandbox can be made here (None: bubblewrap works).

    Example:
        >>> sandbox_problem() in (None,) or isinstance(sandbox_problem(), str)
        True
    """
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux (bubblewrap); this is {sys.platform}"
    bwrap = bwrap_path()
    if bwrap is None:
        return "bubblewrap is not installed: run `bash scripts/install_sandbox.sh` (apt-get install bubblewrap)"
    probe = subprocess.run([bwrap, "--unshare-all", "--ro-bind", "/", "/", "--", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        why = probe.stderr.strip() or f"exit {probe.returncode}"
        return (f"bubblewrap cannot create namespaces here ({why}"
                "): enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)")
    return None


def _bind_roots() -> list[Path]:
    """Folders the grading Python needs, read-only: the installation, the venv, course_lib."""
    course_lib = Path(__file__).resolve().parent
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), course_lib}
    return sorted(r for r in roots if not any(str(r).startswith(s + "/") for s in _SYSTEM_DIRS))


def sandboxed_command(command: list[str], limits: Limits,
                      ro_binds: dict[str, str] | None = None) -> list[str]:
    """``command`` wrapped in bwrap: no network, read-only system, throw-away /submission and /tmp.

    ``ro_binds`` maps host paths to sandbox paths (read-only), e.g. the autograder's tests and
    the submission; they may point inside ``/submission``. Resource limits are set by
    :func:`limited_command`.
    """
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable(sandbox_problem() or "bubblewrap is not installed")
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--uid", "1000", "--gid", "1000", "--hostname", "sandbox"]
    for folder in _SYSTEM_DIRS:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    size = str(limits.tmp_mb * 1024 * 1024)
    args += ["--proc", "/proc", "--dev", "/dev", "--size", size, "--tmpfs", "/tmp",
             "--size", size, "--tmpfs", WORKDIR, "--dir", f"{WORKDIR}/home"]
    # After the in-memory /tmp, so that a course checkout or venv that lives under /tmp stays visible.
    for root in _bind_roots():
        args += ["--ro-bind", str(root), str(root)]
    for host, inside in (ro_binds or {}).items():
        args += ["--ro-bind", str(host), str(inside)]
    args += ["--chdir", WORKDIR, "--"]
    return args + list(command)


def sandbox_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A small, clean environment for the sandbox: nothing of the instructor's leaks in."""
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": f"{WORKDIR}/home",
           "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/matplotlib", "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "COURSE_OFFLINE": "1",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1", "TMPDIR": "/tmp"}
    env.update(extra or {})
    return env


def _user_tasks() -> int:
    """Processes and threads that belong to this real uid now (what RLIMIT_NPROC counts)."""
    uid, count = os.getuid(), 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if os.stat(entry.path).st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return count


class PidsCgroup:
    """A ``pids`` cgroup (v1 or v2) capping the number of processes, for runs as root.

    ``RLIMIT_NPROC`` does not bind root, so as root the sandbox joins a fresh cgroup with
    ``pids.max``. :attr:`path` is None when no cgroup could be made (then say so in the log).
    """

    def __init__(self, max_processes: int) -> None:
        self.path: Path | None = None
        for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup")):
            try:
                if not (base / "cgroup.procs").exists():
                    continue
                path = base / f"course_grading_{uuid.uuid4().hex[:12]}"
                path.mkdir()
                try:
                    (path / "pids.max").write_text(str(max_processes))
                except OSError:
                    path.rmdir()
                    continue
                self.path = path
                return
            except OSError:
                continue

    def close(self) -> None:
        """Remove the cgroup, killing what is left in it (processes of a dead sandbox take a moment to go)."""
        if self.path is None:
            return
        for _ in range(100):
            try:
                self.path.rmdir()
                return
            except OSError:
                try:
                    for pid in (self.path / "cgroup.procs").read_text().split():
                        os.kill(int(pid), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
                time.sleep(0.05)


def limited_command(command: list[str], limits: Limits, cgroup: PidsCgroup | None = None) -> list[str]:
    """``command`` under ``prlimit`` (util-linux) with ``limits``, first joining ``cgroup`` if given.

    A wrapper command rather than a ``preexec_fn``, which is unsafe when the grader runs jobs in threads.

    Example:
        >>> limited_command(["true"], Limits(max_processes=10))[:2]  # doctest: +ELLIPSIS
        ['prlimit', '--as=4294967296']
    """
    mib = 1024 * 1024
    nproc = _user_tasks() + limits.max_processes + 8  # + bwrap's own processes
    wrapped = ["prlimit", f"--as={limits.memory_mb * mib}", f"--fsize={limits.file_mb * mib}",
               f"--nofile={limits.open_files}", f"--cpu={limits.cpu_seconds}", "--core=0", f"--nproc={nproc}",
               "--", *command]
    if cgroup is not None and cgroup.path is not None:
        join = 'echo $$ > "$0" && exec "$@"'
        wrapped = ["/bin/sh", "-c", join, str(cgroup.path / "cgroup.procs"), *wrapped]
    return wrapped
