"""Converted weights on disk: safetensors files whose header carries arch and preprocessing."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

import jax.numpy as jnp
import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import load_file, save_file

from jaxart import vgg
from jaxart.errors import InputError, WeightsError, WeightsFileError, probe_folder

FORMAT_VERSION = "1"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


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
        raise WeightsFileError(f"weights name {name!r} must be letters, digits, '.', '_' or '-'; choose another name")
    return name


def weights_dir() -> Path:
    """Where converted weights live: $JAXART_WEIGHTS_DIR; else the checkout's weights/ folder;
    else (an installed, non-editable package) ~/.cache/jaxart/weights."""
    env = os.environ.get("JAXART_WEIGHTS_DIR")
    if env:
        return Path(env).expanduser()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file():
        return checkout / "weights"
    return Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")).expanduser() / "jaxart" / "weights"


def _advice(e: Exception) -> str:
    """What to do when writing into the weights folder failed with `e`."""
    code = getattr(e, "errno", None)
    if code is None and (found := re.search(r"os error (\d+)", str(e))):  # safetensors' own errors
        code = int(found[1])
    if code in (errno.ENOSPC, errno.EDQUOT):
        return "free some space or set JAXART_WEIGHTS_DIR to a folder on another disk"
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
    reason = "it or a folder above it is a file" if in_the_way else e.strerror or e
    return WeightsError(f"cannot write to the weights folder {folder} ({reason}); {_advice(e)}")


def check_writable() -> Path:
    """The weights folder, if weights can be written there; creates nothing.

    It creates and at once removes a nameless file in the folder or, while the folder does not exist
    yet, in its nearest existing parent; so a download or a conversion fails before it starts.

    Raises:
      WeightsError: a file is in the way, or the folder is read-only or not ours to write.
    """
    folder = weights_dir()
    try:
        probe_folder(folder)
    except OSError as e:
        raise folder_error(folder, e) from None
    return folder


def check_target(name: str) -> Path:
    """Where weight set `name` will be written, once `check_writable` passed and no folder stands there.

    A folder at that path would otherwise be found only by the final rename, after a whole download.

    Raises:
      WeightsError: the weights folder is unusable (see `check_writable`), or a folder is in the way.
    """
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
    return "convert the weights again"


def tensors_digest(tensors: dict[str, np.ndarray]) -> str:
    """sha256 over every tensor's name, dtype, shape and bytes, in name order.

    A file cannot hold its own hash, so the header records this digest of its contents instead.
    """
    h = hashlib.sha256()
    for key in sorted(tensors):
        a = np.ascontiguousarray(tensors[key])
        h.update(f"{key}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a)  # the array's own buffer: a copy (tobytes) made the hash 20% slower
    return h.hexdigest()


def save(params: dict, path: Path, *, arch: str, preprocess: vgg.Preprocess, **meta: str) -> Path:
    """Write `params` and metadata to `path` atomically (temp file in the same folder, rename).

    The metadata records `tensors_sha256` (see `tensors_digest`), which `verify` checks.
    """
    tensors = {f"{k}.{p}": np.ascontiguousarray(v, np.float32) for k, d in params.items() for p, v in d.items()}
    metadata = {
        "format": FORMAT_VERSION,
        "arch": arch,
        "preprocess": json.dumps(preprocess.to_dict()),
        **{k: str(v) for k, v in meta.items()},
        "tensors_sha256": tensors_digest(tensors),
    }
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise folder_error(path.parent, e) from None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        save_file(tensors, tmp, metadata=metadata)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except (OSError, SafetensorError) as e:  # safetensors reports a full disk as its own error
        raise WeightsError(f"could not write {path} ({getattr(e, 'strerror', None) or e}); {_advice(e)}") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return path


def read_metadata(path: Path) -> dict[str, str]:
    """The string metadata in a safetensors header (arch, preprocess, name, source, ...)."""
    try:
        with safe_open(str(path), "np") as f:
            return dict(f.metadata() or {})
    except (SafetensorError, OSError) as e:
        raise WeightsFileError(f"{path} is not a readable safetensors file ({e}); {redo(path)}") from None


def _tensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file whose header was read; a WeightsFileError if the rest is damaged."""
    try:
        return load_file(str(path))
    except (SafetensorError, OSError) as e:
        raise WeightsFileError(f"{path} is damaged ({e}); {redo(path)}") from None


