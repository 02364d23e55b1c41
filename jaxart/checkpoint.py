"""Checkpoints: an optimizer carry and what continuing its run needs, in one .npz without pickle.

The carry (`optimize.Carry`: pixels, optimizer state, last value and loss terms, step count)
is flattened into its array leaves; the tree structure is kept as text and compared on load
with that of a freshly initialised carry, so a checkpoint only restores into the same layout.
The metadata (JSON) holds the jaxart version, the weights' sha256, the model, the config
(seed included), the input files and their sha256, the output and the step, so `--resume` needs
nothing else and can tell when an input was edited since (checkpoint_checks.py checks it before a run continues).

`FORMAT` 2: a `--linesearch zoom` state keeps the iterate's value and gradient, which the next step takes
(linesearch.py, af318b7); format 1's were the point's before the clip, so `restore` forgets them and the first
resumed step evaluates the loss (format 1 files written in the hour after af318b7, the iterate's, do so too).
"""

from __future__ import annotations

import json
import os
import shlex
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from jaxart.checkpoint_checks import RESUME_KEYS, check, check_inputs, check_kind, digest, digests
from jaxart.errors import InputError
from jaxart.files import replacing
from jaxart.formats import SUFFIXES
from jaxart.paths import absent, check_path

# What a checkpoint must be before a run continues from it, from checkpoint_checks.py: checkpoint.check and the rest.
__all__ = ["FORMAT", "READS", "RESUME_KEYS", "Checkpoint", "check", "check_inputs", "check_kind", "digest", "digests",
           "load", "path_for", "read_meta", "remove_if_holding", "restore", "save"]

FORMAT = 2
READS = (1, FORMAT)  # the formats `load` reads


class Checkpoint(NamedTuple):
    meta: dict[str, Any]
    leaves: list[np.ndarray]  # the flattened carry, in jax.tree.flatten order
    frames: Sequence[np.ndarray] = ()  # the animation's frames so far, so a resumed run continues it


def path_for(output: str | os.PathLike) -> Path:
    """Where the run writing `output` keeps its checkpoint: OUT.png -> OUT.ckpt.npz."""
    output = Path(output)
    return output.with_name(f"{output.stem}.ckpt.npz")


def save(path: str | os.PathLike, carry: Any, meta: dict[str, Any], frames: Sequence[np.ndarray] = (), *,
         overwrite: bool = True) -> Path:
    """Write `carry` (any pytree of arrays), JSON `meta` and animation `frames` to `path` atomically;
    without `overwrite`, a file there is kept and this one goes beside it (`files.replacing`)."""
    import jax  # here, not at the top: a dry run reads checkpoints' paths without JAX

    path = Path(path)
    leaves, treedef = jax.tree.flatten(carry)
    arrays = {f"leaf_{i:04d}": np.array(x, copy=True) for i, x in enumerate(leaves)}
    arrays |= {f"frame_{i:04d}": np.asarray(f) for i, f in enumerate(frames)}
    meta = {**meta, "checkpoint_format": FORMAT, "structure": str(treedef), "leaves": len(leaves),
            "frames": len(frames)}
    with replacing(path, "checkpoint", overwrite=overwrite) as tmp, open(tmp, "xb") as f:
        np.savez(f, meta=np.array(json.dumps(meta, sort_keys=True)), **arrays)
    return path


def load(path: str | os.PathLike) -> Checkpoint:
    """Read a checkpoint written by `save`.

    Raises:
      InputError: the file is missing or is not a jaxart checkpoint (one-line message).
    """
    path = Path(path)
    check_path(path, "checkpoint")
    if not path.is_file():
        state = "is not a file" if path.exists() else absent(path)  # a link to nothing says so
        raise InputError(f"checkpoint {path} {state}; {_give(path)}")
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            leaves = [z[f"leaf_{i:04d}"] for i in range(int(meta["leaves"]))]
            frames = [z[f"frame_{i:04d}"] for i in range(int(meta.get("frames", 0)))]  # none before they were kept
    except Exception as e:  # noqa: BLE001 - zip, JSON and key errors all mean "not a checkpoint"
        raise InputError(f"{path} is not a jaxart checkpoint: {_fault(path, e)}; {_give(path)}") from None
    if meta.get("checkpoint_format") not in READS:
        made = meta.get("checkpoint_format")
        raise InputError(f"{path} has {'no checkpoint format' if made is None else f'checkpoint format {made}'}, "
                         f"where this jaxart reads {' and '.join(map(str, READS))}; resume it with the jaxart that "
                         "made it, or start the run again")
    return Checkpoint(meta, leaves, frames)


def _give(path: Path) -> str:
    """What to give instead of `path`: the checkpoint beside it of the same stem where there is one (`--resume
    out.png`, `out`, `out.ckpt` for out.ckpt.npz, a name the interrupted line gave); where that is gone and its run's
    finished image is there (`_finished`), that there is nothing to resume; else what a checkpoint is."""
    stem = path.name.removesuffix(".ckpt.npz").removesuffix(".ckpt").removesuffix(".npz")
    stem = Path(stem).stem if Path(stem).suffix.lower() in {x for xs in SUFFIXES.values() for x in xs} else stem
    beside = path.with_name(f"{stem}.ckpt.npz")
    if beside != path and beside.is_file():
        return f"give {beside}, the checkpoint of that name there"
    if (done := _finished(beside)) is not None:  # "give the .ckpt.npz an interrupted run wrote" said nothing of it
        return (f"its run finished: {done[0]} is its {done[1]}, and a run removes its checkpoint once done, so there "
                f"is nothing to resume (`jaxart info {shlex.quote(str(done[0]))}` shows that run)")
    return "give the .ckpt.npz an interrupted run wrote"


