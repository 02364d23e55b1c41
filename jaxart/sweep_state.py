"""Where a sweep stands after a step (`SweepState`), and that state kept in a checkpoint and restored from one.

`sweep(..., on_state=...)` hands it over after every step, its batched carry still on the device, so keeping
nothing costs nothing; a checkpoint (checkpoint.py's format: the batched carry is one pytree, beside each tile's
steps at earlier scales and whether the tolerance stopped it) holds it, and `sweep(..., resume=...)` continues from
it to the pixels the uninterrupted sweep gives: the same compiled step from the same arrays.

A batch that `shrink_batch` has shrunk is kept as it steps: the smaller batch's carry (`part`) and which of the whole
batch's rows it holds (`rows`) beside the whole batch's carry, so the running tiles go on in a batch of that size,
rounding as it does (shrink.resumed).
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
    carry: optimize.Carry  # the whole padded batch's, on the device (once shrunk, its running rows may lag `part`'s)
    earlier: np.ndarray  # (B,) int32: the steps each tile took at the earlier scales
    stopped: np.ndarray  # (B,) bool: the tolerance stopped it
    losses: Sequence[dict[int, float]]  # each setting's tested losses (plateau.py), for the tests still to come
    shrank: tuple[tuple[int, int, int], ...] = ()  # where `shrink_batch` shrank the batch so far
    rows: np.ndarray | None = None  # once shrunk: the whole batch's rows the smaller batch steps, else None
    part: optimize.Carry | None = None  # once shrunk: the smaller batch's carry, else None


def kept(state: SweepState) -> tuple:
    """The pytree a checkpoint saves: the carry, the smaller batch's (None: not shrunk), the earlier steps and the
    stopped tiles."""
    return state.carry, state.part, state.earlier, state.stopped


def meta(state: SweepState) -> dict:
    """The checkpoint metadata of `state`: its step and scale, and the losses a later tolerance test compares with."""
    return {"step": state.step, "scale": state.scale,
            "losses": [{str(k): v for k, v in tested.items() if k > state.step - plateau.WINDOW}
                       for tested in state.losses], "shrank": [list(at) for at in state.shrank],
            "rows": None if state.rows is None else [int(r) for r in state.rows]}


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
    size, rows = len(template.ok), ckpt.meta.get("rows")
    if not (rows is None or isinstance(rows, list) and 2 <= len(rows) < size
            and all(isinstance(r, int) and 0 <= r < size for r in rows)):
        raise InputError("checkpoint field rows has the wrong type or value; it was edited or damaged, so start the "
                         "sweep again")
    part = None if rows is None else jax.tree.map(lambda a: jax.ShapeDtypeStruct((len(rows), *a.shape[1:]), a.dtype),
                                                  template)
    carry, part, earlier, stopped = checkpoint.restore(
        (template, part, np.zeros(size, np.int32), np.zeros(size, bool)), ckpt, finite=False)
    try:
        losses = [{int(k): float(v) for k, v in tested.items()} for tested in ckpt.meta["losses"]]
        shrank = tuple(tuple(int(x) for x in at) for at in ckpt.meta.get("shrank", ()))
    except (TypeError, ValueError):
        raise InputError("checkpoint field losses or shrank has the wrong type; it was edited or damaged, so start "
                         "the sweep again") from None
    return SweepState(ckpt.meta["step"], ckpt.meta["scale"], jax.device_put(carry, sharding), np.array(earlier),
                      np.array(stopped), losses, shrank, None if rows is None else np.array(rows),
                      None if part is None else jax.device_put(part, sharding))
