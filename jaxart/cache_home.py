"""The user's cache folder, where compiled programs, timings and (installed non-editable) weights are kept.

`$XDG_CACHE_HOME`, else `~/.cache`. A container started as `docker run --user 12345`, or a batch node, runs as
a user id with no /etc/passwd entry, often with no HOME either: there Python's `os.path.expanduser("~")` gives
"~" back (a folder named "~" in the current one) and pathlib's raises RuntimeError("Could not determine home
directory."), which said neither why nor what to set. `NoHomeError` says both; its callers add their variable.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from pathlib import Path

# jaxart's own cache folder, over the user's (compile_cache.py's programs, timings.py's file); one of OFF keeps none.
ENV = "JAXART_CACHE_DIR"
OFF = ("off", "0", "no", "none", "")


class NoHomeError(RuntimeError):
    """No home folder is known to expand `~` in: HOME is unset (or empty) and the user id has no passwd entry."""


def home(environ: Mapping[str, str] = os.environ, user: str | None = None) -> Path:
    """The home folder of the current user (`user`: of that user), as `~` or `~user` expands.

    Raises:
        NoHomeError: HOME is unset or empty and the user id (or `user`) has no passwd entry.
    """
    if user:
        try:
            return Path(pwd.getpwnam(user).pw_dir)
        except KeyError:
            raise NoHomeError(f"no home folder is known for ~{user}: there is no user {user!r}") from None
    if environ.get("HOME"):
        return Path(environ["HOME"])
    uid = os.getuid()
    try:
        found = pwd.getpwuid(uid).pw_dir
    except KeyError:
        found = ""
    if not found:
        raise NoHomeError(f"no home folder is known: HOME is not set and user id {uid} has no entry in /etc/passwd, "
                          "as in a container run with --user")
    return Path(found)


def expand(path: str | os.PathLike, environ: Mapping[str, str] = os.environ) -> Path:
    """`path` with a leading `~` or `~user` expanded, as `Path.expanduser` does, but saying why it cannot be.

    Raises:
        NoHomeError: see `home`.
    """
    text = os.fspath(path)
    if not text.startswith("~"):
        return Path(text)
    first, _, rest = text.partition(os.sep)
    return home(environ, first[1:] or None) / rest if rest else home(environ, first[1:] or None)


def cache_home(environ: Mapping[str, str] = os.environ) -> Path:
    """`$XDG_CACHE_HOME` where it is an absolute path, else `~/.cache`.

    An empty or relative XDG_CACHE_HOME is ignored, as the XDG base directory spec says: a relative one made the
    cache a folder of whatever folder a command ran in.

    Raises:
        NoHomeError: XDG_CACHE_HOME is not usable and no home folder is known (see `home`).
    """
    chosen = environ.get("XDG_CACHE_HOME") or ""
    if os.path.isabs(chosen):
        return Path(chosen)
    return home(environ) / ".cache"


def off(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether `$JAXART_CACHE_DIR` says to keep nothing (one of OFF)."""
    chosen = environ.get(ENV)
    return chosen is not None and chosen.strip().lower() in OFF


def jaxart_folder(environ: Mapping[str, str] = os.environ) -> Path:
    """jaxart's own cache folder (where `off` is not true): `$JAXART_CACHE_DIR`, `~` expanded, else
    `cache_home()/jaxart`.

    Raises:
        NoHomeError: a home folder is needed (see `home`) and none is known.
    """
    chosen = environ.get(ENV)
    return expand(chosen, environ) if chosen else cache_home(environ) / "jaxart"
