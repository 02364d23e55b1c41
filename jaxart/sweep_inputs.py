"""A sweep's inputs at each scale: the photo, targets and starting pixels every setting is run from, as a run
prepares its own (`inputs.prepared_inputs` and `starting_image`, `transfer.prepared_targets`); sweep.py runs them.
Its checks before any work are in sweep_checks.py, which imports no JAX.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import NamedSharding

from jaxart import coarse_to_fine, inputs, optimize, transfer
from jaxart.config import StyleConfig
from jaxart.image import WHITE
from jaxart.settings import Setting
from jaxart.vgg import Weights


def at_scale(weights: Weights, content: np.ndarray, styles: list, config: StyleConfig,
             painted: list[tuple[int | None, float]], which: list[int] | None, batch: NamedSharding,
             shared: NamedSharding, masks: jax.Array | None):
    """(photo, prepared photo, targets) at this scale of the checked `content` and `styles`, as a run
    prepares them (`inputs.prepared_inputs`, `transfer.prepared_targets` with the region `masks` at
    this size), inside the margin (margin.py).
    One (painting, style scale) set of `painted` (painting None: all) gives shared targets; several
    (`which`: each setting's index) their Grams ((C, C), or (R, C, C) with masks) once per set, gathered
    per setting on the batch axis, the content target and masks still shared."""
    # The photo's preparation depends on no painting: it is sized and recoloured once, each set its own
    # paintings only (all of them for each set took 8 paintings of 3000x2000 px to 1.6 GB and 36 s at --size 64).
    photo, prepared = inputs.prepared_photo(content, config)

    def of(painting: int | None, scale: float):
        chosen = styles if painting is None else [styles[painting]]
        sized = inputs.prepared_paintings(photo, chosen, config.replace(style_scale=scale))
        return transfer.prepared_targets(weights, prepared, sized, config, masks)

    targets = of(*painted[0])
    if which is None:
        return photo, prepared, jax.device_put(targets, shared)
    grams = [targets.grams] + [of(*key).grams for key in painted[1:]]
    index = np.asarray(which)
    gathered = {layer: jnp.stack([g[layer] for g in grams])[index] for layer in targets.grams}
    return photo, prepared, targets._replace(content=jax.device_put(targets.content, shared),
                                             grams=jax.device_put(gathered, batch),
                                             masks=jax.device_put(targets.masks, shared))


def starts(content: np.ndarray, config: StyleConfig, settings: Sequence[Setting],
           before: optimize.Carry | None, background: Sequence[int] = WHITE) -> jax.Array:
    """(N, H + 2m, W + 2m, 3): every setting's start at this scale, inside its margin: `config.init` at
    the first (one start per seed, so an --init image is read once, not once per tile; its transparency over
    `background`), then the previous scale's pixels (`before.params`) upsampled to the prepared `content`'s shape."""
    if before is None:
        by_seed = {seed: inputs.starting_image(content, config.replace(seed=seed), background=background)
                   for seed in {s.seed for s in settings}}
        return jnp.stack([by_seed[s.seed] for s in settings])
    upsampled = lambda x: inputs.starting_image(  # noqa: E731
        content, config, coarse_to_fine.upsample(x, content.shape))
    return jax.vmap(upsampled)(before.params)
