"""Colour control (Gatys et al. 2017, "Controlling Perceptual Factors in Neural Style Transfer").

Images are (H, W, 3) RGB in [0, 1]. YIQ (NTSC 1953) splits a pixel into luminance Y and the two
chroma channels I, Q. Modes (the `colors` setting):

- style: the painting's colours, as in Gatys et al. 2015;
- luminance: transfer on luminance only, then the photo's chroma put back (`prepare` + `finish`), the
  painting's luminance matched to the photo's first (Gatys et al. 2016) unless `match_luma` is off;
- match-pca, match-chol, match-sym: the painting recoloured to the photo's colour mean and
  covariance before its Grams are taken (`match_colors`);
- keep: a normal run whose output gets the photo's chroma (jcjohnson's `-original_colors`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from jaxart.arrays import at_least_float32
from jaxart.color_checks import checked_pixels
from jaxart.color_match import match_colors, match_luminance  # re-exported: color.match_colors, as before
from jaxart.palette import parse_rgb  # re-exported: color.parse_rgb, as before palette.py took it

if TYPE_CHECKING:
    import jax
    from jax.typing import ArrayLike

__all__ = ["MATCHES", "MODES", "RGB_TO_YIQ", "YIQ_TO_RGB", "finish", "grey", "luminance", "match_colors",
           "match_luminance", "parse_rgb", "prepare", "recombine", "rgb_to_yiq", "start", "yiq_to_rgb"]

MODES = ("style", "luminance", "match-pca", "match-chol", "match-sym", "keep")
MATCHES = {"match-pca": "pca", "match-chol": "chol", "match-sym": "sym"}

RGB_TO_YIQ = np.array([  # FCC NTSC; the I and Q rows sum to 0, so grey has no chroma
    [0.299, 0.587, 0.114],
    [0.595716, -0.274453, -0.321263],
    [0.211456, -0.522591, 0.311135],
])
YIQ_TO_RGB = np.linalg.inv(RGB_TO_YIQ)


def _check_mode(mode: str) -> None:
    # finish and start passed an unknown mode's image through unchanged: a typo silently kept the painting's colours.
    if not isinstance(mode, str) or mode not in MODES:  # an array was NumPy's "truth value ... is ambiguous"
        raise ValueError(f"colors {mode!r} is not one of {', '.join(MODES)}")


def rgb_to_yiq(image: ArrayLike) -> np.ndarray | jax.Array:
    """(..., 3) RGB in [0, 1] to (..., 3) YIQ: Y in [0, 1], I in about ±0.6, Q in about ±0.52.

    NumPy in, NumPy out (float64 stays float64); a JAX array in, a JAX array out (jittable), in
    the image's float dtype. Integer pixels are refused with the number to divide by.
    """
    image = checked_pixels(image, "rgb_to_yiq's image")
    return image @ RGB_TO_YIQ.T.astype(image.dtype)


def yiq_to_rgb(image: ArrayLike) -> np.ndarray | jax.Array:
    """(..., 3) float YIQ to (..., 3) RGB, the exact inverse of `rgb_to_yiq` (not clipped)."""
    image = checked_pixels(image, "yiq_to_rgb's image")
    return image @ YIQ_TO_RGB.T.astype(image.dtype)


def luminance(image: ArrayLike) -> np.ndarray | jax.Array:
    """(..., 3) float RGB in [0, 1] to (...,) luminance Y in [0, 1], in the image's dtype."""
    image = checked_pixels(image, "luminance's image")
    return image @ RGB_TO_YIQ[0].astype(image.dtype)


def grey(luma: ArrayLike) -> np.ndarray:
    """(H, W) luminance to an (H, W, 3) grey image for VGG, which needs three channels.

    Raises ValueError for anything but a 2-D array, an RGB image included: repeating its last
    axis made an (H, W, 3, 3) array that `features` refused only later, by shape.
    """
    y = checked_pixels(luma, "grey's luma", channels=False)  # strings or objects came back as grey strings
    if y.ndim != 2:
        raise ValueError(f"grey's luma has shape {y.shape}; "
                         "give (H, W) luminance, e.g. grey(luminance(rgb)) for an RGB image")
    return np.repeat(y[..., None], 3, axis=-1)


def recombine(luma: ArrayLike, chroma_from: ArrayLike):
    """(H, W, 3) RGB in [0, 1] (a JAX array, jittable) of the (H, W) luminance `luma` in [0, 1] (clipped to it)
    and the I, Q chroma of the (H, W, 3) RGB photo `chroma_from` in [0, 1].

    Where the photo's chroma at that luminance would leave [0, 1], it is scaled toward grey just enough
    to fit (hue kept, saturation lowered there alone), so the luminance, the strokes drawn, is kept
    exactly (BENCHMARKS.md, "`--colors luminance`: the chroma fitted, not the luminance"). It is computed in
    the wider of the two float dtypes, at least float32: float64 stays float64 under jax_enable_x64.
    """
    luma = checked_pixels(luma, "recombine's luma", channels=False)
    chroma_from = checked_pixels(chroma_from, "recombine's chroma_from")
    if luma.shape != chroma_from.shape[:-1]:  # else a broadcasting error from inside jnp.clip
        raise ValueError(f"recombine's luma has shape {luma.shape}, chroma_from {chroma_from.shape}; give the "
                         f"{chroma_from.shape[:-1]} luminance of an image of chroma_from's size (color.luminance)")
    import jax.numpy as jnp  # here, not above: config and the command line read MODES without loading JAX

    dtype = _working_dtype(luma, chroma_from)
    yiq = rgb_to_yiq(jnp.asarray(chroma_from, dtype))
    offset = yiq_to_rgb(yiq.at[..., 0].set(0.0))  # RGB = Y + offset, since YIQ_TO_RGB[:, 0] = 1
    y = jnp.clip(jnp.asarray(luma, dtype), 0.0, 1.0)
    # offset's channels weigh to Y 0, so chroma puts one above 0 and one below: the share of it that fits
    # is min(1, (1 - y) / max, y / -min) (a grey pixel's offset is 0 whatever the share).
    up, down, tiny = offset.max(-1), -offset.min(-1), jnp.finfo(dtype).tiny
    share = jnp.minimum(1.0, jnp.minimum((1.0 - y) / jnp.maximum(up, tiny), y / jnp.maximum(down, tiny)))
    return jnp.clip(y[..., None] + share[..., None] * offset, 0.0, 1.0)  # the clip: rounding alone


