"""Writing a file whole or not at all, and why an existing one cannot be replaced: file-system steps whose
failures become one line of jaxart.errors, saying what to do (refusing a path no reader can open: paths.py;
probing a folder before any work: probe.py)."""

import contextlib
import errno
import fcntl
import os
import secrets
import stat
import sys
from pathlib import Path

from jaxart.errors import BAD_PATH, OutputError, OutputTakenError, describe, limit_advice

# lsattr's flags, as the FS_IOC_GETFLAGS ioctl reads them (linux/fs.h); root cannot replace such a file either.
_GETFLAGS, _IMMUTABLE, _APPEND_ONLY = 0x80086601, 0x10, 0x20
_ADVICE = {errno.ENOSPC: "free some space", errno.EDQUOT: "free some space", errno.EISDIR: "move that folder away",
           errno.EACCES: "check its permissions", errno.EPERM: "check its permissions"}


@contextlib.contextmanager
def writing(path, what: str = "file"):
    """Turn an OSError while writing `path` into one OutputError line naming it and what to do."""
    try:
        yield
    except OutputError:
        raise
    except OSError as e:
        advice = (BAD_PATH.get(e.errno) or limit_advice(e.errno)
                  or _ADVICE.get(e.errno, "check the disk") + " or choose another output")
        raise OutputError(f"could not write {what} {path} ({e.strerror or describe(e)}); {advice}") from None


def unreplaceable(path: Path) -> str | None:
    """Why renaming a file onto the existing `path` would fail, as far as stat and lsattr's flags tell."""
    folder, st = Path(path).parent.absolute().stat(), Path(path).stat()
    if folder.st_mode & stat.S_ISVTX and os.geteuid() not in (0, st.st_uid, folder.st_uid):
        return "it belongs to another user, in a folder (sticky, as /tmp) where only its owner may replace it"
    try:
        with open(path, "rb") as f:
            flags = int.from_bytes(fcntl.ioctl(f, _GETFLAGS, bytes(8))[:4], sys.byteorder)  # the kernel writes an int
    except OSError:  # unreadable, or a file system without the flags (not Linux): the write will tell
        return None
    return ("it is immutable (chattr +i)" if flags & _IMMUTABLE else
            "it is append-only (chattr +a)" if flags & _APPEND_ONLY else None)


@contextlib.contextmanager
def replacing(path, what: str = "file", *, overwrite: bool = True):
    """Write `path` whole or not at all: yields a temporary path beside it for the caller to write, which becomes
    `path` when the block ends and is removed if anything failed. Creates a missing folder; an OSError becomes one
    OutputError line (`writing`). The temporary name is short, so any name the folder allows for `path` works.
    Without `overwrite`, a file that appeared at `path` after the caller checked (another run writing the same
    output) is kept: the new file is then kept under another name, which the error gives."""
    path = Path(path)
    tmp = path.with_name(f".jaxart-{secrets.token_hex(6)}.tmp")
    with writing(path, what):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            yield tmp
            if overwrite:
                os.replace(tmp, path)
            else:
                _place_new(tmp, path, what)
        finally:
            tmp.unlink(missing_ok=True)


