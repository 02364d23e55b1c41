"""A sweep's batch of the tiles still running (`sweep(..., shrink_batch=True)`): once at least half of its rows
have stopped (the tolerance converged them, or their loss became NaN/inf), the others go on in a batch of their
own, so a stopped tile costs no more evaluations. The whole batch's carry keeps every tile where it stopped.

Each distinct batch size compiles the step once more, and halving bounds them: a sweep of N settings
compiles at most log2(N) more. A batch never shrinks below two rows a device: XLA lowers a batch of one
otherwise (it drops the unit axis), which changed a tile's float32 rounding at every size tried. From two
rows up the tiles came out bit for bit those of the whole batch on the tiny test VGGs and vgg16-hed at 64 px,
but not at 128 px, where XLA's CPU convolutions round a batch of 2 and one of 4 differently: after 30 more
steps a running tile's loss was 0.08% and 0.47% off (BENCHMARKS.md, "Sweeps that stop tiles"); hence opt-in.
A batch split over several devices keeps a multiple of their number, the last running tile repeated, as
`sweep` pads it. A sweep's checkpoint keeps a shrunk batch as it is, and `resumed` rebuilds it at that size.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import jax
import numpy as np
from jax.sharding import NamedSharding

from jaxart import optimize, plateau
from jaxart.targets import Targets


class Running(NamedTuple):
    """The rows a sweep steps: the carry, loss weights and targets of the tiles in `rows` (their indices in
    the whole padded batch, None: all of it), and `whole`, the whole batch's carry (None while not shrunk)."""

    carry: optimize.Carry
    lw: Any
    targets: Targets
    rows: np.ndarray | None = None
    whole: optimize.Carry | None = None


def smaller_rows(ok: np.ndarray, rows: np.ndarray, n: int, multiple: int) -> np.ndarray | None:
    """The rows of a batch of the running tiles alone, or None where it would not be at most half as large.

    Args:
      ok: (B,) bool, each current row's tile still running.
      rows: (B,) int, each current row's index in the whole batch; the first `n` are the settings, the rest
        repeat the last one (padding).
      multiple: the batch is a multiple of this (the devices it is split over).
    """
    running = np.unique(rows[ok & (rows < n)])
    size = -(-max(len(running), 2 * multiple) // multiple) * multiple
    if not len(running) or 2 * size > len(rows):
        return None
    return np.concatenate([running, np.full(size - len(running), running[-1])])


def shrunk(run: Running, n: int, multiple: int, sharding: NamedSharding, per_setting: bool) -> Running:
    """`run` in a batch of its running tiles where at least half of its rows have stopped (`smaller_rows`),
    the whole batch's carry updated with where the others stopped; else `run` as it is."""
    rows = np.arange(len(run.carry.ok)) if run.rows is None else run.rows
    new = smaller_rows(np.asarray(run.carry.ok), rows, n, multiple)
    if new is None:
        return run
    whole = whole_carry(merged(run))
    take, at = _taken(sharding), _where(new, rows)  # the running rows are among the current ones
    grams = take(run.targets.grams, at) if per_setting else run.targets.grams
    return Running(take(run.carry, at), take(run.lw, at), run.targets._replace(grams=grams), new, whole)


def resumed(whole: optimize.Carry, part: optimize.Carry | None, rows: np.ndarray | None, lw: Any, targets: Targets,
            sharding: NamedSharding, per_setting: bool) -> Running:
    """The `Running` a sweep's checkpoint kept (sweep_state.py): the whole batch, or where it had shrunk, the smaller
    batch's carry `part` of the whole batch's `rows`, with their loss weights and Grams taken as `shrunk` took them."""
    if rows is None:
        return Running(whole, lw, targets)
    take = _taken(sharding)
    grams = take(targets.grams, rows) if per_setting else targets.grams
    return Running(part, take(lw, rows), targets._replace(grams=grams), rows, whole)


def merged(run: Running) -> Running:
    """`run` with its whole batch's carry brought up to date with the running tiles' rows (the first of
    each: a repeated one is the same tile); `run` itself where it is not shrunk."""
    if run.whole is None:
        return run
    first = np.unique(run.rows, return_index=True)[1]
    return run._replace(whole=_merged(run.carry.ok.sharding)(run.whole, run.carry, run.rows[first], first))


def whole_carry(run: Running) -> optimize.Carry:
    """The whole batch's carry of a `merged` run."""
    return run.carry if run.whole is None else run.whole


def _where(new: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Each of `new`'s whole-batch rows' position in the current batch's `rows` (its first)."""
    return np.array([int(np.flatnonzero(rows == r)[0]) for r in new])


@functools.lru_cache(maxsize=16)
def _taken(sharding: NamedSharding):
    """`take(tree, at)`: the rows `at` of every leaf of a batched tree, placed by the batch's `sharding`."""
    return jax.jit(lambda tree, at: jax.tree.map(lambda a: a[at], tree), out_shardings=sharding)


@functools.lru_cache(maxsize=16)
def _merged(sharding: NamedSharding):
    """`merge(whole, part, at, src)`: `whole` with its rows `at` set to `part`'s rows `src`, in place."""
    def merge(whole, part, at, src):
        return jax.tree.map(lambda w, p: w.at[at].set(p[src]), whole, part)

    return jax.jit(merge, donate_argnums=0, out_shardings=sharding)


def stop_converged(run: Running, losses: list[dict[int, float]], step: int, tolerance: float,
                    stopped: np.ndarray, n: int) -> tuple[Running, np.ndarray]:
    """`run` with the settings whose loss converged at `step` (`plateau.converged` of each one's `losses`,
    which this adds to) stopped, and `stopped` (over the whole padded batch) marking them: ok False, which
    the step keeps as they are, so their image and step count stay this step's (the sweep gives their ok
    back at the end). The padding repeats the last setting's answer. The new ok keeps the old one's
    placement: another would compile the step again."""
    carry, rows = run.carry, np.arange(len(run.carry.ok)) if run.rows is None else run.rows
    ok, values = np.asarray(carry.ok), np.asarray(carry.value)
    for row, value in zip(rows, values):
        if row < n:
            losses[row][step] = float(value)
    now = np.array([plateau.converged(tested, step, tolerance) for tested in losses])
    now = now[np.minimum(rows, n - 1)] & ok  # not one whose loss became NaN or inf
    if not now.any():
        return run, stopped
    stopped = stopped.copy()
    stopped[rows[now]] = True
    return run._replace(carry=carry._replace(ok=jax.device_put(ok & ~now, carry.ok.sharding))), stopped
