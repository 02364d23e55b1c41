"""The digests a converted weights file's header records: of its tensors, of its settings (arch and
preprocessing), and of both, the weights' identity that every copy of them shares."""

from __future__ import annotations

import hashlib
import json

import numpy as np


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


def settings_digest(meta: dict[str, str]) -> str:
    """sha256 of the header fields that change every result besides the tensors: arch, preprocessing."""
    return hashlib.sha256(json.dumps([meta.get("arch"), meta.get("preprocess")]).encode()).hexdigest()


def content_digest(meta: dict[str, str]) -> str:
    """The weights' identity: sha256 of the recorded tensors and settings digests, the same for every
    file holding these weights ("" for a file from before jaxart recorded them)."""
    if "tensors_sha256" not in meta or "settings_sha256" not in meta:
        return ""
    return hashlib.sha256(f"{meta['tensors_sha256']}|{meta['settings_sha256']}".encode()).hexdigest()
