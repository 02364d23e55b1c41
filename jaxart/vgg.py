"""VGG16/19 in Flax: named activations, computed only up to the deepest layer asked for.

Convention: images are NHWC (or HWC) RGB float32 in [0, 1]; the preprocessing a weight set
needs travels with it in `Weights.preprocess` and is applied inside `features`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart import convs
from jaxart.arrays import as_pixels
from jaxart.layers import (CHANNELS, POOLINGS, STAGES, as_layers, check_layers, check_params, check_reach, conv_names,
                           layer_names, rgb_hint, stage_layer_names)
from jaxart.weightset import Preprocess, Weights, check_weights, compute_dtype

# layers.py's and weightset.py's names are re-exported: vgg.layer_names, vgg.compute_dtype and the rest are used widely
# (weightset.check_weights, which features calls too, is imported from there).
__all__ = [
    "CHANNELS", "POOLINGS", "STAGES", "VGG", "VGG16", "VGG19", "Preprocess", "Weights", "check_layers", "check_params",
    "check_reach", "compute_dtype", "conv_names", "features", "layer_names", "pool2x2",
    "stage_layer_names",
]


def pool2x2(x: ArrayLike, kind: str = "max") -> jax.Array:
    """2x2, stride-2 VALID pooling ("max" or "avg") of (..., H, W, C) `x` to a (..., H // 2, W // 2, C) JAX array
    in its dtype; an odd last row or column is dropped, as in VGG.

    A reshape and a reduction rather than `nn.max_pool`: XLA CPU lowers the latter's gradient
    (select-and-scatter) to index arrays and a scatter, and this form made a 512 px loss+gradient
    8% faster with 37% fewer temporaries, with the same gradient (BENCHMARKS.md, Levers).
    """
    x = jnp.asarray(x)  # a NumPy array pooled by NumPy came back a NumPy array
    *lead, h, w, c = x.shape
    x = x[..., : h // 2 * 2, : w // 2 * 2, :].reshape(*lead, h // 2, 2, w // 2, 2, c)
    return x.max(axis=(-4, -2)) if kind == "max" else x.mean(axis=(-4, -2))


class VGG(nn.Module):
    """The convolutional part of VGG: (N, H, W, 3) or (H, W, 3) preprocessed pixels (`Preprocess`)
    to a dict of every activation up to `last`, (N, h, w, C) or (h, w, C). `features` checks and
    preprocesses its inputs and builds one of these; `pooling` is "max" or "avg"."""

    stage_sizes: Sequence[int]
    widths: Sequence[int] = CHANNELS
    pooling: str = "max"
    last: str = "pool5"
    conv: str = "direct"  # a convs.CONVS choice, per layer by convs.uses_winograd
    dtype: jnp.dtype | None = None  # the convolutions' (None: pixels' and kernels' promoted, as nn.Conv's)

    @nn.compact
    def __call__(self, x: jax.Array) -> dict[str, jax.Array]:
        if self.last not in (names := stage_layer_names(self.stage_sizes)):
            # Else the whole network ran and returned everything, an unknown name silently.
            raise ValueError(f"last {self.last!r} is not a layer of this VGG; it has {names[0]} ... "
                             f"{names[-1]} (convB_I, reluB_I, poolB)")
        if self.pooling not in POOLINGS:  # else any other name pooled by the mean
            raise ValueError(f"pooling {self.pooling!r} is not supported; use 'max' or 'avg'")
        if x.ndim not in (3, 4) or x.shape[-1] != 3:  # else Flax's ScopeParamShapeError on conv1_1's kernel
            raise ValueError(f"VGG takes (N, H, W, 3) or (H, W, 3) pixels, got shape {x.shape}")
        out = {}
        for b, (n, ch) in enumerate(zip(self.stage_sizes, self.widths), 1):
            for i in range(1, n + 1):
                fn = convs.conv_for(self.conv, b, ch, x.shape[-3] * x.shape[-2])
                x = nn.Conv(ch, (3, 3), padding="SAME", name=f"conv{b}_{i}", conv_general_dilated=fn,
                            dtype=self.dtype)(x)
                out[f"conv{b}_{i}"] = x
                if self.last == f"conv{b}_{i}":
                    return out
                x = out[f"relu{b}_{i}"] = nn.relu(x)
                if self.last == f"relu{b}_{i}":
                    return out
            x = out[f"pool{b}"] = pool2x2(x, self.pooling)
            if self.last == f"pool{b}":
                return out
        return out


VGG16 = functools.partial(VGG, stage_sizes=STAGES["vgg16"])
VGG16.__doc__ = "VGG with VGG16's stages (2, 2, 3, 3, 3 convolutions): `VGG16(last='relu4_2')`."
VGG19 = functools.partial(VGG, stage_sizes=STAGES["vgg19"])
VGG19.__doc__ = "VGG with VGG19's stages (2, 2, 4, 4, 4 convolutions): `VGG19(last='relu4_2')`."


def features(
    weights: Weights, image: ArrayLike, layers: Sequence[str], pooling: str = "max", remat: bool = False,
    conv: str = "direct",
) -> dict[str, jax.Array]:
    """VGG activations of `image` at the named layers.

    Args:
      weights: a `Weights` (from `jaxart.load_weights` or `random_weights`).
      image: (H, W, 3) or (N, H, W, 3) RGB float array with values in [0, 1], cast to
        `compute_dtype(weights)`. Only its dtype and shape are checked (integers are refused),
        never its values, which may be traced: floats on a 0..255 scale give activations 255
        times too large without an error, so divide them by 255 first (`stylize` and `run`,
        given concrete pixels, refuse them).
      layers: activation names such as ["relu4_2"] (a single name is one layer; a 1-D NumPy array of
        names is a sequence of them); only layers up to the deepest are computed. Under `jax.jit`, give
        them static as a tuple (`static_argnames="layers"`) or close over them: JAX hashes a static
        argument before `features` runs, so a list is JAX's own "Non-hashable static arguments" error.
      pooling: "max" (as trained) or "avg" (Gatys' choice for smoother results).
      remat: checkpoint each VGG stage (`jax.checkpoint`): a gradient then keeps only stage
        boundaries and the `layers` asked for, recomputing one stage at a time (one more
        forward pass). The values are the same; on XLA CPU the peak memory is only ~5% lower
        (346 against 366 MB at 512 px), because stage 1 dominates it (BENCHMARKS.md).
      conv: "direct" (XLA's convolutions), "winograd" (winograd.py in stages 2-5; values within
        ~1e-5; reverse-mode differentiable only), "winograd-bf16" (the same values, the image
        gradient's products in bfloat16: within ~1.5%) or "auto" (Winograd on CPU where it pays:
        a 512 px loss+gradient in 0.67x the time; bfloat16 gradients on CPUs with AMX or
        AVX512-BF16). See `convs.CONVS`, `convs.uses_winograd` and `convs.gradient_products`.

    Returns:
      A dict from each name in `layers` to its activation, (h, w, C) or (N, h, w, C), in
      `compute_dtype(weights)`: float32 for loaded weights, whatever the pixels' float dtype.

    Raises:
      ValueError: at trace time, for an unknown layer, pooling or conv, an image of another
        shape or too small for the deepest layer, or params that are not `weights.arch`'s;
        an `InputError` (a ValueError) for integer or bool pixels, or an array of no numbers (objects,
        strings, dates) or a ragged list, naming what it holds.
      TypeError: `weights` is not a `Weights` (its `params` alone, say), `layers` is None or no sequence of
        names (a number, a 0-D or 2-D array), or `remat` is no bool (a traced one: make it static); forward-mode
        differentiation (`jax.jvp`, `jax.jacfwd`) where `conv` computes by Winograd: give conv="direct". Through
        a `jax.jit` of your own (`jax.jvp(jax.jit(f), ...)`) the TypeError is JAX's "can't apply forward-mode
        autodiff (jvp) to a custom_vjp function" (the same remedy): jit traces `features` before jvp reaches it,
        and JAX raises as it compiles the jvp, where no jaxart code runs (`winograd.conv3x3`).
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pooling {pooling!r} is not supported; use 'max' or 'avg'")
    if not isinstance(remat, (bool, np.bool_)):  # traced: a TracerBoolConversionError; "no": remat on
        raise TypeError(f"remat must be True or False, got {_described(remat)}"
                        + ("; it chooses the program, so make it static (static_argnames='remat') or close over it"
                           if isinstance(remat, jax.core.Tracer) else ""))
    convs.check(conv)
    check_weights(weights)
    layers = as_layers(layers)
    check_layers(weights.arch, layers)
    image = as_pixels(image)
    if (hint := rgb_hint(image.shape)) is not None:
        raise ValueError(f"image must be (H, W, 3) or (N, H, W, 3), got shape {image.shape}; {hint}")
    order = layer_names(weights.arch)
    last = max(layers, key=order.index)
    check_reach(image.shape[-3:-1], last)
    check_params(weights.params, weights.arch, order[: order.index(last) + 1])
    image = image.astype(compute_dtype(weights))
    batched = image if image.ndim == 4 else image[None]
    try:
        if remat:
            names = order[: order.index(last) + 1]
            out = _remat_forward(weights.params, weights.preprocess(batched), names, pooling, layers, conv)
        else:
            widths = tuple(weights.params[f"conv{b}_1"]["bias"].shape[0] for b in range(1, 6))
            # dtype: half-precision kernels met float32 pixels by implicit promotion, an error under strict promotion.
            model = VGG(stage_sizes=STAGES[weights.arch], widths=widths, pooling=pooling, last=last, conv=conv,
                        dtype=image.dtype)
            out = model.apply({"params": weights.params}, weights.preprocess(batched))
    except TypeError as e:  # JAX's words named neither Winograd nor conv, which StyleConfig's "auto" chose
        if conv == "direct" or "forward-mode autodiff" not in str(e):
            raise
        raise TypeError(f"conv {conv!r} computes VGG's stages 2-5 by Winograd{' on CPU' * (conv == 'auto')}, which "
                        "is differentiable in reverse mode only (jax.grad, jax.vjp, jax.hessian); for jax.jvp or "
                        "jax.jacfwd give conv='direct' (StyleConfig(conv='direct') for total_loss)") from None
    return {k: out[k] if image.ndim == 4 else out[k][0] for k in layers}


def _described(value) -> str:
    return f"a traced {value.dtype}" if isinstance(value, jax.core.Tracer) else repr(value)


def _remat_forward(params: dict, x: jax.Array, names: Sequence[str], pooling: str, keep: Sequence[str],
                   conv: str) -> dict:
    """The layers `names` (in order) of (N, H, W, 3) preprocessed `x`, one `jax.checkpoint` per stage.

    The same operations as `VGG` (lax SAME convolution, ReLU, 2x2 pooling) on the raw parameter
    tree; returns only the activations in `keep`, the ones a loss reads (and so stores anyway).
    """
    out = {}
    for b in sorted({int(n[4]) for n in names}):
        stage = tuple(n for n in names if int(n[4]) == b)

        def run(p, x, stage=stage, b=b):
            acts = {}
            for name in stage:
                if name.startswith("conv"):
                    # In x's dtype, as `VGG` computes: other weights' dtypes fail under strict promotion.
                    kernel, bias = (jnp.asarray(p[name][k], x.dtype) for k in ("kernel", "bias"))
                    fn = (convs.conv_for(conv, b, kernel.shape[-1], x.shape[1] * x.shape[2])
                          or jax.lax.conv_general_dilated)
                    x = fn(x, kernel, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
                    x = x + bias.reshape(1, 1, 1, -1)
                elif name.startswith("relu"):
                    x = nn.relu(x)
                else:
                    x = pool2x2(x, pooling)
                acts[name] = x
            return x, {k: acts[k] for k in keep if k in acts}

        x, acts = jax.checkpoint(run)({n: params[n] for n in stage if n in params}, x)
        out.update(acts)
    return out
