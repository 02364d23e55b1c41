"""The weights folder: where weight sets live, what they may be called, and which are installed.

A weight set named NAME is the file `NAME.safetensors` in `weights_dir()`; a download of it in
progress is the hidden `.NAME.partial` beside it, a write of the file the hidden `staging` temporaries.
`store` reads and writes the files themselves.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from pathlib import Path

from jaxart import cache_home, locks
from jaxart.errors import InputError, WeightsError, WeightsFileError, limit_advice
from jaxart.probe import probe_folder, why_not
from jaxart.weights import staging, validators

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# Images, told from weights where a name or a file in the folder is one (`file_kind`, `redo`, catalog.py); the
# pictures `weights normalize --images` reads.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp")


def valid_name(name: str) -> bool:
    """Whether `name` can name a weight set: a plain file name (letters, digits, ".", "_", "-") that
    does not end in ".safetensors", which `--model` and `load_weights` take for a path."""
    return bool(_NAME.fullmatch(name)) and not name.endswith(".safetensors")


def check_name(name: str) -> str:
    """`name` if it is a `valid_name`; a WeightsFileError saying how to fix it otherwise."""
    if name.endswith(".safetensors") and valid_name(name.removesuffix(".safetensors")):
        raise WeightsFileError(f"weights name {name!r} ends in .safetensors, so --model would take it for a path; "
                               f"drop the suffix: {name.removesuffix('.safetensors')!r}")
    if not valid_name(name):
        raise WeightsFileError(f"weights name {name!r} must start with a letter or digit, followed by letters, digits, "
                               "'.', '_' or '-'; choose another name")
    if len(name) > 200:  # with ".safetensors", and the hidden ".NAME.partial", within a file name's 255 bytes
        raise WeightsFileError(f"weights name {name[:20]}... has {len(name)} characters; choose one of at most 200")
    return name


def weights_dir() -> Path:
    """Where converted weights live: $JAXART_WEIGHTS_DIR; else the checkout's weights/ folder;
    else (an installed, non-editable package) ~/.cache/jaxart/weights. Absolute: a relative
    $JAXART_WEIGHTS_DIR is taken from the current folder once, so messages and `weights path` name it whole.
    A WeightsError where it is under a home folder that is not known (`cache_home.home`)."""
    env = os.environ.get("JAXART_WEIGHTS_DIR")
    checkout = Path(__file__).resolve().parents[2]
    if not env and (checkout / "pyproject.toml").is_file():
        return checkout / "weights"
    try:  # an empty or relative XDG_CACHE_HOME counts as unset (XDG base directory spec), as in compile_cache.folder
        return Path(os.path.abspath(cache_home.expand(env))) if env else cache_home.cache_home() / "jaxart" / "weights"
    except cache_home.NoHomeError as e:  # pathlib's RuntimeError was a traceback (`docker run --user 12345`)
        raise WeightsError(f"no weights folder: {e}; set JAXART_WEIGHTS_DIR to a writable folder") from None


def write_advice(e: Exception) -> str:
    """What to do when writing into the weights folder failed with `e`."""
    code = getattr(e, "errno", None)
    if code is None and (found := re.search(r"os error (\d+)", str(e))):  # safetensors' own errors
        code = int(found[1])
    if code in (errno.ENOSPC, errno.EDQUOT):
        return "free some space or set JAXART_WEIGHTS_DIR to a folder on another disk"
    if advice := limit_advice(code):
        return advice
    if code == errno.EISDIR:  # the folder is writable: a folder stands where the file goes
        return "move that folder away"
    return "set JAXART_WEIGHTS_DIR to a writable folder"


def folder_error(folder: Path, e: OSError) -> WeightsError:
    """The one-line error for a weights folder that cannot be created or written in."""
    link = getattr(e, "filename", None) or ""
    if isinstance(e, NotADirectoryError) and os.path.islink(link) and not os.path.exists(link):
        what = "it" if Path(link) == Path(folder).absolute() else link
        return WeightsError(f"cannot write to the weights folder {folder} ({what} is a broken link to "
                            f"{os.readlink(link)}); create that folder, or set JAXART_WEIGHTS_DIR to a writable folder")
    in_the_way = isinstance(e, (FileExistsError, NotADirectoryError))
    reason = "it or a folder above it is a file" if in_the_way else why_not(e) or e
    return WeightsError(f"cannot write to the weights folder {folder} ({reason}); {write_advice(e)}")


def check_writable() -> Path:
    """The weights folder, if weights can be written there (`probe_folder`: so a download or a conversion fails
    before it starts); creates nothing. A WeightsError where a file is in the way, or the folder is read-only or
    not ours to write."""
    folder = weights_dir()
    try:
        probe_folder(folder)
    except OSError as e:
        raise folder_error(folder, e) from None
    return folder


def check_target(name: str) -> Path:
    """Where weight set `name` will be written, once `check_writable` passed and no folder stands there (found
    otherwise only by the final rename, after a whole download); else a WeightsError saying which."""
    check_writable()
    path = path_for(check_name(name))
    if path.is_dir():
        raise WeightsError(f"cannot write {path}: a folder is in the way; move that folder away")
    return path


def path_for(name: str) -> Path:
    """Where weight set `name` is, or would be, stored."""
    return weights_dir() / f"{name}.safetensors"


def partial_path(name: str) -> Path:
    """Where a download of `name` is kept until verified: hidden, so never installed or loaded."""
    return weights_dir() / f".{name}.partial"


def redo(path: Path) -> str:
    """What to do about a damaged weights file. An installed one must be removed first: fetch
    returns an installed name as it is, and convert refuses it."""
    path = Path(path)
    if valid_name(path.stem) and path.suffix == ".safetensors" and path.parent.resolve() == weights_dir().resolve():
        return f"run `jaxart weights remove {path.stem}`, then fetch or convert it again"
    if path.suffix.lower() in IMAGE_SUFFIXES:  # `--model painting.jpg`: convert would refuse it too
        return "it is an image, not weights: give a weight set's name (`jaxart weights list`) or a .safetensors file"
    if path.suffix != ".safetensors":  # a source file (.h5, .pth) given where converted weights go
        return f"convert it first: jaxart weights convert {path} --name NAME"
    return "convert the weights again"


def file_kind(name: str) -> str | None:
    """What `name`, which names no weight set, is if it looks like a file's name or path instead
    (`--model painting.jpg`, `weights fetch vgg19.h5`); None if it looks like a weight set's name."""
    suffix = Path(name).suffix.lower()
    if not suffix and os.sep not in name and not os.path.isfile(name):
        return None
    if suffix in (".h5", ".pth"):
        return "not converted weights"
    if suffix == ".safetensors":
        return "a weights file, not a weight set's name"
    return "an image, not weights" if suffix in IMAGE_SUFFIXES else "not a weights file"


