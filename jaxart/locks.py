"""Locks between jaxart processes: a hidden file held with `fcntl.flock`, removed by its holder as it lets go.

The kernel releases a flock when its holder exits, even by SIGKILL, so a lock file a killed process left
blocks nothing; and a holder removes the file before it lets go, so a finished run leaves none. A process
that opened the file just before that removal would lock a file no name leads to any more: having locked,
it checks that the name still leads to the file it holds, and else opens the name again.

A holder makes its lock file and registers its removal with the signals that stop a run deferred
(`deferral.signals_deferred`): a Ctrl-C between the two left the file behind. It waits for another holder with
them answered at once, so a Ctrl-C stops the wait.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path

from jaxart.deferral import signals_deferred
from jaxart.errors import InputError
from jaxart.paths import windows_path


def _acquire(path: Path, create: bool = True) -> int:
    """A descriptor of the file `path` names, locked by this process; it does not wait.

    Raises:
      BlockingIOError: another process holds it.
      FileNotFoundError: not `create`, and no file is there (any more).
      OSError: the file cannot be created.
    """
    while True:
        fd = os.open(path, os.O_RDWR | (os.O_CREAT if create else 0) | os.O_CLOEXEC, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = os.fstat(fd)
            with contextlib.suppress(FileNotFoundError):
                now = os.stat(path)
                if (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                    return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # its holder removed it as it let go: lock the file the name leads to now


def _wait_for(path: Path) -> None:
    """Until the process that holds the lock file `path` lets go of it; creates nothing, holds nothing. A file
    object, not a bare descriptor: a signal as it is opened drops it, which closes it."""
    with contextlib.suppress(FileNotFoundError), open(path, "rb", buffering=0) as f:  # none: let go of already
        fcntl.flock(f, fcntl.LOCK_SH)


def _release(fd: int, path: Path) -> None:
    with contextlib.suppress(OSError):  # removed under the lock: see the module's docstring
        path.unlink()
    os.close(fd)  # which lets go of the lock


@contextlib.contextmanager
def hold(path: Path, *, wait: bool = True, create: bool = True):
    """Hold the exclusive lock that the file `path` stands for; the file is gone again on exit. Without
    `create`, only a file that is there is locked: one whose holder removed it is not made again.

    A signal as `with hold(...)` is entered, once the lock is taken and before the `with` has registered its exit,
    leaves the file (held) until the KeyboardInterrupt is dropped (a notebook keeps the last one): where that
    matters, `take` it into an ExitStack. (`staging.sweep` holds with `create=False` an orphan it then removes.)

    Raises:
      BlockingIOError: `wait` is False and another process holds it.
      FileNotFoundError: not `create`, and no file is there (any more).
      OSError: the lock file cannot be created.
    """
    with contextlib.ExitStack() as held:
        take(held, path, wait=wait, create=create)
        yield


def take(held: contextlib.ExitStack, path: Path, *, wait: bool = True, create: bool = True) -> None:
    """`hold(path)` entered into `held`, to let go as it exits; raises as `hold` does. Unlike `enter_context(hold())`,
    a signal as the lock is taken is answered once its release is registered there (one while it waits, at once)."""
    path = Path(path)
    while True:
        try:
            with signals_deferred():  # the file made and its removal registered, or neither
                held.callback(_release, _acquire(path, create), path)
            return
        except BlockingIOError:
            if not wait:
                raise
        _wait_for(path)  # outside: a Ctrl-C stops the wait


def busy(path: Path) -> bool:
    """Whether another process holds `hold(path)` now; creates nothing. False where no file is there (nobody
    holds it) or it cannot be locked. A file object, as in `_wait_for`: a signal as it is opened closes it."""
    try:
        with open(path, "rb", buffering=0) as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


@contextlib.contextmanager
def on_folder(folder: Path, *, shared: bool):
    """Hold a flock on `folder` itself, shared or exclusive; creates nothing. Where the folder cannot be
    opened or locked (none yet, a file system without flock), the block runs unlocked."""
    with contextlib.ExitStack() as held:
        with signals_deferred():  # a directory, which no file object opens: its closing registered as it is opened
            try:
                fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError:
                fd = None
            else:
                held.callback(os.close, fd)
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield


def output_lock(output: Path) -> Path:
    """The lock file of the run (stylize or sweep) that writes `output`: one per folder and stem, as
    OUT.png and OUT.tif share OUT.ckpt.npz. Its name is no longer than the checkpoint's, which
    `destinations.check_beside` keeps within the folder's limit."""
    return output.parent / f".{output.stem}.lock"


