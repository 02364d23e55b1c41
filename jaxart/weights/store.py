"""The converted-weights file format: safetensors whose header carries arch, preprocessing and a
digest of the tensors, written atomically and checked when read. Where the files live is `folder`'s."""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import load as load_bytes, save as save_bytes

from jaxart import layers
from jaxart.preprocess import Preprocess
from jaxart.errors import WeightsError, WeightsFileError
from jaxart.weights import folder, staging
from jaxart.weights.digests import content_digest, settings_digest, tensors_digest

if TYPE_CHECKING:
    from jaxart.weightset import Weights

FORMAT_VERSION = "1"


def _serialize(tensors: dict[str, np.ndarray], metadata: dict[str, str]) -> list[bytes | memoryview]:
    """The safetensors file of `tensors` and `metadata`, in parts to write one after another: its JSON
    header's keys sorted and padded with spaces to its length, so the same weights always give the same
    bytes (safetensors writes the metadata in hash order, which changes from run to run). The tensors'
    offsets are relative to the header's end. The tensors' part is a view: no second copy of them."""
    data = save_bytes(tensors, metadata=metadata)
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header["__metadata__"] = dict(sorted(header.get("__metadata__", {}).items()))
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if len(text) > n:  # never: the same escapes as safetensors' own (serde_json)
        return [data]
    return [data[:8], text.ljust(n), memoryview(data)[8 + n:]]


def _check_settings(path: Path, meta: dict[str, str]) -> None:
    """Refuse a header whose arch or preprocessing changed since it was written (files from before
    jaxart recorded `settings_sha256` have none to check)."""
    if "settings_sha256" in meta and settings_digest(meta) != meta["settings_sha256"]:
        raise WeightsFileError(f"{path} is corrupt: its header's arch or preprocessing (mean, std) changed since "
                               f"it was written; {folder.redo(path)}")


def save(params: dict, path: Path, *, arch: str, preprocess: Preprocess, replace: bool = True, **meta: str) -> Path:
    """Write `params` and metadata to `path` atomically (`staging.place`: a temporary beside it, renamed); without
    `replace`, a file that appeared there meanwhile (another conversion) is kept, with a WeightsError.
    The metadata records `tensors_sha256` (see `tensors_digest`) and `settings_sha256` (of arch and
    preprocessing), which `verify` and `load` check."""
    tensors = {f"{k}.{p}": np.ascontiguousarray(v, np.float32) for k, d in params.items() for p, v in d.items()}
    metadata = {
        "format": FORMAT_VERSION, "arch": arch,
        "preprocess": json.dumps(preprocess.to_dict()),
        **{k: str(v) for k, v in meta.items()},
        "tensors_sha256": tensors_digest(tensors),
    }
    metadata["settings_sha256"] = settings_digest(metadata)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise folder.folder_error(path.parent, e) from None
    parts = _serialize(tensors, metadata)
    try:
        placed = staging.place(parts, path, replace=replace)
    except OSError as e:
        raise WeightsError(f"could not write {path} ({e.strerror or e}); {folder.write_advice(e)}") from None
    if not placed:  # another conversion installed this name meanwhile
        raise WeightsError(f"{path} was written by another jaxart process while this one worked, and was left "
                           f"as it is; check it with `jaxart weights verify {path.stem}`, or give another name")
    return path


def _unreadable(path: Path, e: Exception) -> WeightsFileError:
    """Why `path` gives no weights. A Keras .h5 or torchvision .pth given as converted weights is what it is, not
    a damaged safetensors file ("header too large" told a user nothing they could act on)."""
    if path.suffix.lower() in (".h5", ".pth"):
        return WeightsFileError(f"{path} is a {path.suffix} file, not converted weights; {folder.redo(path)}")
    return WeightsFileError(f"{path} is not a readable safetensors file ({e}); {folder.redo(path)}")


