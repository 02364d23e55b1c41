"""The run record a finished image carries (`jaxart info`), and the input digests it and a checkpoint keep."""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from jaxart import checkpoint, photo_size, scales, weights
from jaxart.config import StyleConfig

if TYPE_CHECKING:  # hints only: both import JAX, which a sweep's dry run (sheet's checks) needs not
    from jaxart import transfer
    from jaxart.vgg import Weights


def record(config: StyleConfig, w: Weights, outcome: transfer.Outcome, inputs: dict,
           input_sha256: dict[str, str] | None = None, model: str | None = None, tolerance: float = 0.0) -> dict:
    """The run record a finished image carries (`jaxart info`): what made it and what it reached.
    `input_sha256` maps each input file to its hash; several scales are listed as [size, steps].
    The weights are kept by file hash and by `content_sha256`, which any copy of them shares and a
    header read gives (`jaxart info --command` compares it, as `--resume` does).
    `model`, the --model given, is kept as "model_path" if a file (its "model" is the name inside).
    A run stopped early (`outcome.stopped`) says at which step, "stopped_at" (its "steps"), and the
    `tolerance` (`stylize --tolerance`) that stopped it, if any: without one a callback stopped it, and
    its command is a run of that many steps (`plateau.taken`).
    "loss" is the optimizer's, of the optimized pixels (`outcome.terms`); where a kept region or --colors
    keep/luminance put the photo or its chroma back, "image_loss" is the loss of the image written.
    "machine" names the jax, jaxlib and CPU that computed it; run from a git checkout, "source" names its
    commit and whether it was modified (`jaxart.provenance`). "finished" is when the record was made, UTC to
    the second ("2026-12-06T16:50:12+00:00"), so results of one day or commit compare."""
    from jaxart import __version__, convs, margin, provenance

    widths = [w.params[f"conv{b}_1"]["bias"].shape[0] for b in range(1, 6)]
    seen = margin.padded_shape(np.shape(outcome.image), config.margin)
    return {
        "jaxart": __version__, "config": config.to_dict(), "seed": config.seed, "model": w.name,
        "arch": w.arch, "weights_sha256": w.sha256, "weights_content_sha256": w.content_sha256,
        "loss": outcome.terms, **({"image_loss": outcome.image_terms} if put_back(outcome) else {}),
        "steps": outcome.steps,
        "seconds": round(outcome.seconds, 3), "inputs": inputs,
        # conv="auto" chooses by the machine's CPU: say what it chose, so runs compare.
        "gradient_products": convs.run_gradient(config.conv, widths, seen, int(photo_size.deepest(config)[0][4])),
        "input_sha256": input_sha256 or {},
        **({"model_path": model} if model and weights.is_path(model) else {}),
        **({"schedule": [list(s) for s in plan]} if len(plan := scales.schedule(config)) > 1 else {}),
        **({"tolerance": tolerance} if tolerance else {}), **({"stopped_at": outcome.steps} if outcome.stopped else {}),
        **provenance.made_by(),
        "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def input_digests(content: Path, styles: Sequence[Path], config: StyleConfig,
                  known: dict[str, str] | None = None) -> dict[str, str]:
    """The sha256 of every file a run reads: photo, paintings, and an --init image or mask; those
    `known` by absolute path (a sweep's `check_distinct` took the paintings') are not read again."""
    extra = [p for p in (config.init, config.mask) if p and os.path.isfile(p)]
    paths, known = [str(Path(p).resolve()) for p in (content, *styles, *extra)], known or {}
    taken = {**checkpoint.digests(list(dict.fromkeys(p for p in paths if p not in known))), **known}
    return {p: taken[p] for p in paths}


def one_painting(record: dict, painting: int | None) -> dict:
    """A record of a run of all its paintings as the record of the run of painting `painting` alone
    (as a sweep tile painted with it; None: `record` as it is): its "inputs" and the digests name no other,
    so `info --command` remakes the tile with that painting and checks only the files the tile read."""
    inputs = record.get("inputs") or {}
    styles = list(inputs.get("styles") or ())
    if painting is None or not 0 <= painting < len(styles):
        return record
    config = record.get("config") or {}  # an --init image or mask that is also a painting: the tile read it too
    read = {str(Path(p).resolve()) for p in (config.get("init"), config.get("mask")) if isinstance(p, str)}
    others = set(styles) - {styles[painting], inputs.get("content")} - read
    digests = {k: v for k, v in (record.get("input_sha256") or {}).items() if k not in others}
    return {**record, "inputs": {**inputs, "styles": [styles[painting]]}, "input_sha256": digests}


def put_back(outcome: transfer.Outcome) -> bool:
    """Whether the image written is not the optimized pixels (a kept region or --colors keep/luminance put
    the photo or its chroma back) and its loss was taken: then the record holds it, "image_loss", even where
    the two losses agree to the last digit (luminance's grey is the optimized one), so a record's keys
    depend on the settings alone, never on the values."""
    return (outcome.image_terms is not None and outcome.pixels is not None
            and not np.array_equal(outcome.image, outcome.pixels))
