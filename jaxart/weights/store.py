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


def check_name(name: str) -> str:
    """`name` if it is a plain file name (letters, digits, ".", "_", "-"); a WeightsError otherwise."""
    if not _NAME.fullmatch(name):
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
    return "set JAXART_WEIGHTS_DIR to a writable folder"


def folder_error(folder: Path, e: OSError) -> WeightsError:
    """The one-line error for a weights folder that cannot be created or written in."""
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


def path_for(name: str) -> Path:
    """Where weight set `name` is, or would be, stored."""
    return weights_dir() / f"{name}.safetensors"


def tensors_digest(tensors: dict[str, np.ndarray]) -> str:
    """sha256 over every tensor's name, dtype, shape and bytes, in name order.

    A file cannot hold its own hash, so the header records this digest of its contents instead.
    """
    h = hashlib.sha256()
    for key in sorted(tensors):
        a = np.ascontiguousarray(tensors[key])
        h.update(f"{key}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
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
        raise WeightsFileError(f"{path} is not a readable safetensors file ({e}); fetch or convert it again") from None


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
    tensors = load_file(str(path))
    params: dict = {}
    for key, value in tensors.items():
        layer, _, part = key.rpartition(".")
        if not np.isfinite(value).all():  # else reported later as a diverging loss, with the wrong advice
            raise WeightsFileError(f"{path}: layer {layer} holds NaN or infinite values; fetch or convert the weights again")
        params.setdefault(layer, {})[part] = jnp.asarray(value)
    missing = [n for n in vgg.conv_names(meta["arch"]) if n not in params]
    if missing:
        raise WeightsFileError(f"{path} lacks layers {missing}; convert the weights again")
    _check_shapes(path, meta["arch"], params)
    try:
        preprocess = vgg.Preprocess.from_dict(json.loads(meta["preprocess"]))
        if preprocess.kind not in ("caffe", "torch") or len(preprocess.mean) != 3 or len(preprocess.std) != 3:
            raise ValueError(f"{preprocess}")
    except (ValueError, KeyError, TypeError) as e:
        raise WeightsFileError(f"{path} has damaged preprocessing metadata ({type(e).__name__}: {e}); "
                               "convert the weights again") from None
    return vgg.Weights(params=params, arch=meta["arch"], preprocess=preprocess, name=meta.get("name", path.stem),
                       sha256=sha256)


def _check_shapes(path: Path, arch: str, params: dict) -> None:
    """Each layer a (3, 3, Cin, Cout) kernel and a (Cout,) bias, Cin the previous layer's Cout (3 first)."""
    cin = 3
    for name in vgg.conv_names(arch):
        kernel, bias = (getattr(params[name].get(k), "shape", None) for k in ("kernel", "bias"))
        if kernel is None or bias is None or len(kernel) != 4 or kernel[:3] != (3, 3, cin) or bias != kernel[3:]:
            raise WeightsFileError(f"{path}: layer {name} has kernel {kernel} and bias {bias}, not (3, 3, {cin}, C) "
                                   "and (C,); convert the weights again")
        cin = kernel[3]


def installed() -> list[str]:
    """Names of the converted weight sets in the weights dir (hidden partial downloads excluded)."""
    d = weights_dir()
    return sorted(p.stem for p in d.glob("*.safetensors") if p.is_file()) if d.is_dir() else []


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
        raise WeightsError(f"{path} records no tensors_sha256 (an older jaxart wrote it); remove it and "
                           "fetch or convert it again")
    try:
        got = tensors_digest(load_file(str(path)))
    except (SafetensorError, OSError) as e:
        raise WeightsError(f"{path} is damaged ({e}); remove it and fetch or convert it again") from None
    if got != recorded:
        raise WeightsError(f"{path} is corrupt: its tensors hash to sha256:{got[:16]}..., but sha256:"
                           f"{recorded[:16]}... was recorded; remove it and fetch or convert it again")
    return got


def remove(name: str) -> list[Path]:
    """Delete installed weight set `name` and any partial download of it; the paths removed."""
    paths = [path_for(check_name(name)), weights_dir() / f".{name}.partial"]
    if not paths[0].is_file():
        known = ", ".join(installed()) or "none"
        raise InputError(f"{name} is not installed (installed: {known}); nothing was removed")
    removed = []
    for p in paths:
        if p.is_file():
            try:
                p.unlink()
            except OSError as e:
                raise WeightsError(f"could not remove {p} ({e.strerror or e}); make {p.parent} writable, or "
                                   "remove the file as its owner") from None
            removed.append(p)
    return removed
