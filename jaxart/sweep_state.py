"""Where a sweep stands after a step (`SweepState`), and that state kept in a checkpoint and restored from one.

`sweep(..., on_state=...)` hands it over after every step, its batched carry still on the device, so keeping
nothing costs nothing; a checkpoint (checkpoint.py's format: the batched carry is one pytree, beside each tile's
steps at earlier scales and whether the tolerance stopped it) holds it, and `sweep(..., resume=...)` continues from
it to the pixels the uninterrupted sweep gives: the same compiled step from the same arrays.

A batch that `shrink_batch` has shrunk is not kept (`carry` None): its rows, rounding as a smaller batch does, would
have to be rebuilt in the same smaller batch, which a checkpoint of the whole carry does not say.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import jax
import numpy as np
from jax.sharding import NamedSharding

from jaxart import checkpoint, optimize, plateau
from jaxart.errors import InputError


class SweepState(NamedTuple):
    """A sweep after `step` of its steps over all scales."""

    step: int
    scale: int  # the scale it was at: an index into `scales.schedule(config)`
    carry: optimize.Carry | None  # the whole padded batch's, on the device; None once `shrink_batch` shrank it
    earlier: np.ndarray  # (B,) int32: the steps each tile took at the earlier scales
    stopped: np.ndarray  # (B,) bool: the tolerance stopped it
    losses: Sequence[dict[int, float]]  # each setting's tested losses (plateau.py), for the tests still to come
    shrank: tuple[tuple[int, int, int], ...] = ()  # where `shrink_batch` shrank the batch at earlier scales


def kept(state: SweepState) -> tuple:
    """The pytree a checkpoint saves: the carry, the earlier steps and the stopped tiles."""
    return state.carry, state.earlier, state.stopped


def meta(state: SweepState) -> dict:
    """The checkpoint metadata of `state`: its step and scale, and the losses a later tolerance test compares with."""
    return {"step": state.step, "scale": state.scale,
            "losses": [{str(k): v for k, v in tested.items() if k > state.step - plateau.WINDOW}
                       for tested in state.losses], "shrank": [list(at) for at in state.shrank]}


def position(ckpt: checkpoint.Checkpoint, plan: Sequence[tuple[int, int]], settings: int) -> tuple[int, int]:
    """The (scale, step) `ckpt` stopped at, refused where it is no step of this sweep of `plan`'s scales."""
    m = ckpt.meta
    scale, step, losses = m.get("scale"), m.get("step"), m.get("losses")
    if not (isinstance(scale, int) and isinstance(step, int) and 0 <= scale < len(plan)):
        raise InputError("checkpoint field scale or step has the wrong type or value; it was edited or damaged, "
                         "so start the sweep again")
    before = sum(count for _, count in plan[:scale])
    if not before <= step <= before + plan[scale][1]:
        raise InputError(f"checkpoint is at step {step}, not one of scale {scale + 1} of this sweep; it was edited or "
                         "damaged, so start the sweep again")
    if not (isinstance(losses, list) and len(losses) == settings and all(isinstance(t, dict) for t in losses)):
        raise InputError("checkpoint field losses has the wrong type; it was edited or damaged, so start the sweep "
                         "again")
    return scale, step


def restored(template: optimize.Carry, ckpt: checkpoint.Checkpoint, sharding: NamedSharding) -> SweepState:
    """The state `ckpt` kept, its carry of `template`'s layout (a fresh one of the same scale) placed by `sharding`."""
    rows = len(template.ok)
    carry, earlier, stopped = checkpoint.restore((template, np.zeros(rows, np.int32), np.zeros(rows, bool)), ckpt)
    try:
        losses = [{int(k): float(v) for k, v in tested.items()} for tested in ckpt.meta["losses"]]
        shrank = tuple(tuple(int(x) for x in at) for at in ckpt.meta.get("shrank", ()))
    except (TypeError, ValueError):
        raise InputError("checkpoint field losses or shrank has the wrong type; it was edited or damaged, so start "
                         "the sweep again") from None
    return SweepState(ckpt.meta["step"], ckpt.meta["scale"], jax.device_put(carry, sharding),
                      np.array(earlier), np.array(stopped), losses, shrank)