# The output locks held here: (device, inode) of each lock file -> (process, thread) holding it. A forked child
# inherits this and the descriptor, but not the lock's ownership: it is another process, so it locks anew.
_HELD: dict[tuple[int, int], tuple[int, int]] = {}


def _held_here(lock: Path) -> bool:
    """Whether this thread of this process holds `writing`'s lock file `lock` now."""
    try:
        now = os.stat(lock)
    except OSError:
        return False
    return _HELD.get((now.st_dev, now.st_ino)) == (os.getpid(), threading.get_ident())


@contextlib.contextmanager
def writing(output: Path, flag: str | None = "--output"):
    """Hold `output_lock(output)` while the run checks, writes and removes the files named after `output`,
    so a second run to it is refused at once, before it touches any of them. A missing output
    folder is created for the lock, and removed again if nothing else was put in it. Re-entrant: in
    the thread that holds it, `writing(output)` again (as `job.stylize_files` under the CLI's) does nothing;
    another thread or process, a forked child too, is refused.

    Where no lock file can be made or locked (a read-only folder, a file in the way, a file system
    without flock), the run goes on unlocked: its checks say why it cannot write there, if it cannot.

    Raises:
      InputError: another jaxart run writes `output` now.
    """
    lock = output_lock(Path(output))
    # A folder `C:` made for the lock of `C:/x.png` would pass it for a real path: unlocked, the checks refuse it.
    if _held_here(lock) or windows_path(output):
        yield
        return
    with contextlib.ExitStack() as held:
        try:
            in_folder(held, lock.parent, lambda: _take_output_lock(held, lock))
        except BlockingIOError:
            raise busy_error(output, flag) from None
        except OSError:  # unlocked: the run's checks say why it cannot write there, if it cannot
            pass
        yield


def busy_error(output: Path, flag: str | None = "--output") -> InputError:
    """The refusal of a run to `output` that another jaxart run writes now (`writing`'s); `flag` None where the
    command fixes the output (`sweep --resume`)."""
    other = f" or choose another {flag}" if flag else ""
    return InputError(f"{output} is being written by another jaxart run; wait for it to finish{other}")


def _take_output_lock(held: contextlib.ExitStack, lock: Path) -> None:
    """`writing`'s lock file `lock` made, locked and recorded as held here, its release registered in `held`."""
    with signals_deferred():  # the file made and its release registered, or neither
        fd = _acquire(lock)
        key = (os.fstat(fd).st_dev, os.fstat(fd).st_ino)
        _HELD[key] = (os.getpid(), threading.get_ident())
        held.callback(_let_go, key, fd, lock)


def _let_go(key: tuple[int, int], fd: int, lock: Path) -> None:
    del _HELD[key]
    _release(fd, lock)


def in_folder(held: contextlib.ExitStack, folder: Path, take) -> None:
    """`take()`, which makes a file in `folder`, once the folders missing for it are made (`_make_folders`), which
    are removed again as `held` exits while empty (`_remove_empty`). Tried 3 times where a run that made the folder
    and failed at once removes it before `take` makes its file (FileNotFoundError); raises what `take` raises."""
    made: list[Path] = []
    held.callback(_remove_empty, made)  # run after the lock's release: registered before it
    for tries_left in reversed(range(3)):
        with signals_deferred():  # the folders made and registered for removal, or none
            made += _make_folders(folder)
        try:
            return take()
        except FileNotFoundError:
            if not tries_left:
                raise


def _remove_empty(made: list[Path]) -> None:
    """Remove the folders `made` (`_make_folders`'), innermost first, while they are empty: a file written there
    since (a download kept to resume, a weight set, a waiting process's lock) keeps one."""
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            break


def _make_folders(folder: Path) -> list[Path]:
    """The folders created, outermost first, so that `folder` exists; none where one cannot be."""
    missing = []
    here = folder.absolute()
    while not os.path.lexists(here) and here != here.parent:
        missing.append(here)
        here = here.parent
    made = []
    for f in reversed(missing):
        try:
            f.mkdir()
        except FileExistsError:  # another run made it meanwhile: its, not ours to remove
            continue
        except OSError:
            break
        made.append(f)
    return made
