"""How much of a run record an image shares (stylize's and sweep's `--record`): all of it, the record without the
paths of the files the run read and wrote, or none. A full record names each input by its absolute path
(/home/alice/private/photo.jpg), so a picture passed on tells its folders and file names."""

from __future__ import annotations

import os
from pathlib import Path

MODES = ("full", "no-paths", "none")
LEFT_OUT = "paths"  # the key a record without paths has, its value what stands for them
# What a record's keys name files by, besides its inputs and model file: a frame's animation (its output: by name).
_PATH_KEYS = ("animation",)


def shared(record: dict, mode: str = "full") -> dict | None:
    """The record an image carries under `mode` (one of `MODES`): `record` ("full"), None ("none"), or ("no-paths")
    `record` with each input's path replaced by a name for its role, PHOTO, PAINTING (PAINTING1, ... of several),
    INIT and MASK, keeping the suffix; `input_sha256` keyed by those names (a file is found again by its digest), a
    weights file named MODEL, a frame's output by its file name alone, its animation's path dropped, and `paths`
    saying what stands for them."""
    if mode not in MODES:
        raise ValueError(f"record mode {mode!r} is not one of {', '.join(MODES)}")
    if mode != "no-paths":
        return None if mode == "none" else record
    inputs, config = record.get("inputs") or {}, record.get("config") or {}
    styles = list(inputs.get("styles") or ())
    roles = {"content": [inputs.get("content")], "styles": styles, "init": [config.get("init")],
             "mask": [config.get("mask")]}
    named = {"content": "PHOTO", "styles": "PAINTING", "init": "INIT", "mask": "MASK"}
    names: dict[str, str] = {}
    for role, paths in roles.items():
        for i, p in enumerate(paths):
            if isinstance(p, str) and (role != "init" or p not in ("content", "random")):  # else --init's word
                number = str(i + 1) if role == "styles" and len(styles) > 1 else ""
                for form in (p, str(Path(p).resolve())):  # the digests are keyed by the resolved path
                    names.setdefault(form, f"{named[role]}{number}{Path(p).suffix}")
    out = {k: v for k, v in record.items() if k not in _PATH_KEYS}
    if isinstance(record.get("output"), str):  # a frame's image, by which a later run finds it stale (`frames`)
        out["output"] = Path(record["output"]).name
    for key in ("model_path", "model"):  # a weights file (a frame's "model" too), known by its weights_sha256
        if isinstance(model := record.get(key), str) and (model.endswith(".safetensors") or os.sep in model):
            out[key] = f"MODEL{Path(model).suffix}"  # as `weights.is_path` tells one, without importing it
    out["inputs"] = {**inputs, "content": names.get(inputs.get("content"), inputs.get("content")),
                     "styles": [names.get(s, s) for s in styles]}
    out["config"] = {**config, **{k: names[config[k]] for k in ("init", "mask") if config.get(k) in names}}
    out["input_sha256"] = {names.get(p, "OTHER"): d for p, d in (record.get("input_sha256") or {}).items()}
    out[LEFT_OUT] = "left out (--record no-paths): the input files are named by role, found by input_sha256"
    return out


def note(record: dict) -> str | None:
    """The line `jaxart info` says of a record without paths: which names stand for the files; else None."""
    if LEFT_OUT not in record:
        return None
    inputs, digests = record.get("inputs") or {}, record.get("input_sha256") or {}
    names = list(dict.fromkeys(n for n in (inputs.get("content"), *(inputs.get("styles") or ()), *digests)
                               if n in digests))
    return (f"this record leaves out the paths of the files its run read (--record no-paths): it names them "
            f"{', '.join(names) or 'by role'}, each with its sha256; give those files in their place")