def _check_digest(path: Path, recorded: str, tensors: dict[str, np.ndarray]) -> str:
    """The digest of `tensors`, if it is the `recorded` one; else a WeightsFileError.

    Values changed on disk yet still finite would otherwise be used without a word.
    """
    got = tensors_digest(tensors)
    if got != recorded:
        raise WeightsFileError(f"{path} is corrupt: its tensors hash to sha256:{got[:16]}..., but sha256:"
                               f"{recorded[:16]}... was recorded when it was written; {redo(path)}")
    return got


def check_intact(path: Path) -> None:
    """Refuse (WeightsFileError) a file that is unreadable or whose tensors no longer match its
    recorded `tensors_sha256`; one written before jaxart recorded that hash passes if readable."""
    recorded = read_metadata(path).get("tensors_sha256")
    tensors = _tensors(path)
    if recorded is not None:
        _check_digest(path, recorded, tensors)


def load(path: Path) -> vgg.Weights:
    """A `vgg.Weights` from a converted file; `sha256` is the file's hash."""
    path = Path(path)
    if not path.is_file():
        raise WeightsFileError(f"weights file {path} does not exist")
    meta = read_metadata(path)
    if meta.get("arch") not in vgg.STAGES or "preprocess" not in meta:
        raise WeightsFileError(f"{path} lacks jaxart metadata (arch, preprocess); convert it with `weights convert`")
    with open(path, "rb") as f:
        sha256 = hashlib.file_digest(f, "sha256").hexdigest()
    tensors = _tensors(path)
    params: dict = {}
    for key, value in tensors.items():
        layer, _, part = key.rpartition(".")
        if not np.isfinite(value).all():  # else reported later as a diverging loss, with the wrong advice
            raise WeightsFileError(f"{path}: layer {layer} holds NaN or infinite values; {redo(path)}")
        params.setdefault(layer, {})[part] = jnp.asarray(value)
    missing = [n for n in vgg.conv_names(meta["arch"]) if n not in params]
    if missing:
        raise WeightsFileError(f"{path} lacks layers {missing}; {redo(path)}")
    _check_shapes(path, meta["arch"], params)
    if "tensors_sha256" in meta:  # after the checks above, whose messages say more; older files have none
        _check_digest(path, meta["tensors_sha256"], tensors)
    try:
        preprocess = vgg.Preprocess.from_dict(json.loads(meta["preprocess"]))
        if preprocess.kind not in ("caffe", "torch") or len(preprocess.mean) != 3 or len(preprocess.std) != 3:
            raise ValueError(f"{preprocess}")
    except (ValueError, KeyError, TypeError) as e:
        raise WeightsFileError(f"{path} has damaged preprocessing metadata ({type(e).__name__}: {e}); "
                               f"{redo(path)}") from None
    return vgg.Weights(params=params, arch=meta["arch"], preprocess=preprocess, name=meta.get("name", path.stem),
                       sha256=sha256)


def _check_shapes(path: Path, arch: str, params: dict) -> None:
    """Each layer a (3, 3, Cin, Cout) kernel and a (Cout,) bias, Cin the previous layer's Cout (3 first)."""
    cin = 3
    for name in vgg.conv_names(arch):
        kernel, bias = (getattr(params[name].get(k), "shape", None) for k in ("kernel", "bias"))
        if kernel is None or bias is None or len(kernel) != 4 or kernel[:3] != (3, 3, cin) or bias != kernel[3:]:
            raise WeightsFileError(f"{path}: layer {name} has kernel {kernel} and bias {bias}, not (3, 3, {cin}, C) "
                                   f"and (C,); {redo(path)}")
        cin = kernel[3]


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


def verify(path: Path) -> str:
    """Re-hash the tensors of a converted file against the `tensors_sha256` its header recorded.

    Returns:
      The digest, when it matches.

    Raises:
      WeightsError: the file is unreadable, records no digest, or its tensors changed since.
    """
    meta = read_metadata(path)
    recorded = meta.get("tensors_sha256")
    if recorded is None:
        raise WeightsError(f"{path} records no tensors_sha256 (an older jaxart wrote it); {redo(path)}")
    return _check_digest(path, recorded, _tensors(path))


def remove(name: str) -> list[Path]:
    """Delete installed weight set `name` and any partial download of it (there may be only that);
    the paths removed."""
    paths = [p for p in (path_for(check_name(name)), partial_path(name)) if p.is_file()]
    if not paths:
        known = ", ".join(installed()) or "none"
        raise InputError(f"{name} is not installed and has no partial download (installed: {known}); "
                         "nothing was removed")
    for p in paths:
        try:
            p.unlink()
        except OSError as e:
            raise WeightsError(f"could not remove {p} ({e.strerror or e}); make {p.parent} writable, or "
                               "remove the file as its owner") from None
    return paths
