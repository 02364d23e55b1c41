"""Converted weights on disk: safetensors files whose header carries arch and preprocessing."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import jax.numpy as jnp
import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import load_file, save_file

from jaxart import vgg
from jaxart.errors import WeightsError

FORMAT_VERSION = "1"


def weights_dir() -> Path:
    """Where converted weights live: $JAXART_WEIGHTS_DIR; else the checkout's weights/ folder;
    else (an installed, non-editable package) ~/.cache/jaxart/weights."""
    env = os.environ.get("JAXART_WEIGHTS_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file():
        return checkout / "weights"
    return Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")).expanduser() / "jaxart" / "weights"


def path_for(name: str) -> Path:
    """Where weight set `name` is, or would be, stored."""
    return weights_dir() / f"{name}.safetensors"


def save(params: dict, path: Path, *, arch: str, preprocess: vgg.Preprocess, **meta: str) -> Path:
    """Write `params` and metadata to `path` atomically (temp file in the same folder, rename)."""
    tensors = {f"{k}.{p}": np.ascontiguousarray(v, np.float32) for k, d in params.items() for p, v in d.items()}
    metadata = {
        "format": FORMAT_VERSION,
        "arch": arch,
        "preprocess": json.dumps(preprocess.to_dict()),
        **{k: str(v) for k, v in meta.items()},
    }
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        save_file(tensors, tmp, metadata=metadata)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        raise WeightsError(f"could not write {path} ({e}); free some space or set JAXART_WEIGHTS_DIR") from None
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
        raise WeightsError(f"{path} is not a readable safetensors file ({e}); fetch or convert it again") from None


def load(path: Path) -> vgg.Weights:
    """A `vgg.Weights` from a converted file; `sha256` is the file's hash."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"weights file {path} does not exist")
    meta = read_metadata(path)
    if meta.get("arch") not in vgg.STAGES or "preprocess" not in meta:
        raise WeightsError(f"{path} lacks jaxart metadata (arch, preprocess); convert it with `weights convert`")
    with open(path, "rb") as f:
        sha256 = hashlib.file_digest(f, "sha256").hexdigest()
    tensors = load_file(str(path))
    params: dict = {}
    for key, value in tensors.items():
        layer, part = key.rsplit(".", 1)
        params.setdefault(layer, {})[part] = jnp.asarray(value)
    missing = [n for n in vgg.conv_names(meta["arch"]) if n not in params]
    if missing:
        raise WeightsError(f"{path} lacks layers {missing}; convert the weights again")
    return vgg.Weights(
        params=params,
        arch=meta["arch"],
        preprocess=vgg.Preprocess.from_dict(json.loads(meta["preprocess"])),
        name=meta.get("name", path.stem),
        sha256=sha256,
    )


def installed() -> list[str]:
    """Names of the converted weight sets in the weights dir (hidden partial downloads excluded)."""
    d = weights_dir()
    return sorted(p.stem for p in d.glob("*.safetensors")) if d.is_dir() else []