def _finished(path: Path) -> tuple[Path, str] | None:
    """The finished image (or sweep's contact sheet) whose checkpoint `path` (OUT.ckpt.npz) was, there under its stem
    (an image of a jaxart run, not interrupted), and what it is in words; else None."""
    from jaxart.image_record import read_record  # here: Pillow, which a checkpoint never needs

    stem = path.name.removesuffix(".ckpt.npz")
    for image in dict.fromkeys(path.with_name(stem + x) for xs in SUFFIXES.values() for x in xs):
        try:
            record = read_record(image) if stem != path.name and image.is_file() else {}
        except InputError:
            continue
        if "config" in record and "interrupted" not in record:
            return image, "contact sheet" if "tiles" in record else "image"
    return None


def _fault(path: Path, e: Exception) -> str:
    """What is wrong with a file `np.load` or its fields failed on (`e`), in words a user reads."""
    has_meta = False
    try:
        with open(path, "rb") as f:
            head = f.read(4)
        if isinstance(e, KeyError):  # np.load opened it as a zip archive: is it one with jaxart's metadata?
            with zipfile.ZipFile(path) as z:
                has_meta = "meta.npy" in z.namelist()
    except (OSError, zipfile.BadZipFile) as err:  # changed since np.load read it
        return f"it cannot be read ({getattr(err, 'strerror', None) or err})"
    if not head:
        return "the file is empty"
    if head[:2] != b"PK":  # a .npz is a zip archive; a PNG, a .npy or random bytes is not
        return "it is not an .npz archive"
    if isinstance(e, (zipfile.BadZipFile, EOFError, OSError, zlib.error)):
        return "the .npz archive is cut short or damaged"
    if isinstance(e, KeyError):
        return ("it lacks some of its saved arrays (it was edited or damaged)" if has_meta
                else "it is an .npz archive without jaxart's checkpoint fields")
    return "its metadata is not jaxart's (it was edited or damaged)"


def read_meta(path: str | os.PathLike) -> dict[str, Any] | None:
    """The metadata of the checkpoint at `path`, its arrays unread; None where there is none to read."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return json.loads(str(z["meta"]))
    except Exception:  # noqa: BLE001 - missing, not a zip, no meta, not JSON: no checkpoint there
        return None


def total_steps(meta: dict[str, Any]) -> int | None:
    """The steps of the run (or sweep) a checkpoint's `meta` stopped in, as its interruption's line said them ("at
    step 289 of 400"); None where its config is none this jaxart reads (another version's, with a field this one
    lacks; a hand-written or damaged file), which `--resume` refuses too: `jaxart info` says why (`resumable`)."""
    from jaxart import scales
    from jaxart.config import StyleConfig

    try:
        return scales.total_steps(StyleConfig.from_dict(meta["config"]))
    except Exception:  # noqa: BLE001 - any config that is none: no steps
        return None


def remove_if_holding(path: str | os.PathLike, meta: dict[str, Any]) -> None:
    """Remove the file at `path` where it is still the checkpoint of `meta`: one that `--resume` read under another
    name than the output's (a renamed OUT.ckpt.npz), once the run it continued has written its files. A symbolic
    link is removed, as `rm` does, not its file: that goes only where it is the output's own checkpoint, which the
    run removes after this (before, the link was left pointing at nothing)."""
    if Path(path).is_file() and read_meta(path) == meta:  # a FIFO put there would block np.load
        Path(path).unlink(missing_ok=True)


def restore(template: Any, ckpt: Checkpoint, *, finite: bool = True) -> Any:
    """`template`'s pytree with the saved leaves, after checking structure, shapes and dtypes; with `finite`, that
    no float array holds NaN (a sweep's may: a tile whose loss became NaN or inf keeps its failed step's state).
    A line search's kept value and gradient from before format 2 are forgotten (`linesearch.forgotten`)."""
    import jax
    import jax.numpy as jnp

    from jaxart import linesearch

    t_leaves, treedef = jax.tree.flatten(template)
    leaves = ckpt.leaves
    if ckpt.meta.get("structure") != str(treedef):
        raise InputError("checkpoint holds another optimizer state layout; it was made with another optimizer or "
                         "linesearch, or by another optax version", settings=["optimizer", "linesearch"])
    if len(t_leaves) != len(leaves):
        raise InputError(f"checkpoint holds {len(leaves)} arrays where this run has {len(t_leaves)}; "
                         "it was made with another optimizer or image size")
    for i, (t, a) in enumerate(zip(t_leaves, leaves)):
        if tuple(t.shape) != a.shape or np.dtype(t.dtype) != a.dtype:
            raise InputError(f"checkpoint array {i} is {a.dtype}{list(a.shape)} where this run has "
                             f"{np.dtype(t.dtype)}{list(t.shape)}; it was made with another optimizer or image size")
        # the loop keeps the last finite state, so no run saves NaN
        if finite and a.dtype.kind == "f" and np.isnan(a).any():
            raise InputError(f"checkpoint array {i} holds NaN; it was edited or damaged, so start the run again")
    tree = jax.tree.unflatten(treedef, [jnp.array(a, dtype=t.dtype) for t, a in zip(t_leaves, leaves)])
    return tree if ckpt.meta.get("checkpoint_format") == FORMAT else linesearch.forgotten(tree)
