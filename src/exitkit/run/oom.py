"""Did the kernel's out-of-memory killer act? Its kill counter in exitkit's cgroup says.

Exit 137 — killed by SIGKILL — is the most common unexplained CI failure, and usually the OOM
killer's doing. The kernel counts its kills per cgroup: cgroup v2 ``memory.events`` has
``oom_kill N`` (for the cgroup and its descendants), cgroup v1 ``memory.oom_control`` has
``oom_kill N`` on recent kernels. exitkit reads the counter of its own cgroup before and after the
command runs; a SIGKILL that exitkit did not send, with the counter gone up, is named as the OOM
killer's. Linux only; elsewhere, and where the files cannot be read, nothing is claimed.

``EXITKIT_CGROUP_DIR`` points at another cgroup directory (the tests use a fake one).
"""

from __future__ import annotations

import os

_V2_ROOT = "/sys/fs/cgroup"
_V1_MEMORY = "/sys/fs/cgroup/memory"


def cgroup_files() -> list[str]:
    """The files holding exitkit's cgroup's OOM-kill counter, most precise first."""
    override = os.environ.get("EXITKIT_CGROUP_DIR")
    if override:
        return [os.path.join(override, "memory.events"),
                os.path.join(override, "memory.oom_control")]
    try:
        lines = _read("/proc/self/cgroup").splitlines()
    except OSError:
        return []
    files = []
    for line in lines:
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        path = path.lstrip("/")
        if hierarchy == "0" and controllers == "":  # cgroup v2: 0::/PATH
            files.append(os.path.join(_V2_ROOT, path, "memory.events"))
        elif "memory" in controllers.split(","):  # cgroup v1: N:memory:/PATH
            files.append(os.path.join(_V1_MEMORY, path, "memory.oom_control"))
    return files


def kills(files: list[str]) -> int | None:
    """The first ``oom_kill`` counter found in *files*, or None."""
    for path in files:
        try:
            text = _read(path, 65536)
        except OSError:
            continue
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit():
                return int(value)
    return None


def _read(path: str, limit: int = -1) -> str:
    """The text of *path* (its first *limit* bytes), read without a file object: this runs
    before every command (see :class:`OomWatch`), where ``open()``'s layers cost more than the
    read."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        data = b""
        while limit < 0 or len(data) < limit:
            chunk = os.read(fd, 65536 if limit < 0 else limit - len(data))
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    return data.decode("utf-8", "replace")


class OomWatch:
    """The counter before a run; :meth:`acted` says whether it went up since."""

    __slots__ = ("before", "files")

    def __init__(self) -> None:
        self.files = cgroup_files()
        self.before = kills(self.files)

    def acted(self) -> bool:
        if self.before is None:
            return False
        after = kills(self.files)
        return after is not None and after > self.before