def not_a_name(name: str, command: str, takes: str, known: list[str]) -> str | None:
    """Why `jaxart weights COMMAND` cannot take `name`, which is none of the `known` names it takes
    (`takes` says which) and looks like a file (see `file_kind`), and what to do; None otherwise."""
    what = None if name in known else file_kind(name)
    if what is None:
        return None
    path = Path(name)
    if path.suffix.lower() in (".h5", ".pth"):
        then = f"convert it first: jaxart weights convert {name} --name NAME"
    elif path.suffix == ".safetensors" and path.stem in known and os.sep not in name:
        then = f"give the name alone: jaxart weights {command} {path.stem}"
    elif path.suffix.lower() == ".safetensors":
        then = f"`jaxart stylize --model {name}` uses the file as it is"
    else:
        then = ("a .safetensors file goes to `stylize --model` as it is, a .h5 or .pth file through "
                "`jaxart weights convert` first")
    return f"{name} is {what}: `jaxart weights {command}` takes {takes} ({', '.join(known) or 'none'}); {then}"


def _files() -> list[Path]:
    """The visible `.safetensors` files in the weights dir (not partial downloads, nor macOS `._` files)."""
    d = weights_dir()
    if not d.is_dir():
        return []
    return sorted(p for p in d.glob("*.safetensors") if p.is_file() and not p.name.startswith("."))


def installed() -> list[str]:
    """Names of the converted weight sets in the weights dir; a file named no `valid_name` is not one."""
    return [p.stem for p in _files() if valid_name(p.stem)]


def misnamed() -> list[Path]:
    """Files in the weights dir that no name can load (say, a browser's `vgg16-hed (1).safetensors`)."""
    return [p for p in _files() if not valid_name(p.stem)]


@contextlib.contextmanager
def lock(name: str, *, wait: bool = True):
    """Hold the exclusive per-name lock (`locks.hold` of the hidden `.NAME.lock`) that fetch and remove
    take, so a second fetch waits for the first and `remove` never deletes a download in progress. The folders it
    makes for the lock are removed again as it lets go, where nothing was left in them (a fetch that failed).
    A WeightsError where the weights folder cannot be written (`check_writable`); an InputError where `wait` is
    False and another process holds the lock."""
    d = check_writable()
    with contextlib.ExitStack() as held:
        try:  # a fetch that failed may remove the folder it made as this waits: locks.in_folder tries again
            locks.in_folder(held, d, lambda: locks.take(held, d / f".{name}.lock", wait=wait))  # see locks.take
        except BlockingIOError:
            raise InputError(f"{name} is being fetched by another jaxart process; wait for it to finish, "
                             "or stop it, then run this again") from None
        except OSError as e:
            raise folder_error(d, e) from None
        yield


def busy(name: str) -> bool:
    """Whether another process holds `lock(name)` now (a fetch in progress); creates nothing."""
    return locks.busy(weights_dir() / f".{name}.lock")


def remove(name: str) -> list[Path]:
    """Delete installed weight set `name`, any partial download of it and the temporaries that killed
    writes of it left (there may be only those); the paths removed. A fetch of `name` in progress is left
    alone, with an InputError, and so is a temporary a live conversion writes."""
    def absent() -> InputError:
        known = installed()
        return InputError(not_a_name(name, "remove", "an installed weight set's name", known) or
                          f"{name!r} is not installed and has no partial download (installed: "
                          f"{', '.join(known) or 'none'}); nothing was removed")

    if not valid_name(name) and file_kind(name):  # a path: nothing of it can be in the weights folder
        raise absent()
    path = path_for(check_name(name))

    def present() -> list[Path]:
        return [p for p in (path, partial_path(name)) if p.is_file()]

    if not present() and not staging.temporaries(path.parent, path.name) and not busy(name):
        raise absent()  # (a fetch that has not written its first byte yet is still one)
    with lock(name, wait=False):
        left = [tmp for tmp, _ in staging.sweep(path.parent, path.name)]
        paths = present()  # what a fetch that just ended left
        if not paths and not left:
            raise absent()
        for p in paths:
            try:
                p.unlink()
            except OSError as e:
                raise WeightsError(f"could not remove {p} ({e.strerror or e}); make {p.parent} writable, or "
                                   "remove the file as its owner") from None
        validators.forget(partial_path(name))  # what its resume would have sent as If-Range
    return paths + left