def place_if_free(tmp: str | os.PathLike, path: str | os.PathLike) -> bool:
    """Give `tmp`'s file the name `path` unless a file is there (then False). A hard link fails if one
    is; where the file system has none, the check and the rename are two steps. The caller removes `tmp`."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    except OSError:  # no hard links here (FAT, some network file systems)
        if os.path.lexists(path):
            return False
        os.replace(tmp, path)
    return True


def _place_new(tmp: Path, path: Path, what: str) -> None:
    """`place_if_free`; if a file is there, `tmp` is kept beside it, and an OutputTakenError says so."""
    if place_if_free(tmp, path):
        return
    kept = path.with_name(f"{path.stem}-{secrets.token_hex(3)}{path.suffix}")
    if len(os.fsencode(kept.name)) > 255:  # the name was near the limit: any name will do
        kept = path.with_name(f"jaxart-{secrets.token_hex(3)}{path.suffix}")
    os.replace(tmp, kept)
    raise OutputTakenError(f"{path} was created by something else (another run?) while this one worked, and was left "
                      f"as it is; this {what} is in {kept}")


@contextlib.contextmanager
def all_or_nothing(*, overwrite: bool = True):
    """Write several files as one: yields `stage(path, what)`, which returns a temporary path beside `path` for the
    caller to write. When the block ends, each becomes its `path`; if anything fails first or while they are placed (a
    full disk, Ctrl-C), none does, and the files already there are as they were (those an overwrite replaces are moved
    aside until all are placed). A Ctrl-C while files are put back or cleaned up is answered once that is done.
    Without `overwrite`, a file that appeared at one of the paths since the caller checked (another run) is left as
    it is, and none of these files is placed: an OutputError says so. An error writing a temporary names its path."""
    staged: list[list] = []  # [temporary, path, what, where its old file goes, the temporary's identity]
    done = False

    def stage(path, what: str = "file") -> Path:
        path = Path(path)
        with writing(path, what):
            path.parent.mkdir(parents=True, exist_ok=True)
        tmp, aside = (path.with_name(f".jaxart-{secrets.token_hex(6)}{end}") for end in (".tmp", ".old"))
        staged.append([tmp, path, what, aside, None])
        return tmp

    try:
        with _named_as_placed(staged):
            yield stage
        for entry in staged:  # what a path holds after _place, if it is this call's file
            with contextlib.suppress(OSError):
                entry[4] = _identity(entry[0])
        try:
            for tmp, path, what, aside, _ in staged:
                with writing(path, what):
                    _place(tmp, path, aside if overwrite else None)
        except BaseException:
            _to_the_end(lambda: _put_back(staged))
            raise
        done = True
    finally:
        _to_the_end(lambda: _clean(staged, done))


@contextlib.contextmanager
def _named_as_placed(staged):
    """An OutputError while the caller writes the temporaries (`writing`, in save_image's own `replacing`) names the
    file each becomes, not the hidden `.jaxart-*.tmp` it is written as: the random name is replaced in its line."""
    try:
        yield
    except OutputError as e:
        text = str(e)
        for tmp, path, *_ in staged:
            text = text.replace(str(tmp), str(path))
        raise type(e)(text) from None


def _place(tmp: Path, path: Path, aside: Path | None) -> None:
    """Rename `tmp` to `path`, moving a file there to `aside` first (a folder stays, and the rename
    fails); without `aside`, only if no file is there (`place_if_free`)."""
    if aside is not None:
        if os.path.lexists(path) and (os.path.islink(path) or not os.path.isdir(path)):
            os.replace(path, aside)
        os.replace(tmp, path)
    elif not place_if_free(tmp, path):
        raise OutputError(f"{path} was created by something else (another run?) while this one worked, and was "
                          "left as it is; nothing else was written")


def _put_back(staged) -> None:
    """Undo `_place` for every staged file, whichever step it had reached (and again, if called
    again): a path holding this call's file is removed, and a file moved aside returns unless
    another run has written the path since (then it stays aside, hidden, not lost)."""
    for _, path, _, aside, identity in staged:
        with contextlib.suppress(OSError):
            if identity is not None and _identity(path) == identity:
                path.unlink()
        with contextlib.suppress(OSError):
            if os.path.lexists(aside) and not os.path.lexists(path):
                os.replace(aside, path)


def _identity(path: Path) -> tuple[int, ...]:
    """Which file `path` is: its inode, and its size and time, as a freed inode's number is reused."""
    st = os.lstat(path)
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _clean(staged, placed: bool) -> None:
    """Remove the temporaries left, and once all are placed, the old files moved aside."""
    for tmp, *_, aside, _ in staged:
        for p in (tmp, aside) if placed else (tmp,):
            with contextlib.suppress(OSError):
                p.unlink(missing_ok=True)


def _to_the_end(step) -> None:
    """Run `step`, which may be repeated, to its end even through Ctrl-C; then raise that Ctrl-C."""
    interrupted = False
    while True:
        try:
            step()
            break
        except KeyboardInterrupt:
            interrupted = True
    if interrupted:
        raise KeyboardInterrupt


def unread(stream) -> None:
    """Send the rest of `stream`, whose reader is gone (`| head -1`), to /dev/null."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, stream.fileno())  # the unwritten bytes too: the flush at exit raised again
    os.close(devnull)
