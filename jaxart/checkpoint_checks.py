"""What a checkpoint must be before a run continues from it: the fields `--resume` reads, of the right type, the
same jaxart version and weights, the command that made it (stylize or sweep), and its input files unchanged since
(their sha256, as `digests` records them when a run starts)."""

from __future__ import annotations

import hashlib
import math
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jaxart.errors import InputError
from jaxart.formats import FORMATS
from jaxart.record_paths import MODES

if TYPE_CHECKING:
    from jaxart.checkpoint import Checkpoint

RESUME_KEYS = ("jaxart", "weights_sha256", "model", "config", "inputs", "output", "format", "step")


# What `--resume` reads, and what it must be (a hand-edited file may hold anything).
_FIELDS = {
    "model": lambda v: isinstance(v, str), "output": lambda v: isinstance(v, str),
    "format": lambda v: v in FORMATS, "config": lambda v: isinstance(v, dict),
    "step": lambda v: isinstance(v, int) and v >= 0, "inputs.content": lambda v: isinstance(v, str),
    "inputs.styles": lambda v: isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v),
    "inputs.background": lambda v: v is None or (isinstance(v, list) and len(v) == 3 and all(
        isinstance(x, int) and 0 <= x <= 255 for x in v)),
    "record": lambda v: v is None or v in MODES,  # --record's mode, absent for "full"
    # The seconds the run had taken; absent from checkpoints made before a resumed run counted them.
    "seconds": lambda v: v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < math.inf),
}


def check(ckpt: Checkpoint, *, version: str | None = None, weights: Any = None) -> None:
    """Refuse a checkpoint from another jaxart version, made with other `weights` (a `vgg.Weights`:
    the same file, or a file holding the same tensors and settings, as a re-fetch writes), or lacking
    what `--resume` reads (`RESUME_KEYS`, the content and styles), as a hand-edited one may."""
    inputs = ckpt.meta.get("inputs")
    missing = [k for k in RESUME_KEYS if k not in ckpt.meta] + [
        f"inputs.{k}" for k in ("content", "styles") if not isinstance(inputs, dict) or k not in inputs]
    if missing:
        raise InputError(f"checkpoint lacks {', '.join(missing)}; it was edited or damaged, so start the run again")
    wrong = [k for k, ok in _FIELDS.items()
             if not ok(inputs.get(k[7:]) if k.startswith("inputs.") else ckpt.meta.get(k))]
    if wrong:
        raise InputError(f"checkpoint field {', '.join(wrong)} has the wrong type or value; it was edited or damaged, "
                         "so start the run again")
    made = ckpt.meta.get("jaxart")
    if version is not None and made != version:
        raise InputError(f"checkpoint was made by jaxart {made}, this is jaxart {version}; "
                         "resume it with that version or start the run again")
    if weights is not None and not _same_weights(ckpt.meta, weights):
        raise InputError("checkpoint was made with other weights "
                         f"(sha256 {str(ckpt.meta.get('weights_sha256'))[:12]}..., "
                         f"these are {weights.sha256[:12]}...); resume with the same weights file")


def check_kind(ckpt: Checkpoint, path: str | os.PathLike, kind: str) -> None:
    """Refuse a sweep's checkpoint (`kind` "sweep" in its metadata) given to `stylize --resume`, or a stylize run's to
    `sweep --resume` (`kind`: the command given it): the other command continues it."""
    made = "sweep" if ckpt.meta.get("kind") == "sweep" else "stylize"
    if made != kind:
        what = "an interrupted sweep's" if made == "sweep" else "an interrupted stylize run's"
        raise InputError(f"{path} is {what} checkpoint, not a {kind}'s; continue it with "
                         f"`jaxart {made} --resume {shlex.quote(str(path))}`")


def _same_weights(meta: dict, weights: Any) -> bool:
    """The file the checkpoint records, or one whose header records the same tensors and settings."""
    content = meta.get("weights_content_sha256")
    return meta.get("weights_sha256") == weights.sha256 or bool(content) and content == weights.content_sha256


def digests(paths: list[str | os.PathLike]) -> dict[str, str]:
    """The sha256 of each input file a run reads, by absolute path (for `check_inputs`)."""
    return {str(Path(p).resolve()): digest(p) for p in paths}


def digest(path: str | os.PathLike) -> str:
    """The sha256 of the file at `path`, as `digests` records it."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def check_inputs(ckpt: Checkpoint) -> None:
    """Refuse to continue with an input file edited, moved or deleted since the checkpoint was made (named as it
    recorded it: the loader's "does not exist" named a path never typed): the run would no longer reach its pixels."""
    recorded = ckpt.meta.get("input_sha256", {})  # absent in checkpoints from before it was kept
    if not (isinstance(recorded, dict) and all(isinstance(v, str) for v in recorded.values())):
        raise InputError("checkpoint field input_sha256 has the wrong type; it was edited or damaged, "
                         "so start the run again")
    if gone := [p for p in recorded if not os.path.exists(p)]:
        raise InputError(f"{gone[0]}, which the interrupted run read, is no longer there (moved, renamed or deleted "
                         "since the checkpoint was made); put it back there to resume, or start the run again")
    if changed := next((p for p in recorded if os.path.isfile(p) and digest(p) != recorded[p]), None):
        raise InputError(f"{changed} has changed since the checkpoint was made; put the original back, "
                         "or start the run again")
