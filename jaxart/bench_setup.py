"""What every benchmark times: the paper's loss on random VGG19 weights and a random (content, style)
pair, and its loss+gradient compiled as the optimizer compiles it.

Random weights are used: timing does not depend on the values.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from jaxart import objective, optimize, targets
from jaxart.config import StyleConfig
from jaxart.weights.random_init import random_weights

# The loss every benchmark times: the paper's, as the PyTorch baseline computes it, without the
# mirrored margin that stylize adds by default (StyleConfig.margin; its cost is in BENCHMARKS.md).
PAPER = StyleConfig(margin=0)


def sizes_or_default(sizes: tuple[int, ...] | list[int] | None) -> tuple[int, ...]:
    """`sizes` (empty: no rows per size, time to quality alone), or where None bench's default: 256 and 512 px, and
    1024 too on a GPU (any backend but the CPU), as issue 5 asks; a CPU takes many times as long at 1024 px as at 512,
    so there it is asked for by name."""
    from jaxart import devices

    return tuple(sizes) if sizes is not None else (256, 512) + ((1024,) if devices.platform() != "cpu" else ())


def inputs(size: int, arch: str = "vgg19"):
    """Random weights and a random size x size (content, style) pair: what every row times."""
    w = random_weights(jax.random.PRNGKey(0), arch)
    rng = np.random.default_rng(0)
    content, style = (rng.random((size, size, 3), dtype=np.float32) for _ in range(2))
    return w, content, style


def setup(size: int, arch: str = "vgg19", config: StyleConfig | None = None):
    """A loss function over a size x size image, its starting point, and the config."""
    config = (config or PAPER).replace(size=size)
    w, content, style = inputs(size, arch)
    # As `jaxart stylize` makes them: one program per image, XLA's convolutions. One program for both
    # images, at `config.conv`, held 1211 MiB at once at 512 px, above the loss+gradient's compile
    # and first evaluation (906 MiB): `bench --memory`'s process peak was the targets', not the run's.
    aim = targets.compute_targets(w, content, [style], config)
    fun = objective.loss_function(w, aim, config, objective.LossWeights.of(config))
    return fun, jnp.asarray(content), config


def compile_gradient(fun, x):
    """The loss+gradient of `fun` at `x`'s shape, compiled as the optimizer compiles it; call it
    as `compiled(fun, x)`."""
    vg = jax.jit(lambda f, x: jax.value_and_grad(f, has_aux=True)(x), compiler_options=optimize.compiler_options())
    return vg.lower(fun, x).compile()
