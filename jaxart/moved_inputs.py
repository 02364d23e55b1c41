"""Input files moved with a checkpoint: an input gone from where the interrupted run read it is read from the
checkpoint's folder instead (at its path under the folder the run was made in, or under its name beside the
checkpoint) where that file's sha256 is the one the checkpoint recorded, so `--resume` of a folder moved whole goes on
where it said "put it back there". So is a weights file given by path (`--model file.safetensors`), by the sha256 the
checkpoint records of it (`weights_sha256`)."""

from __future__ import annotations

import os
from pathlib import Path

from jaxart import checkpoint


def found(ckpt: checkpoint.Checkpoint, path: str | os.PathLike) -> tuple[checkpoint.Checkpoint, dict[str, str]]:
    """`ckpt`, read from `path`, with each input gone since (`input_sha256`, by absolute path; and its weights file,
    given by path) renamed to the file of that sha256 in `path`'s folder (`renamed`), and {old path: new path} of
    those; `ckpt` as it is where none."""
    m = ckpt.meta
    recorded, output = m.get("input_sha256"), m.get("output")
    if not isinstance(recorded, dict) or not isinstance(output, str):  # `checkpoint.check` says what is wrong
        return ckpt, {}
    made, here, moved = Path(output).parent, Path(path).resolve().parent, {}
    model, weights = m.get("model"), m.get("weights_sha256")  # a registered set's name is no absolute path
    by_path = {model: weights} if isinstance(model, str) and os.path.isabs(model) else {}
    for old, sha256 in {**recorded, **by_path}.items():
        if not isinstance(sha256, str) or os.path.lexists(old):
            continue
        places = [here / Path(old).relative_to(made)] if Path(old).is_relative_to(made) else []
        new = next((p for p in (*places, here / Path(old).name) if p.is_file() and checkpoint.digest(p) == sha256),
                   None)
        if new is not None:
            moved[old] = str(new)
    earlier = {old: moved.get(new, new) for old, new in kept(m).items()}  # a folder moved again: from the first
    return (ckpt._replace(meta={**renamed(m, moved), "moved_inputs": earlier | moved}) if moved else ckpt), moved


def kept(meta: dict) -> dict[str, str]:
    """The {old path: new path} of the inputs a checkpoint's run was resumed from where they had moved (`found`),
    which its checkpoint keeps: its interrupted image, written before the move, names them at the old paths, and
    stays its own to replace until the resumed run writes it (a resume killed before then left a checkpoint whose
    image `--resume` refused: "output ... already exists")."""
    moved = meta.get("moved_inputs")
    ok = isinstance(moved, dict) and all(isinstance(p, str) for p in (*moved, *moved.values()))
    return moved if ok else {}


def renamed(d: dict, moved: dict[str, str]) -> dict:
    """`d` (a checkpoint's metadata, or the run record of its interrupted image) with each input path `moved` names
    (its content, styles, --init and --mask, their digests' keys, and its weights file) renamed so."""
    if not moved:
        return d
    d = dict(d)
    new = lambda p: moved.get(p, p) if isinstance(p, str) else p  # noqa: E731
    if isinstance(inputs := d.get("inputs"), dict):
        styles = inputs.get("styles")
        d["inputs"] = {**inputs, **({"content": new(inputs["content"])} if "content" in inputs else {}),
                       **({"styles": [new(s) for s in styles]} if isinstance(styles, list) else {})}
    if isinstance(config := d.get("config"), dict):
        d["config"] = {**config, **{k: new(config[k]) for k in ("init", "mask") if k in config}}
    if "model" in d:
        d["model"] = new(d["model"])
    if isinstance(digests := d.get("input_sha256"), dict):
        d["input_sha256"] = {new(k): v for k, v in digests.items()}
    return d


def line(moved: dict[str, str]) -> str:
    """What a resume says of the inputs `found` moved, in one line."""
    return "; ".join(f"reading {new} for {old}, which is gone" for old, new in moved.items()) + \
        " (moved with the checkpoint: the same sha256)"