def read_metadata(path: Path) -> dict[str, str]:
    """The string metadata in a safetensors header (arch, preprocess, name, source, ...)."""
    try:
        with safe_open(str(path), "np") as f:
            return dict(f.metadata() or {})
    except (SafetensorError, OSError) as e:
        raise _unreadable(path, e) from None


def _read(path: Path) -> tuple[dict[str, str], dict[str, np.ndarray], bytes]:
    """Metadata, tensors and bytes of a safetensors file by one handle: a set replaced meanwhile is read whole."""
    try:
        with open(path, "rb", buffering=0) as f:  # unbuffered: read() is then one read of the whole file
            n = int.from_bytes(f.read(8), "little")
            f.seek(0)  # a header longer than the file: no safetensors (an .h5, a .pth), so read no more of it
            data = f.read() if n < os.fstat(f.fileno()).st_size else f.read(8)
        tensors = load_bytes(data)  # safetensors reads a file only by its path, so from these bytes
    except FileNotFoundError:
        raise WeightsFileError(f"weights file {path} does not exist") from None
    except (SafetensorError, OSError) as e:
        raise _unreadable(path, e) from None
    return json.loads(data[8:8 + n]).get("__metadata__") or {}, tensors, data


def _check_digest(path: Path, recorded: str, tensors: dict[str, np.ndarray]) -> str:
    """The digest of `tensors`, if it is the `recorded` one; else a WeightsFileError (values changed on
    disk yet still finite would otherwise be used without a word)."""
    got = tensors_digest(tensors)
    if got != recorded:
        raise WeightsFileError(f"{path} is corrupt: its tensors hash to sha256:{got[:16]}..., but sha256:"
                               f"{recorded[:16]}... was recorded when it was written; {folder.redo(path)}")
    return got


def check_intact(path: Path) -> None:
    """Refuse (WeightsFileError) a file that is unreadable or whose tensors no longer match its
    recorded `tensors_sha256`; one written before jaxart recorded that hash passes if readable."""
    meta, tensors, _ = _read(path)
    _check_settings(path, meta)
    if "tensors_sha256" in meta:
        _check_digest(path, meta["tensors_sha256"], tensors)


def value_problem(value: np.ndarray) -> str | None:
    """Why a weights array cannot be used: "dtype" if it is not floating point (a float32 cast would
    garble integers or booleans silently), "nonfinite" if it holds NaN or inf, also once cast to
    float32 (a float64 beyond its range); None if it can. `load` and `layouts.check_values` ask it."""
    if not np.issubdtype(value.dtype, np.floating):
        return "dtype"
    with np.errstate(over="ignore"):  # no copy of a float32 array, which every load checks
        return None if np.isfinite(value.astype(np.float32, copy=False)).all() else "nonfinite"