def _working_dtype(*images):
    """The float dtype the JAX colour functions compute and return in: the widest of `images`', at least
    float32 (bfloat16 pixels in float32, float64 ones in float64 under jax_enable_x64), as `features` does
    (`vgg.compute_dtype`). Chosen by width, not promotion, which strict dtype promotion refuses across floats."""
    import jax.numpy as jnp

    return at_least_float32(max((jnp.dtype(jnp.result_type(x)) for x in images), key=lambda d: jnp.finfo(d).bits))


def prepare(content: np.ndarray, styles: Sequence[np.ndarray], mode: str,
            match_luma: bool = True) -> tuple[np.ndarray, list[np.ndarray]]:
    """The photo and paintings the optimization sees under colour `mode` (see MODES).

    Args:
      content: (H, W, 3) RGB photo in [0, 1], at the output size.
      styles: (h, w, 3) RGB paintings in [0, 1], a list or any iterable (a TypeError for None or one painting).
      mode: one of MODES.
      match_luma: for "luminance" only (else a ValueError when False): False leaves each painting's Y as it is.

    Returns:
      (content, styles) as float32: grey (Y replicated to RGB, each painting's luminance matched
      to the photo's mean and deviation unless `match_luma` is False) for "luminance", recoloured
      paintings for "match-*", unchanged otherwise.
    """
    _check_mode(mode)
    # np.bool_ as StyleConfig holds it.
    if not isinstance(match_luma, (bool, np.bool_)) or (not match_luma and mode != "luminance"):
        raise ValueError(f"prepare's match_luma is {match_luma!r} with colors {mode!r}; "
                         "give True, or False with luminance only")
    if getattr(styles, "ndim", 0) == 3:  # one painting's rows were taken as paintings
        raise TypeError("prepare's styles is one (h, w, 3) painting; give a list of them, [painting]")
    if isinstance(styles, (str, bytes)) or not isinstance(styles, Iterable):  # None was "not iterable", naming nothing
        raise TypeError(f"prepare's styles is {styles!r:.40}; give a list of (h, w, 3) paintings, [painting]")
    styles = list(styles)  # a generator was spent by the checks below: no paintings, silently
    for what, x in (("the photo", content), *(("a painting", s) for s in styles)):
        checked_pixels(x, what)
    f32 = lambda x: np.asarray(x, np.float32)
    if mode == "luminance":
        y = luminance(np.asarray(content, np.float64))
        ys = (luminance(np.asarray(s, np.float64)) for s in styles)
        return f32(grey(y)), [f32(grey(match_luminance(s, y) if match_luma else s)) for s in ys]
    if mode in MATCHES:
        return f32(content), [f32(match_colors(s, content, MATCHES[mode])) for s in styles]
    return f32(content), [f32(s) for s in styles]


def finish(image: ArrayLike, content: ArrayLike, mode: str) -> jax.Array:
    """The output under colour `mode`, a JAX array in every mode (as `recombine`): the optimized (H, W, 3) `image`,
    with the luminance of `image` and the chroma of the (H, W, 3) photo `content` for "luminance" and "keep" (in
    the wider float dtype of the two, at least float32); `image` itself, in its dtype, for the other modes."""
    _check_mode(mode)
    image = checked_pixels(image, "finish's image")  # uint8 0..255 came out white, as if 0..1
    import jax.numpy as jnp  # NumPy pixels came back NumPy in four modes and a JAX array in two

    if mode in ("luminance", "keep"):
        return recombine(luminance(jnp.asarray(image, _working_dtype(image))), content)
    return jnp.asarray(image)


def start(image: ArrayLike, mode: str) -> jax.Array:
    """The starting (H, W, 3) pixels under `mode`, a JAX array in every mode: grey for "luminance" (the targets are
    grey), in the image's float dtype, at least float32; `image` itself, in its dtype, for the other modes."""
    _check_mode(mode)
    image = checked_pixels(image, "start's image")  # uint8 0..255 started as 0..255 floats
    import jax.numpy as jnp  # as in `finish`: the return type no longer depends on the mode

    if mode == "luminance":
        return jnp.repeat(luminance(jnp.asarray(image, _working_dtype(image)))[..., None], 3, axis=-1)
    return jnp.asarray(image)
