"""What a path argument must be before anything opens it, and why one cannot be read, each said as one line
with what to do: a str or `os.PathLike`, not pixels, a PIL image or None, which reached pathlib or `os.stat`,
whose TypeError ("expected str, bytes or os.PathLike object, not ndarray") named no argument; no name too long
or link loop; no web address or Windows path; a file there, not a folder or nothing, and not empty; and a
setting that names a file to read (`init`, `mask`): a file here. Writing one: files.py."""

from __future__ import annotations

import errno
import functools
import os
import re
from collections.abc import Sequence
from pathlib import Path

from jaxart.errors import BAD_PATH, InputError, given, nearest_name


def as_path(value, what: str, want: str, hint: str = "") -> str | os.PathLike:
    """`value` if it is a path, else a TypeError naming `what`, what it got, `want` and `hint` (how to do
    what the caller may have meant)."""
    if isinstance(value, (str, os.PathLike)):
        return value
    raise TypeError(f"{what} must be {want}, got {given(value)}" + f"; {hint}" * bool(hint))


def _bad_path(path: str | os.PathLike) -> OSError | None:
    """The error statting `path` gives, where the path itself is at fault (`BAD_PATH`: too long, a link loop)."""
    try:
        os.stat(path)
    except OSError as e:
        if e.errno in BAD_PATH:
            return e
    return None


def check_path(path: str | os.PathLike, what: str = "file", error: type[InputError] = InputError) -> None:
    """Refuse a path no reader can open (`BAD_PATH`: a name too long, a link loop) with the advice
    `files.writing` gives. A reader's own checks missed these: pathlib's exists() reads a loop as "does not
    exist", and its is_file() raised a bare OSError for a name too long. Other errors are the reader's."""
    if e := _bad_path(path):
        raise error(f"could not read {what} {path} ({e.strerror}); {BAD_PATH[e.errno]}")


def web_address(path: str | os.PathLike) -> str | None:
    """Why `path` cannot be read if it is a web address (that Path() made `https:/...`): jaxart reads files."""
    url = re.match(r"(https?|ftp):/+(.*)", str(path))
    return url and f"{url[1]}://{url[2]} is a web address; jaxart reads files: download it and give the file's path"


def windows_path(path: str | os.PathLike) -> str | None:
    """Why `path`, if it is a Windows one (`C:\\Users\\me\\x.jpg`, `C:/x.png`), is no path here: Linux takes it for a
    file (or, with "/", a folder "C:") in the current folder. With what to write instead (WSL's /mnt/c/...). One
    that is there, or whose first component is a folder there (`C:/x.png` beside a folder `C:`), is a real path."""
    text = os.fspath(path)
    first, below, _ = text.partition("/")
    if not re.match(r"[A-Za-z]:[\\/]", text) or os.path.lexists(text) or below and os.path.isdir(first):
        return None
    wsl = f"/mnt/{text[0].lower()}/" + text[3:].replace("\\", "/")
    return (f"{text} is a Windows path, which Linux reads as a name in the current folder; write it with / from the "
            f"root, as the file is seen here (under WSL: {wsl})")


def not_a_file(path: str | os.PathLike) -> str | None:
    """What `path`, which is no regular file, is instead: "is a folder", or "is not a regular file" (a FIFO or a
    device, which a reader would wait on or stream forever); None where nothing is there."""
    return "is a folder" if os.path.isdir(path) else "is not a regular file" if os.path.exists(path) else None


def missing(path: str | os.PathLike) -> str:
    """Why `path`, which does not exist, cannot be read. A space at either end (pasted with the name, or a quoted
    drag-and-drop) is said: printed bare it is invisible, and the path looked right. So is a symbolic link to nothing
    (`absent`), which `ls` lists. A `-` (no file of that name here) is standard input to many tools, not to jaxart,
    which reads files: "- does not exist; check the path" said nothing of that."""
    text, there = str(path), absent(path)
    if there == _NOT_STDIN:
        return f"- {there}; give a file's path ({_PIPED})"
    if text != text.strip() and os.path.exists(text.strip()):
        return f"{text!r} does not exist: it has a space at its start or end, and {text.strip()} exists; drop the space"
    if there != "does not exist":
        return f"{path} {there}; link it to the file again, or give the file's own path"
    return web_address(path) or windows_path(path) or f"{path} does not exist; check the path and the current folder"


def absent(path: str | os.PathLike) -> str:
    """How to say that nothing is at `path`: "does not exist", or for a symbolic link to nothing (its file moved or
    deleted), which `ls` still lists, "is a symbolic link to TARGET, which does not exist"; for `-`, which other tools
    read as standard input, "is not standard input here"."""
    if str(path) == "-" and not os.path.lexists(path):
        return _NOT_STDIN
    if os.path.islink(path):
        try:
            os.stat(path)
        except FileNotFoundError:  # not a loop (`check_path`'s) nor a folder it cannot enter
            return f"is a symbolic link to {os.readlink(path)}, which does not exist"
        except OSError:
            pass
    return "does not exist"


_NOT_STDIN, _PIPED = "is not standard input here", "save what you would pipe in to a file first"


def taken(path: str | os.PathLike) -> str:
    """How to say that something is at `path`, which a write would replace: "already exists", or for a symbolic
    link to nothing, which `ls -l` shows but no `cat` opens, what `absent` says of it ("already exists" read as a
    file)."""
    there = absent(path)
    return "already exists" if there == "does not exist" else there


def empty(path: str | os.PathLike) -> str | None:
    """Why the image file at `path` cannot be read if it is empty, else None: what stylize and info both say. A size
    of 0 is not enough: /proc and /sys report 0 for files that read as text (`/proc/self/status` was "empty")."""
    if os.stat(path).st_size:
        return None
    try:
        with open(path, "rb") as f:
            if f.read(1):
                return None
    except OSError:  # an empty file this user may not read is still empty
        pass
    return f"{path} is empty (0 bytes); re-export or re-download the image"


def resolved(path: str | os.PathLike) -> Path:
    """`Path(path).resolve()`, refusing a symbolic link loop on every Python as an OSError (ELOOP) naming
    `path`, which the CLI reports as bad input. Python 3.13's resolve() passes a loop silently, so the
    checks after it said "already exists" or "does not exist"; earlier ones raise a RuntimeError."""
    if (e := _bad_path(path)) and e.errno == errno.ELOOP:
        raise e
    return Path(path).resolve()


def file_setting(name: str, value, want: str, hint: str, words: Sequence[str] = ()) -> None:
    """Raise for setting `name`, one of `words` or the path of a file to read, when its `value` is neither: no
    path at all (`as_path`), a web address (which no reader fetches: it was "does not exist"), a name too long or a
    link loop (both were "does not exist", as the photo's are not: `check_path`), a folder, or nothing there;
    each naming `want`, and the word of `words` a bare name is near (`Random`: random)."""
    if isinstance(value, str) and value in words or os.path.isfile(as_path(value, name, want, hint)):
        return
    if why := web_address(value) or windows_path(value):
        raise InputError(f"{name} {why}", settings=[name])
    check_path(value, f"{name} file", functools.partial(InputError, settings=[name]))
    there = not_a_file(value) or absent(value)
    text = str(value)
    # A word as typed, in its case: `Random`, no file and no path, is told the word it is near.
    near = nearest_name(text, words) if not os.path.lexists(text) and not {".", "/", os.sep} & set(text) else ""
    look = _PIPED if there == _NOT_STDIN else "check the path and the current folder"
    raise InputError(f"{name} {text!r} {there}{near}; give {want} ({look})", settings=[name])
