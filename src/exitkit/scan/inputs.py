"""Which files a scan reads, and what each one is.

A directory is walked recursively. Inside a git work tree the files are the ones git would see —
tracked, plus untracked ones ``.gitignore`` does not ignore — listed by one ``git ls-files``,
which skips an ignored directory (a virtual environment, ``node_modules``) without walking it
(``git check-ignore`` would have to be asked about every file under it); elsewhere every file is
walked, ``.git`` directories aside. A file named on the command line is always scanned.

A file is a shell script by its ``.sh``/``.bash`` suffix or a ``#!`` naming a shell of the sh
family; a Makefile by its name (``Makefile``, ``makefile``, ``GNUmakefile``, ``*.mk``); a
workflow by its place (``.github/workflows/*.yml``) and a composite action by its name
(``action.yml``).
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable

SHELL = "shell"
MAKEFILE = "makefile"
WORKFLOW = "workflow"

#: The shells a ``#!`` may name for a file to be scanned as shell.
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox"})
MAKEFILE_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile"})
#: The bytes read to recognise a script by its ``#!`` line.
SNIFF = 256


def kind_by_name(path: str) -> str | None:
    """What *path* is by its name alone, or ``None`` when only its first line can tell."""
    base = os.path.basename(path)
    if base.endswith((".sh", ".bash")):
        return SHELL
    if base in MAKEFILE_NAMES or base.endswith(".mk"):
        return MAKEFILE
    if base in ("action.yml", "action.yaml"):
        return WORKFLOW
    if base.endswith((".yml", ".yaml")):
        parts = os.path.normpath(os.path.abspath(path)).split(os.sep)
        if len(parts) >= 3 and parts[-2] == "workflows" and parts[-3] == ".github":
            return WORKFLOW
    return None


def shebang_shell(head: bytes) -> bool:
    """Whether *head*, a file's first bytes, starts with a ``#!`` that names an sh-family shell
    (``#!/bin/sh``, ``#!/usr/bin/env bash``, ``#!/bin/busybox sh``)."""
    if not head.startswith(b"#!"):
        return False
    words = head[2:].split(b"\n", 1)[0].decode("latin-1").split()
    if not words:
        return False
    name = words[0].rsplit("/", 1)[-1]
    if name == "env":
        rest = [w for w in words[1:] if not w.startswith("-")]
        name = rest[0].rsplit("/", 1)[-1] if rest else ""
    elif name == "busybox":
        name = words[1] if len(words) > 1 else ""
    return name in SHELLS


def sniff(path: str) -> str | None:
    """The kind of an unnamed file by its ``#!``; ``None`` for anything else, including a file
    that is not a regular file or cannot be read (a walk skips those silently)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        head = os.read(fd, SNIFF)
    except OSError:
        return None
    finally:
        os.close(fd)
    return SHELL if shebang_shell(head) else None


def excluded(path: str, patterns: list[str]) -> bool:
    """Whether *path* or one of its directories matches one of the ``--exclude`` globs."""
    if not patterns:
        return False
    norm = path.replace(os.sep, "/")
    parts = [p for p in norm.split("/") if p not in ("", ".")]
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatchcase(norm, pattern) or any(
                fnmatch.fnmatchcase(part, pattern) for part in parts):
            return True
        if any(fnmatch.fnmatchcase("/".join(parts[:k]), pattern)
               for k in range(1, len(parts))):
            return True
    return False


def git_files(directory: str) -> list[str] | None:
    """The files git sees under *directory* (relative to it), or ``None`` when it is not inside
    a git work tree, or git is missing."""
    import subprocess

    try:
        result = subprocess.run(
            ["git", "-C", directory, "ls-files", "--cached", "--others", "--exclude-standard",
             "-z", "--", "."],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            check=False)
    except OSError:
        return None
    if result.returncode != 0:
        return None
    names = os.fsdecode(result.stdout).split("\0")
    return sorted({name for name in names if name})


def walk(directory: str) -> list[str]:
    """Every file under *directory* (relative to it), ``.git`` directories aside."""
    found: list[str] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        rel = os.path.relpath(root, directory)
        for name in sorted(files):
            found.append(name if rel == "." else os.path.join(rel, name))
    return found


def collect(paths: list[str], exclude: list[str],
            skip: Callable[[str], bool] | None = None) -> tuple[list[tuple[str, str]],
                                                                 list[tuple[str, str]]]:
    """The files to scan as (path as shown, kind), and the paths that cannot be scanned as
    (path, why). Files under a directory are left out when they match *exclude* or *skip* (the
    project's configuration) says so; a file named by itself is always scanned."""
    files: list[tuple[str, str]] = []
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for given in paths:
        try:
            mode = os.stat(given).st_mode
        except OSError as exc:
            problems.append((given, exc.strerror or str(exc)))
            continue
        if not stat.S_ISDIR(mode):
            real = os.path.realpath(given)  # `x.sh ./x.sh $PWD/x.sh`: one file, scanned once
            if real not in seen:
                seen.add(real)
                files.append((given, kind_by_name(given) or SHELL))
            continue
        listed = git_files(given)
        names = walk(given) if listed is None else listed
        for rel in names:
            shown = os.path.normpath(os.path.join(given, rel))
            real = os.path.realpath(shown)
            if real in seen or excluded(rel, exclude) or excluded(shown, exclude) or (
                    skip is not None and skip(shown)):
                continue
            if listed is not None and ".git" in rel.split("/"):
                continue
            kind = kind_by_name(shown) or sniff(shown)
            if kind is None:
                continue
            seen.add(real)
            files.append((shown, kind))
    return files, problems
