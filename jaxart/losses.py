"""Content, Gram-style and total-variation losses: pure functions of arrays.

Every loss is divided by the energy of its target, so the same weights work for any weight
set (caffe 0-255 inputs, torchvision inputs, or a normalized VGG whose activations have mean 1);
an all-zero target, with no energy to divide by, leaves its loss undivided.
Feature maps are (..., h, w, C); leading axes are batch axes, so everything vmaps and jits. A
batch of feature maps may meet one target (or several, if their batch axes broadcast): it is
broadcast explicitly, so the losses hold under `jax_numpy_rank_promotion="raise"`.

As a perceptual or style loss in your own training (examples/feedforward.py trains a
fast-style-transfer network this way), compute the painting's Grams once and differentiate
through `jaxart.features` with respect to your model's output, the weights an argument of your
jitted function (closed over, they are constants compiled into it: VGG16's 59 MB, compiled slower):

    >>> import jax, jax.numpy as jnp, jaxart
    >>> from jaxart import losses
    >>> w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=(4, 8, 8, 8, 8))
    >>> painting, photo = jnp.full((32, 32, 3), 0.3), jnp.full((32, 32, 3), 0.6)
    >>> style_layers = ["relu1_1", "relu2_1", "relu3_1"]
    >>> target = {k: losses.gram(v) for k, v in jaxart.features(w, painting, style_layers).items()}
    >>> def perceptual(w, output, photo):  # (H, W, 3) in [0, 1] each; scalar
    ...     f = jaxart.features(w, output, style_layers + ["relu2_2"])
    ...     c = jaxart.features(w, photo, ["relu2_2"])["relu2_2"]
    ...     return losses.content_loss(f["relu2_2"], c) + 10 * losses.style_loss(f, target)
    >>> loss = lambda w, x: jax.vmap(perceptual, (None, 0, None))(w, x, photo).mean()  # x: a batch of outputs
    >>> jax.jit(jax.grad(loss, argnums=1))(w, jnp.full((2, 32, 32, 3), 0.5)).shape
    (2, 32, 32, 3)

`jaxart.total_loss(weights, image, targets, config, jaxart.LossWeights.of(config))` does the same with a
`StyleConfig`'s layers and `jaxart.make_targets`' `Targets`; under `jax.jit` the config is static (`static_argnums=3`).
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart import blend
from jaxart.arrays import as_numbers, as_pixels, at_least_float32
from jaxart.errors import given
from jaxart.loss_weight_checks import check_layer_weights, check_weight

# loss_weight_checks.py's checks are re-exported, from before it was split off: losses.check_weight and the other.
__all__ = ["blend_grams", "check_layer_weights", "check_weight", "content_loss", "gram", "no_style", "relative",
           "style_layer_loss", "style_loss", "tv_loss", "widened"]

_EPS = 1e-12


def widened(x: ArrayLike, what: str = "array") -> jax.Array:
    """Any-shaped float `x` as float32 if it is float16 or bfloat16, else as it is (float32, float64),
    for sums over many positions: float16's sums of squares overflow and bfloat16's round (a VGG Gram
    is F^T F over thousands of them). Integers wrap around (uint8 255**2 is 1), so they are refused:
    a ValueError naming `what` ("gram's feature")."""
    x = as_numbers(x, what, "a float array")
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise ValueError(f"{what} is {x.dtype}; give a float array")
    return x if (wide := at_least_float32(x.dtype)) == x.dtype else x.astype(wide)


def _broadcast(a: jax.Array, b: jax.Array, core: int, what: str) -> tuple[jax.Array, jax.Array]:
    """`a` and `b` broadcast to their common batch axes (those before the last `core`): `a - b` promoted ranks
    implicitly, an error under jax_numpy_rank_promotion="raise"."""
    try:
        batch = jnp.broadcast_shapes(a.shape[:-core], b.shape[:-core])
    except ValueError:
        raise ValueError(f"{what}: batch axes {a.shape[:-core]} and {b.shape[:-core]} do not broadcast; give one "
                         "target, or one per feature map") from None
    return jnp.broadcast_to(a, batch + a.shape[-core:]), jnp.broadcast_to(b, batch + b.shape[-core:])


def relative(error: ArrayLike, energy: ArrayLike) -> jax.Array:
    """`error` over its target's `energy` (broadcast to `error`'s shape explicitly, for rank promotion "raise"); an
    all-zero target has none, so no scale to divide by, and its error stays as it is (the feature's own energy), where
    `energy + 1e-12` made it 10^12 times that, a loss that swamped every other term. Both branches are computed under
    jit and grad, so the other divides by 1, never by 0. `guided.style_loss` divides each region's error so too."""
    energy = jnp.broadcast_to(energy, jnp.shape(error))
    return error / jnp.where(energy > 0, energy + _EPS, 1)


def gram(feature: ArrayLike) -> jax.Array:
    """Normalized Gram matrix: channel correlations averaged over positions.

    Args:
      feature: (..., h, w, C) activation.

    Returns:
      (..., C, C) array equal to F^T F / (h w), with F the (h w, C) reshaped feature; float32 (or
      float64) for float16 and bfloat16 features too, whose sums would overflow or round.
    """
    f = widened(feature, "gram's feature")
    if f.ndim < 3:
        raise ValueError(f"gram needs an (..., h, w, C) feature map, got shape {f.shape}")
    h, w, c = f.shape[-3:]
    if h * w == 0:  # pooling left no pixel: the mean over positions would be NaN
        raise ValueError(f"gram needs at least one position, got a feature map of shape {f.shape}; give a "
                         "larger image or a shallower layer")
    return _gram(f.reshape(*f.shape[:-3], h * w, c))


@jax.custom_jvp
def _gram(f: jax.Array) -> jax.Array:
    return jnp.einsum("...pi,...pj->...ij", f, f) / f.shape[-2]


@_gram.defjvp
def _gram_jvp(primals, tangents):
    # d(F^T F) = T + T^T with T = F^T dF: one product instead of two, so the gradient
    # (its transpose) is F (G' + G'^T), one matmul per layer where autodiff makes two.
    (f,), (df,) = primals, tangents
    t = jnp.einsum("...pi,...pj->...ij", f, df) / f.shape[-2]
    return _gram(f), t + jnp.swapaxes(t, -1, -2)


def content_loss(feature: ArrayLike, target: ArrayLike) -> jax.Array:
    """Mean squared difference of activations over the target's mean square.

    Args:
      feature: (..., h, w, C) float activation.
      target: (..., h, w, C) float activation; its batch axes broadcast against `feature`'s. Cast to `feature`'s
        dtype (a float64 target, say, to a float32 feature's), as optax casts labels to the logits' dtype.

    Returns:
      (...) float32 (float64 for a float64 feature), >= 0: a scalar for unbatched maps; 1 for a zero
      `feature` against a non-zero target; against an all-zero target, which has no scale, the mean square of
      `feature` itself.
    """
    # The target in the feature's dtype, as total_loss casts its targets (and optax labels to the logits' dtype):
    # a NumPy float64 target met a float32 feature with a TypePromotionError under x64 and strict promotion.
    f = widened(feature, "content_loss's feature")
    t = widened(target, "content_loss's target").astype(f.dtype)
    if f.ndim < 3 or t.ndim < 3:
        raise ValueError(f"content_loss needs (..., h, w, C) feature maps, got shapes {f.shape} and {t.shape}")
    if f.shape[-3:] != t.shape[-3:]:
        raise ValueError(f"content feature {f.shape} and target {t.shape} differ in shape; "
                         "give an image of the photo's size")
    axes = (-3, -2, -1)
    energy = jnp.mean(t**2, axis=axes)
    f, t = _broadcast(f, t, 3, "content_loss")
    return relative(jnp.mean((f - t) ** 2, axis=axes), energy)


def style_layer_loss(feature: ArrayLike, target_gram: ArrayLike) -> jax.Array:
    """Squared Frobenius distance of Gram matrices over the target Gram's squared norm.

    Args:
      feature: (..., h, w, C) float activation.
      target_gram: (..., C, C) Gram matrix, from `gram`; its batch axes broadcast against `feature`'s. Cast to
        the dtype of `feature`'s Gram, as `content_loss` casts its target.

    Returns:
      (...) float32 (float64 for a float64 feature), >= 0: a scalar for an unbatched map; against an all-zero
      target Gram, which has no scale, the squared norm of `feature`'s Gram itself.
    """
    g = gram(feature)
    t = widened(target_gram, "style_layer_loss's target Gram").astype(g.dtype)  # as content_loss's target
    if t.ndim < 2 or g.shape[-2:] != t.shape[-2:]:
        raise ValueError(f"Gram {g.shape} and target Gram {t.shape} differ in shape; give the target Gram of the "
                         "same layer, losses.gram of the painting's activation there")
    energy = jnp.sum(t**2, axis=(-2, -1))
    g, t = _broadcast(g, t, 2, "style_layer_loss")
    return relative(jnp.sum((g - t) ** 2, axis=(-2, -1)), energy)


def style_loss(
    features: Mapping[str, ArrayLike],
    target_grams: Mapping[str, ArrayLike],
    layer_weights: Mapping[str, ArrayLike] | None = None,
) -> jax.Array:
    """Weighted sum over layers of `style_layer_loss`.

    Args:
      features: layer name -> (..., h, w, C) activation; layers the targets lack are ignored.
      target_grams: layer name -> (..., C, C) Gram matrix (`gram` of a painting's activation).
      layer_weights: layer name -> weight (a real number or a traced scalar, one for each target layer);
        default 1/len(layers).

    Returns:
      (...) float32 (float64 for float64 inputs); without target layers 0, in the features' batch shape and
      dtype (at least float32), so that it adds to their other losses under strict promotion (float32 without features).

    Raises:
      TypeError: an argument that is no dict. ValueError: a layer the features or weights lack, a weight
        that is no scalar (`jax.vmap` over a batch of them), or (an `InputError`) no real number.
    """
    for what, d in (("features", features), ("target_grams", target_grams), ("layer_weights", layer_weights)):
        if d is not None and not isinstance(d, Mapping):  # else a list lacks every layer, an array fails inside
            raise TypeError(f"style_loss's {what} is {given(d)}; give a dict from layer name to "
                            f"{'weight' if what == 'layer_weights' else 'array'}, such as {{'relu1_1': ...}}")
    names = list(target_grams)
    if missing := [n for n in names if n not in features]:
        raise ValueError(f"features lack layer {missing[0]}, which target_grams has; compute features of "
                         f"{names}")
    if layer_weights is None:
        layer_weights = {n: 1.0 / len(names) for n in names}
    check_layer_weights(layer_weights, names)
    if not names:
        return no_style(features)
    # Summed from the first term, not from a float32 zero, and each weight in its term's dtype: under strict
    # promotion float32 against float64 terms is a TypePromotionError.
    terms = [_weighted(layer_weights[n], style_layer_loss(features[n], target_grams[n])) for n in names]
    return sum(terms[1:], terms[0])


def no_style(features: Mapping[str, ArrayLike]) -> jax.Array:
    """A style loss without target layers (this one's and `guided.style_loss`'s): 0 in the (..., h, w, C) features'
    batch shape and dtype (at least float32; float32 without features). A float32 scalar was a TypePromotionError
    beside float64 losses under strict promotion, and no batch."""
    maps = [widened(v, "style_loss's feature") for v in features.values()]
    batch = jnp.broadcast_shapes(*(m.shape[:-3] for m in maps)) if maps else ()
    return jnp.zeros(batch, np.result_type(*(m.dtype for m in maps)) if maps else jnp.float32)


def _weighted(weight: ArrayLike, term: jax.Array) -> jax.Array:
    return (weight if isinstance(weight, (int, float)) else jnp.asarray(weight, term.dtype)) * term


def tv_loss(image: ArrayLike) -> jax.Array:
    """Total variation: mean squared difference of neighbouring pixels.

    Args:
      image: (..., H, W, C) float image, H and W >= 2 (RGB in [0, 1] in a stylization).

    Returns:
      (...) float32 (float64 for float64 images), >= 0: the vertical plus the horizontal mean.
    """
    x = widened(as_pixels(image, "tv_loss's image"), "tv_loss's image")
    if x.ndim < 3 or min(x.shape[-3:-1]) < 2:  # no neighbours: the means would be NaN
        raise ValueError(f"tv_loss needs an (..., H, W, C) image of at least 2x2 pixels, got shape {x.shape}")
    dy = x[..., 1:, :, :] - x[..., :-1, :, :]
    dx = x[..., :, 1:, :] - x[..., :, :-1, :]
    return jnp.mean(dy**2, axis=(-3, -2, -1)) + jnp.mean(dx**2, axis=(-3, -2, -1))


blend_grams = blend.blend_grams  # public as jaxart.losses.blend_grams: the Grams a style loss compares
