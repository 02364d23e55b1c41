"""A sweep's batch of settings: the mesh of devices it is split over, its padded rows (the last setting repeated to a
multiple of the devices) left out of what it reports (the mean loss, the terms, the result), and a scale's start that
keeps the settings whose loss became NaN or inf at an earlier one as they ended."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh

from jaxart import optimize
from jaxart.settings import Setting

AXIS = "batch"


class SweepResult(NamedTuple):
    """What `sweep.sweep` returns: one row per setting, in grid order (each field's shape and dtype beside it)."""

    images: np.ndarray  # (N, H, W, 3) float32 in [0, 1], one per setting, in grid order
    terms: dict[str, np.ndarray]  # "total", "content", "style", "tv": (N,) final loss terms
    ok: np.ndarray  # (N,) bool: False where the loss became NaN/inf (that image is its last finite one)
    settings: tuple[Setting, ...]
    devices: int  # how many devices the batch was split over
    seconds: float
    steps: np.ndarray  # (N,) int: the steps each setting took (fewer where its loss became NaN/inf or converged)
    stopped: np.ndarray  # (N,) bool: the tolerance, or the callback, stopped it at its `steps` (`sweep`'s `tolerance`)
    # Like `terms`, of each image written (`transfer.Outcome.image_terms`), where a kept region or
    # --colors keep/luminance changed it from the optimized pixels; None where nothing did.
    image_terms: dict[str, np.ndarray] | None = None
    # With `shrink_batch`: each (steps taken, rows, size) where the running tiles went on in a smaller batch of that
    # many rows (padding included) at the scale of that long side (each scale starts whole again); () where none did.
    shrank: tuple[tuple[int, int, int], ...] = ()
    # (N,) bool: Adam's state overflowed there (a gradient too large to square in float32), which ended it (not ok).
    overflowed: np.ndarray | tuple = ()


def batch_mean(carry: optimize.Carry, n: int) -> tuple[float, dict[str, float]]:
    """The mean loss and loss terms of a batched `carry` over its `n` settings, leaving out the
    repeated last setting the batch is padded with (`sweep`'s `devices`)."""
    return float(carry.value[:n].mean()), {k: float(v[:n].mean()) for k, v in carry.aux.items()}


def batch_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh:
    """A 1-D mesh over `devices` (default: all local devices) with axis name "batch"."""
    return Mesh(np.asarray(devices if devices is not None else jax.local_devices()), (AXIS,))


def tile_terms(total: jax.Array, terms: dict[str, jax.Array], n: int) -> dict[str, np.ndarray]:
    """A batched loss's (total, terms) as (n,) arrays, without the padding."""
    return {k: np.asarray(v)[:n] for k, v in {"total": total, **terms}.items()}


def continued(carry: optimize.Carry, before: optimize.Carry | None) -> optimize.Carry:
    """A scale's starting `carry`, the settings whose loss became NaN or inf at an earlier scale (`before`)
    left as they ended: not stepped (ok False: the step keeps them), their loss the last finite one."""
    if before is None:
        return carry
    keep = lambda new, old: jnp.where(before.ok, new, old)  # noqa: E731
    value, aux = keep(carry.value, before.value), jax.tree.map(keep, carry.aux, before.aux)
    return carry._replace(ok=before.ok, value=value, aux=aux)
