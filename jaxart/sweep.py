"""Sweeps: a grid of loss weights and seeds run as one vmapped, compiled program, over all devices.

The loss weights are traced values (`objective.LossWeights`), so every setting of a grid shares
one compiled step: `jax.vmap` turns N settings into one batch. With several local devices the
batch is split over a 1-D `jax.sharding.Mesh` (axis "batch"); weights and targets are
replicated. The step is driven from Python on every backend, as `optimize.minimize` does on CPU
(where an XLA loop runs the VGG gradient ~2.4x slower, jax-ml/jax#12868); `callback` reports
every step. The batched programs are in batched.py; coarse to fine runs the whole batch at each
scale of `scales.schedule`, as `scales.run` runs one image. Every setting's inputs, targets and
result are those of a run (`inputs.prepared_inputs` and `starting_image`, `transfer.prepared_targets`
and `finished`), so colours, region masks and the painting's scale (swept or not) hold as they do there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec
from jax.typing import ArrayLike

from jaxart import batched, guided, inputs, margin, objective, optimize, scales, transfer
from jaxart.batched import make_batched_step
from jaxart.config import StyleConfig
from jaxart.duplicates import repeated
from jaxart.errors import InputError
from jaxart.image import fit
from jaxart.settings import MAX_SETTINGS, Setting, as_settings, check_paintings, gram_sets, grid, same_run
from jaxart.targets import check_config
from jaxart.vgg import Weights, check_weights

__all__ = ["AXIS", "MAX_SETTINGS", "Setting", "SweepResult", "batch_mean", "batch_mesh", "check",
           "check_memory", "grid", "make_batched_step", "repeated", "sweep"]  # the grid's names from settings.py too

AXIS = "batch"


class SweepResult(NamedTuple):
    images: np.ndarray  # (N, H, W, 3) float32 in [0, 1], one per setting, in grid order
    terms: dict[str, np.ndarray]  # "total", "content", "style", "tv": (N,) final loss terms
    ok: np.ndarray  # (N,) bool: False where the loss became NaN/inf (that image is its last finite one)
    settings: tuple[Setting, ...]
    devices: int  # how many devices the batch was split over
    seconds: float
    steps: np.ndarray  # (N,) int: the steps each setting took (fewer where its loss became NaN/inf)


def check(config: StyleConfig, settings: Sequence[Setting], arch: str | None = None,
          paintings: int | None = None) -> None:
    """Raise a ValueError naming the first bad setting, before any work; `paintings`, their count where known."""
    if not settings:
        raise InputError("the sweep grid is empty; give at least one value for each weight")
    config.validate(arch)
    check_paintings(config, settings, paintings)
    for s in settings:
        try:
            s.apply(config).validate()
        except ValueError as e:  # which of the grid's settings: the others are fine
            scale = "" if s.style_scale is None else f", style scale {s.style_scale:g}"
            raise InputError(f"the setting style {s.style_weight:g}, content {s.content_weight:g}, tv "
                             f"{s.tv_weight:g}, seed {s.seed}{scale}: {e}") from None
    if len(seeds := sorted({s.seed for s in settings})) > 1 and config.init != "random":
        raise InputError(f"seeds {', '.join(map(str, seeds))} would give identical images: a seed only sets a random "
                         f"start, and init is {config.init!r}; use init='random' (--init random), or give one seed")
    if (pair := same_run(settings, config)) is not None:
        first, twice = pair  # a weight of 0 and one of -0 are one value written two ways
        said = (f"the setting {twice} is listed twice" if repr(first) == repr(twice)
                else f"the settings {first} and {twice} are the same")
        raise InputError(f"{said}, which would give two identical images; list each setting once")


def batch_mean(carry: optimize.Carry, n: int) -> tuple[float, dict[str, float]]:
    """The mean loss and loss terms of a batched `carry` over its `n` settings, leaving out the
    repeated last setting the batch is padded with (`sweep`'s `devices`)."""
    return float(carry.value[:n].mean()), {k: float(v[:n].mean()) for k, v in carry.aux.items()}


def check_memory(config: StyleConfig, settings: int, arch: str = "vgg19", available: int | None = None,
                 photo: tuple[int, int] | None = None, paintings: Sequence[tuple[int, int]] = (),
                 flag: str = "--size", count_flag: str | None = None, mask: tuple[int, int] | None = None) -> int:
    """Raise an InputError if the photo is too small for the first scale (`scales.check_photo`), or
    `settings` images at once will not fit in a device's memory at the largest scale, `config.size`;
    else return the estimated peak bytes per device. `photo` and `paintings` are the (height, width)
    of the files as read, and `mask` the mask's (`memory.check`); the photo is a square of `config.size` if not known.
    `flag` is the option the advice names for the size; `count_flag`, if given, the one for the count."""
    from jaxart import footprint, memory

    per_device = -(-settings // jax.local_device_count())
    photo = photo or (config.size, config.size)
    scales.check_photo(config, photo, flag)
    need = lambda n, c=config: footprint.files_bytes(c, arch, photo, paintings, images=n, mask=mask)  # noqa: E731
    free = memory.available_bytes() if available is None else available
    if need(per_device) > free:
        fits = memory.largest(lambda n: need(n) <= free, 0, per_device)
        most = jax.local_device_count() * fits
        size = memory.size_hint(config, photo, lambda c: need(per_device, c) <= free, flag)
        advice = (f"even one setting does not fit; use {size}" if not fits
                  else f"use {count_flag} {most} or less, or {size}" if count_flag
                  else f"sweep at most {most} setting{'s' * (most > 1)} at a time, or use {size}")
        raise InputError(f"a sweep of {settings} setting{'s' * (settings != 1)} at {config.size} px needs about "
                         f"{memory.gib(need(per_device))} but only {memory.gib(free)} is free; {advice}")
    return need(per_device)


def batch_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh:
    """A 1-D mesh over `devices` (default: all local devices) with axis name "batch"."""
    return Mesh(np.asarray(devices if devices is not None else jax.local_devices()), (AXIS,))


def sweep(
    content: ArrayLike,
    style: ArrayLike | Sequence[ArrayLike],
    weights: Weights,
    config: StyleConfig,
    settings: Sequence[Setting],
    *,
    callback: Callable[[int, optimize.Carry], None] | None = None,
    devices: Sequence[jax.Device] | None = None,
) -> SweepResult:
    """Stylize `content` once per setting, all settings as one batched program.

    Args:
      content: (H, W, 3) RGB photo in [0, 1], resized to `config.size` (long side).
      style: one (h, w, 3) RGB painting in [0, 1], or a list of them, each of its own size: blended by
        `config.style_blend` (a setting's `painting`: that one alone), or with `config.mask` one per
        region, R of them in the order of `config.region_colors` (painting r paints region r, as
        `jaxart.run` does); every setting shares the (R, H, W) regions, resized at each scale.
      weights: a `Weights`.
      config: everything but the swept values (layers, size, steps, optimizer, init, colors, ...).
      settings: the grid, e.g. from `grid(...)`; each overrides the loss weights and seed, and the
        style scale and painting where it has them (several give each setting its own style targets).
      callback: `callback(step, carry)` after every step, batched carry on device; steps count over all scales.
      devices: split the batch over these (default: all local devices), padded to a multiple of
        their number by repeating the last setting.

    Returns:
      A `SweepResult` whose image i is `jaxart.run` of `settings[i].apply(config)` (and its painting)
      from the same start, but not to the pixel: batching changes float32 rounding, which L-BFGS
      amplifies, so tiles drift apart from a run as steps add up (README, "Sweeps"). Several scales
      run as `scales.run` runs them: the whole batch at each size, each tile from its own pixels, upsampled.
    """
    start = time.perf_counter()
    check_weights(weights)  # a name, such as "vgg16", failed on .arch
    check_config(config)
    if callback is not None and not callable(callback):  # else refused only after the first step compiled
        raise TypeError(f"callback must be a function of (step, carry), or None, got {type(callback).__name__}")
    settings = as_settings(settings)
    content = inputs.checked_image(content, "photo")
    inputs.check_small(config, content.shape)  # a size below 16 px: the least that works for this photo
    styles = list(style) if isinstance(style, (list, tuple)) else [style]  # paintings may differ in size
    check(config, settings, weights.arch, len(styles))
    scales.check_photo(config, content.shape)  # every scale, before any work, as transfer.run does
    mesh = batch_mesh(devices)
    n = len(settings)
    padded = settings + settings[-1:] * (-n % mesh.size)
    # The paintings and their scales: one (the common case) is the config's and shared targets, as
    # before; several give each setting its own Grams, computed once per (painting, scale) (`_targets`).
    painted, which = gram_sets(padded, config)
    config, per_setting = config.replace(style_scale=painted[0][1]), len(painted) > 1
    lw = objective.LossWeights(*(jnp.asarray([getattr(s, f"{k}_weight") for s in padded], jnp.float32)
                                for k in objective.LossWeights._fields))
    opt = transfer.optimizer(config)
    batch, shared = NamedSharding(mesh, PartitionSpec(AXIS)), NamedSharding(mesh, PartitionSpec())
    lw, weights = jax.device_put(lw, batch), jax.device_put(weights, shared)
    offset, before, plan = 0, None, scales.schedule(config)
    masks = [None] * len(plan)  # every scale's region masks from one read of the file, as scales.run takes them
    if config.mask is not None:
        masks = guided.scaled_masks(config, [fit(content.shape, size) for size, _ in plan], len(styles))
    for (size, count), regions in zip(plan, masks):
        carry = None  # the previous scale's state is not held while this one's is made
        stage = scales.stage_config(config, size, count)
        photo, prepared, targets = _targets(weights, content, styles, stage, painted, which if per_setting else None,
                                            batch, shared, regions)
        x0 = jax.device_put(_starts(prepared, stage, padded, before), batch)
        carry = batched.init(opt, objective.loss_config(stage), batch, per_setting)(x0, lw, weights, targets)
        carry = _continued(carry, before)
        step = batched.make_batched_step(opt, stage, per_setting)
        for i in range(count):
            if not bool(jnp.any(carry.ok)):
                break
            carry = step(carry, lw, weights, targets)
            if callback is not None:
                callback(offset + i + 1, carry)
        offset += count
        # What the next scale continues, as scales.run does: the optimized pixels (not the finished
        # image) without the margin, and not the optimizer's state; the steps count over all scales.
        before = carry._replace(params=margin.crop(carry.params, photo.shape), opt_state=None,
                                count=carry.count + (0 if before is None else before.count))
    devices_used = len(carry.params.sharding.device_set)
    # The final loss by XLA's own convolutions, as `transfer.run` takes it (once per run, so
    # Winograd's transforms would only cost compile time): a tile records the loss stylize would.
    total, terms = batched.loss(objective.loss_config(stage).replace(conv="direct"), per_setting)(
        carry.params, lw, weights, targets)
    terms = {k: np.asarray(v)[:n] for k, v in {"total": total, **terms}.items()}
    images = jax.vmap(lambda x: transfer.finished(x, photo, config.colors))(carry.params)
    return SweepResult(np.asarray(images)[:n], terms, np.asarray(carry.ok)[:n], settings,
                       devices_used, time.perf_counter() - start, np.asarray(before.count)[:n])


def _targets(weights: Weights, content: np.ndarray, styles: list, config: StyleConfig,
             painted: list[tuple[int | None, float]], which: list[int] | None, batch: NamedSharding,
             shared: NamedSharding, masks: jax.Array | None):
    """(photo, prepared photo, targets) at this scale, as a run prepares them (`inputs.prepared_inputs`,
    `transfer.prepared_targets` with the region `masks` at this size), inside the margin (margin.py).
    One (painting, style scale) set of `painted` (painting None: all) gives shared targets; several
    (`which`: each setting's index) their Grams ((C, C), or (R, C, C) with masks) once per set, gathered
    per setting on the batch axis, the content target and masks still shared."""
    photo, prepared, _ = inputs.prepared_inputs(content, styles, config)

    def of(painting: int | None, scale: float):  # the photo's preparation depends on neither
        sized = inputs.prepared_inputs(content, styles, config.replace(style_scale=scale))[2]
        return transfer.prepared_targets(weights, prepared, sized if painting is None else [sized[painting]],
                                         config, masks)

    targets = of(*painted[0])
    if which is None:
        return photo, prepared, jax.device_put(targets, shared)
    grams = [targets.grams] + [of(*key).grams for key in painted[1:]]
    index = np.asarray(which)
    gathered = {layer: jnp.stack([g[layer] for g in grams])[index] for layer in targets.grams}
    return photo, prepared, targets._replace(content=jax.device_put(targets.content, shared),
                                             grams=jax.device_put(gathered, batch),
                                             masks=jax.device_put(targets.masks, shared))


def _starts(content: np.ndarray, config: StyleConfig, settings: Sequence[Setting],
            before: optimize.Carry | None) -> jax.Array:
    """(N, H + 2m, W + 2m, 3): every setting's start at this scale, inside its margin: `config.init` at
    the first (one start per seed, so an --init image is read once, not once per tile), then the
    previous scale's pixels (`before.params`) upsampled to the prepared `content`'s shape."""
    if before is None:
        starts = {seed: inputs.starting_image(content, config.replace(seed=seed))
                  for seed in {s.seed for s in settings}}
        return jnp.stack([starts[s.seed] for s in settings])
    upsampled = lambda x: inputs.starting_image(content, config, scales.upsample(x, content.shape))  # noqa: E731
    return jax.vmap(upsampled)(before.params)


def _continued(carry: optimize.Carry, before: optimize.Carry | None) -> optimize.Carry:
    """A scale's starting `carry`, the settings whose loss became NaN or inf at an earlier scale (`before`)
    left as they ended: not stepped (ok False: the step keeps them), their loss the last finite one."""
    if before is None:
        return carry
    keep = lambda new, old: jnp.where(before.ok, new, old)  # noqa: E731
    value, aux = keep(carry.value, before.value), jax.tree.map(keep, carry.aux, before.aux)
    return carry._replace(ok=before.ok, value=value, aux=aux)
