"""Sweeps: a grid of loss weights and seeds run as one vmapped, compiled program, over all devices.

The loss weights are traced values (`objective.LossWeights`, and where the settings weigh the style
layers differently, each layer's weight too), so every setting of a grid shares one compiled step:
`jax.vmap` turns N settings into one batch. With several local devices the batch is split over a 1-D
`jax.sharding.Mesh` (axis "batch"); weights and targets are replicated. The step is driven from
Python on every backend, as `optimize.minimize` does on CPU
(where an XLA loop runs the VGG gradient ~2.4x slower, jax-ml/jax#12868); `callback` reports
every step. With a `tolerance` (plateau.py) each setting stops on its own once its loss converged, as
`stylize --tolerance` stops a run: its tile keeps that step's image while the others go on (the batch
still computes it, unless `shrink_batch` steps the others in a smaller one once half have stopped). The
batched programs are in batched.py, the checks in sweep_checks.py, each scale's inputs in sweep_inputs.py and the
batch's mesh, padding and result in sweep_batch.py; coarse to fine runs the whole batch at each scale of
`scales.schedule`, as `coarse_to_fine.run` runs one image. Every setting's inputs, targets and result are those of a
run (`inputs.prepared_inputs` and `starting_image`, `transfer.prepared_targets` and `finished_image.finished`), so
colours, region masks and the painting's scale (swept or not) hold as they do there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec
from jax.typing import ArrayLike

from jaxart import (batched, checkpoint, finished_image, inputs, kept, margin, mask_regions, objective, optimize,
                    optimizers, photo_size, plateau, scales, shrink, sweep_inputs, sweep_state, transfer)
from jaxart.batched import make_batched_step
from jaxart.config import StyleConfig
from jaxart.errors import InputError, given
from jaxart.image import WHITE, fit
from jaxart.settings import MAX_SETTINGS, Setting, as_settings, gram_sets, grid, layer_weight_sets
from jaxart.sweep_batch import (AXIS, SweepResult, batch_mean, batch_mesh, continued as _continued,
                                tile_terms as _terms)
from jaxart.sweep_checks import check, check_memory
from jaxart.sweep_state import SweepState
from jaxart.targets import as_paintings, check_config
from jaxart.vgg import Weights
from jaxart.weightset import check_weights

__all__ = ["AXIS", "MAX_SETTINGS", "Setting", "SweepResult", "batch_mean", "batch_mesh", "check", "check_memory",
           "grid", "make_batched_step", "sweep"]  # some from settings.py, sweep_checks.py, batched.py, sweep_batch.py


def sweep(
    content: ArrayLike,
    style: ArrayLike | Sequence[ArrayLike],
    weights: Weights,
    config: StyleConfig,
    settings: Sequence[Setting],
    *,
    callback: Callable[[int, optimize.Carry], bool | None] | None = None,
    devices: Sequence[jax.Device] | None = None,
    tolerance: float = 0.0,
    shrink_batch: bool = False,
    background: Sequence[int] = WHITE,
    on_state: Callable[[SweepState], None] | None = None,
    resume: checkpoint.Checkpoint | None = None,
) -> SweepResult:
    """Stylize `content` once per setting, all settings as one batched program.

    Args:
      content: (H, W, 3) RGB photo in [0, 1], resized to `config.size` (long side).
      style: one (h, w, 3) RGB painting in [0, 1], or a list of them, each of its own size (or an (N, h, w, 3)
        stack), as `jaxart.run` takes them; a bad one is named "painting k (index k-1)": blended by
        `config.style_blend` (a setting's `painting`: that one alone), or with `config.mask` one per
        region, R of them in the order of `config.region_colors` (painting r paints region r, as
        `jaxart.run` does); every setting shares the (R, H, W) regions, resized at each scale.
      weights: a `Weights`.
      config: everything but the swept values (layers, size, steps, optimizer, init, colors, ...).
      settings: the grid, e.g. from `grid(...)`; each overrides the loss weights and seed, and the
        style scale and painting where it has them (several give each setting its own style targets),
        and the weights of `config.style_layers` (0 turns a layer off; one program takes them all).
      callback: `callback(step, carry)` after every step, batched carry on device; steps count over all scales.
        That carry is valid during the call only: the next step donates its buffers, so copy what you keep
        (`np.asarray(carry.params)`; a kept carry reads "Array has been deleted").
        Returning True (`optimize.asks_stop`) ends the sweep there, as it ends `jaxart.run`: each tile is
        that step's image (of that scale), its running settings `stopped`.
      devices: split the batch over these (default: all local devices), padded to a multiple of
        their number by repeating the last setting.
      tolerance: 0 (off), or stop each setting once its total loss fell by less than this fraction over the last
        `plateau.WINDOW` steps of the last scale, as `stylize --tolerance` stops a run; the sweep ends once every
        setting has stopped (no more callbacks). One that never could (`plateau.check_can_stop`) is an InputError.
      shrink_batch: once at least half the batch has stopped (`tolerance`, or a NaN/inf loss), step the
        others in a batch of their own (shrink.py): a stopped tile is not computed again, each smaller batch
        compiles the step once more, and the running tiles' float32 rounding may change as a batch's does
        (README, "Sweeps"); the result's `shrank` says where. False (the default): the whole batch to the end.
      background: 8-bit (r, g, b) under the transparent pixels of a `config.init` image file, as `jaxart.run` takes it.
      on_state: `on_state(state)` after every step and its tolerance test, a `sweep_state.SweepState` whose carry is
        on the device: what a checkpoint of the sweep keeps (`sweep_state.kept`, `sweep_state.meta`).
      resume: a checkpoint of such a state, made by this sweep (the same arguments): the sweep continues from its
        step to the images the uninterrupted sweep gives.

    Returns:
      A `SweepResult` whose image i is `jaxart.run` of `settings[i].apply(config)` (and its painting)
      from the same start, but not to the pixel: batching changes float32 rounding, which L-BFGS
      amplifies, so tiles drift apart from a run as steps add up (README, "Sweeps"). Several scales
      run as `coarse_to_fine.run` runs them: the whole batch at each size, each tile from its own pixels, upsampled.
    """
    start = time.perf_counter()
    check_weights(weights)  # a name, such as "vgg16", failed on .arch
    check_config(config)
    tolerance = plateau.checked(tolerance, config)
    if not isinstance(shrink_batch, (bool, np.bool_)):  # "no" and other strings were true, so shrank
        raise InputError(f"shrink_batch must be True or False, got {shrink_batch!r}", settings=["shrink_batch"])
    if callback is not None and not callable(callback):  # else refused only after the first step compiled
        raise TypeError(f"callback must be a function of (step, carry), or None, got {given(callback)}")
    settings = as_settings(settings)
    content = inputs.checked_image(content, "photo")
    photo_size.check_small(config, content.shape)  # a size below 16 px: the least that works for this photo
    # As run takes them: an (N, h, w, 3) stack is N paintings (it was one, refused as "a batch"), a list may
    # hold paintings of different sizes, and nested lists three deep are one painting (their rows were paintings).
    styles = as_paintings(style)
    check(config, settings, weights.arch, len(styles))
    photo_size.check_photo(config, content.shape)  # every scale, before any work, as transfer.run does
    mesh = batch_mesh(devices)
    n = len(settings)
    padded = settings + settings[-1:] * (-n % mesh.size)
    # The paintings and their scales: one (the common case) is the config's and shared targets, as
    # before; several give each setting its own Grams, computed once per (painting, scale) (sweep_inputs.py).
    painted, which = gram_sets(padded, config)
    config, per_setting = config.replace(style_scale=painted[0][1]), len(painted) > 1
    lw = objective.LossWeights(*(jnp.asarray([getattr(s, f"{k}_weight") for s in padded], jnp.float32)
                                for k in objective.LossWeights._fields))
    # Style layer weights: all alike are the config's, as before they were swept; else each setting's
    # are a traced value beside its loss weights, over the config's layers (0: a layer off), in one program.
    if (layered := layer_weight_sets(padded, config)) is None:
        config = config.replace(style_layer_weights=padded[0].apply(config).style_layer_weights)
    else:
        lw = lw, dict(zip(config.style_layers, jnp.asarray(layered.T)))
    opt = transfer.optimizer(config)
    batch, shared = NamedSharding(mesh, PartitionSpec(AXIS)), NamedSharding(mesh, PartitionSpec())
    lw, weights = jax.device_put(lw, batch), jax.device_put(weights, shared)
    offset, before, plan = 0, None, scales.schedule(config)
    since, end = plateau.first_step(config), scales.total_steps(config)
    losses, stopped = [{} for _ in settings], np.zeros(len(padded), bool)  # each setting's tested losses
    overflowed = np.zeros(len(padded), bool)  # Adam's state, each scale's as it ended (its next scale starts afresh)
    masks = [None] * len(plan)  # every scale's region masks from one read of the file, as coarse_to_fine.run takes them
    if config.mask is not None:
        masks = mask_regions.scaled_masks(config, [fit(content.shape, size) for size, _ in plan], len(styles))
    # Once, not at every scale for every (painting, style scale).
    styles = inputs.checked_paintings(styles, indexed=True)
    halted, shrank = False, []  # the callback asked to stop: no more steps, nor scales; the smaller batches
    at = None if resume is None else sweep_state.position(resume, plan, n)  # the (scale, step) to continue from
    for index, ((size, count), regions) in enumerate(zip(plan, masks)):
        if halted:
            break
        if at is not None and index < at[0]:  # done before the interruption: its state is in the checkpoint's
            offset += count
            continue
        carry = None  # the previous scale's state is not held while this one's is made
        stage = scales.stage_config(config, size, count)
        photo, prepared, targets = sweep_inputs.at_scale(weights, content, styles, stage, painted,
                                                         which if per_setting else None, batch, shared, regions)
        x0 = jax.device_put(sweep_inputs.starts(prepared, stage, padded, before, background), batch)
        carry = batched.init(opt, objective.loss_config(stage), batch, per_setting)(x0, lw, weights, targets)
        first, earlier = 0, np.zeros(len(padded), np.int32) if before is None else np.asarray(before.count, np.int32)
        if at is not None and index == at[0]:
            _, _, carry, earlier, stopped, losses, done, rows, part = sweep_state.restored(carry, resume, batch)
            first, shrank = at[1] - offset, list(done)
            run = shrink.resumed(carry, part, rows, lw, targets, batch, per_setting)
        else:
            run = shrink.Running(_continued(carry, before), lw, targets)
        step = batched.make_batched_step(opt, stage, per_setting, batch)
        for i in range(first, count):
            if shrink_batch:
                was, run = len(run.carry.ok), shrink.shrunk(run, n, mesh.size, batch, per_setting)
                if len(run.carry.ok) < was:
                    shrank.append((offset + i, len(run.carry.ok), size))
            if not bool(jnp.any(run.carry.ok)):
                break
            run = run._replace(carry=step(run.carry, run.lw, weights, run.targets))
            if callback is not None:
                run = shrink.merged(run)  # the callback sees every tile, the stopped ones where they stopped
                whole = shrink.whole_carry(run)
                if halted := optimize.asks_stop(callback(offset + i + 1, whole)):
                    stopped |= np.asarray(whole.ok)  # as run's stopped: not one whose loss became NaN or inf
                    break
            if tolerance and plateau.tested(offset + i + 1, since) and offset + i + 1 < end:
                run, stopped = shrink.stop_converged(run, losses, offset + i + 1, tolerance, stopped, n)
            if on_state is not None:
                on_state(SweepState(offset + i + 1, index, shrink.whole_carry(run), earlier, stopped, losses,
                                    tuple(shrank), run.rows, None if run.whole is None else run.carry))
        carry, offset = shrink.whole_carry(shrink.merged(run)), offset + count
        if config.optimizer == "adam":
            overflowed |= optimizers.overflowed_each(carry.opt_state)
        # What the next scale continues, as coarse_to_fine.run does: the optimized pixels (not the finished
        # image) without the margin, and not the optimizer's state; the steps count over all scales.
        before = carry._replace(params=margin.crop(carry.params, photo.shape), opt_state=None,
                                count=carry.count + earlier)
    devices_used = len(carry.params.sharding.device_set)
    # The final loss by XLA's own convolutions, as `transfer.run` takes it (once per run, so
    # Winograd's transforms would only cost compile time): a tile records the loss stylize would.
    final = batched.loss(objective.loss_config(stage).replace(conv="direct"), per_setting)
    terms = _terms(*final(carry.params, lw, weights, targets), n)
    images = jax.vmap(lambda x: finished_image.finished(x, photo, config.colors,
                                                       kept.photo_mask(regions, len(styles))))(carry.params)
    # Where a kept region or keep/luminance put the photo or its chroma back, the loss of each image written
    # too, as a run's record has it (transfer.run_scale): one more evaluation of the same compiled batch.
    written = None
    if not np.array_equal(images, before.params):
        within = jax.vmap(lambda x, image: finished_image.in_margin(x, image, config.colors))(carry.params, images)
        written = _terms(*final(jax.device_put(within, batch), lw, weights, targets), n)
    return SweepResult(np.asarray(images)[:n], terms, np.asarray(carry.ok)[:n] | stopped[:n], settings,
                       devices_used, time.perf_counter() - start, np.asarray(before.count)[:n], stopped[:n], written,
                       tuple(shrank), overflowed[:n])