def load(path: Path) -> Weights:
    """A `vgg.Weights` from a converted file; `sha256` is the file's hash, `content_sha256` its `content_digest`."""
    import jax  # here, not above: `weights list` and `path` read the folder and metadata without loading JAX

    from jaxart.weightset import Weights  # above, for type checkers only

    path = Path(path)
    if path.is_dir():  # "does not exist" sent the user looking for a folder that is there
        raise WeightsFileError(f"weights file {path} is a folder; give a .safetensors file in it, or a weight "
                               "set's name (`jaxart weights list`)")
    if not path.is_file():
        raise WeightsFileError(f"weights file {path} does not exist")
    meta, tensors, data = _read(path)
    if meta.get("arch") not in layers.STAGES or "preprocess" not in meta:
        raise WeightsFileError(f"{path} lacks jaxart metadata (arch, preprocess); convert it with `weights convert`")
    sha256 = hashlib.sha256(data).hexdigest()
    del data  # the tensors are copies: a file's worth of memory less while they go to the device
    params: dict = {}
    for key, value in tensors.items():
        layer, _, part = key.rpartition(".")
        problem = value_problem(value)
        if problem == "dtype":
            raise WeightsFileError(f"{path}: layer {layer} holds {value.dtype} values, not floating point; "
                                   f"{folder.redo(path)}")
        if problem == "nonfinite":  # else reported later as a diverging loss, with the wrong advice
            raise WeightsFileError(f"{path}: layer {layer} holds NaN or infinite values; {folder.redo(path)}")
        params.setdefault(layer, {})[part] = jax.device_put(value)  # jnp.asarray compiled a program per shape
    missing = [n for n in layers.conv_names(meta["arch"]) if n not in params]
    if missing:
        raise WeightsFileError(f"{path} lacks layers {missing}; {folder.redo(path)}")
    _check_shapes(path, meta["arch"], params)
    # Converted before convert refused it: weights that see every image alike. After the shapes, which say more.
    if zeroed := next((key for key, value in tensors.items() if key.endswith(".kernel") and not value.any()), None):
        raise WeightsFileError(f"{path}: layer {zeroed[:-7]} holds only zeros in its kernel; {folder.redo(path)}")
    if "tensors_sha256" in meta:  # after the checks above, whose messages say more; older files have none
        _check_digest(path, meta["tensors_sha256"], tensors)
    try:
        preprocess = Preprocess.from_dict(json.loads(meta["preprocess"]))
        if preprocess.kind not in ("caffe", "torch") or len(preprocess.mean) != 3 or len(preprocess.std) != 3:
            raise ValueError(f"{preprocess}")
    except (ValueError, KeyError, TypeError) as e:
        raise WeightsFileError(f"{path} has damaged preprocessing metadata ({type(e).__name__}: {e}); "
                               f"{folder.redo(path)}") from None
    _check_settings(path, meta)  # last: the checks above say more about a damaged header
    return Weights(params=params, arch=meta["arch"], preprocess=preprocess, name=meta.get("name", path.stem),
                       sha256=sha256, content_sha256=content_digest(meta))


def matches(path: Path, *, content_sha256: str = "", sha256: str = "") -> bool | None:
    """Whether the file at `path` holds the weights a record names by `content_sha256` (their
    `content_digest`) or, failing that, by `sha256` (a file's hash); None if it names neither.

    The content digest is read from the header, not recomputed: `load` refuses a file whose tensors
    no longer match it. Only where the record or the file predates that digest is the file hashed.
    """
    if content_sha256:
        here = content_digest(read_metadata(path))
        if here:
            return here == content_sha256
    if not sha256:
        return None
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest() == sha256
    except OSError as e:
        raise WeightsFileError(f"{path} cannot be read ({e.strerror or e}); check its permissions") from None


def _check_shapes(path: Path, arch: str, params: dict) -> None:
    """Each layer a (3, 3, Cin, Cout) kernel and a (Cout,) bias, Cin the previous layer's Cout (3 first)."""
    cin = 3
    for name in layers.conv_names(arch):
        kernel, bias = (getattr(params[name].get(k), "shape", None) for k in ("kernel", "bias"))
        if kernel is None or bias is None or len(kernel) != 4 or kernel[:3] != (3, 3, cin) or bias != kernel[3:]:
            raise WeightsFileError(f"{path}: layer {name} has kernel {kernel} and bias {bias}, not (3, 3, {cin}, C) "
                                   f"and (C,); {folder.redo(path)}")
        cin = kernel[3]


def verify(path: Path) -> str:
    """Re-hash the tensors of a converted file against the `tensors_sha256` its header recorded.

    Returns:
      The digest, when it matches.

    Raises:
      WeightsError: the file is unreadable, records no digest, or its tensors changed since.
    """
    meta, tensors, _ = _read(path)
    _check_settings(path, meta)
    if "tensors_sha256" not in meta:
        raise WeightsError(f"{path} records no tensors_sha256 (an older jaxart wrote it); {folder.redo(path)}")
    return _check_digest(path, meta["tensors_sha256"], tensors)
