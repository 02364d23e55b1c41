"""A run's inputs: the photo and paintings checked and sized, and the pixels the optimizer starts from."""

from __future__ import annotations

import os
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart import color, margin, photo_size
from jaxart.arrays import check_pixels, host_array
from jaxart.config import StyleConfig
from jaxart.decode import MIN_SIDE
from jaxart.errors import InputError
from jaxart.image import WHITE, covering, load_image, painting_side, resized
from jaxart.layers import rgb_hint
from jaxart.targets import as_paintings


def checked_image(image: ArrayLike, what: str) -> np.ndarray:
    """`image` as an (H, W, 3) float32 array, or an InputError naming `what` and what to give.

    Integer pixels, and floats on a 0..255 scale, are refused, not scaled: both 0..255 and
    0..65535 occur, and clipping them to [0, 1] gave an almost white result with no error. So are
    NaN and inf, which came out as black and white pixels of a finite loss, values below -0.25 (a centred
    or normalised image, clipped dark), and a side below 2 pixels, as `load_image` refuses such a file.
    """
    if isinstance(image, (str, bytes, os.PathLike)):
        raise InputError(f"{what} is the path {str(image)!r}; give its pixels, jaxart.load_image(path)")
    if isinstance(image, jax.core.Tracer):  # else a TracerArrayConversionError from np.asarray below
        raise TypeError(f"{what} is traced: stylize and run loop in Python over jitted steps and cannot be jitted "
                        "or vmapped themselves; call them outside jax.jit, or jit total_loss")
    x = host_array(image, what)
    check_pixels(x.dtype, what)
    if (hint := rgb_hint(x.shape, batch="a batch: give one image, x[0]")) is not None:
        raise InputError(f"{what} has shape {x.shape}, not (H, W, 3); {hint}")
    if min(x.shape[:2]) < MIN_SIDE:  # a 1x1 photo, silently enlarged, ran on one flat colour
        raise InputError(f"{what} is {x.shape[1]}x{x.shape[0]} pixels; use an image at least {MIN_SIDE}x{MIN_SIDE}")
    if not np.isfinite(x).all():  # resizing turned NaN into 0 and inf into 1: a finite, wrong result
        bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
        raise InputError(f"{what} has {bad} NaN or infinite value{'s' * (bad != 1)}; give finite floats in [0, 1]")
    if x.size and x.max() > 2.0:  # 0..255 as floats; a little over 1 is only overshoot
        raise InputError(f"{what} has values up to {x.max():g}; give floats in [0, 1] (divide by 255)")
    if x.size and x.min() < -0.25:  # centred (x - 0.5), in [-1, 1] or mean/std normalised: clipped to a dark wash
        raise InputError(f"{what} has values down to {x.min():g}; give floats in [0, 1], not centred or normalised "
                         "(undo it: (x + 1) / 2 for [-1, 1], x * std + mean)")
    return x.astype(np.float32, copy=False)  # a float32 photo is not copied: the caller holds it for the run


def checked_paintings(styles: ArrayLike | Sequence[ArrayLike], indexed: bool = False) -> list[np.ndarray]:
    """`styles` as a list of checked (h, w, 3) paintings; one painting alone is a list of one. A bad one
    of several is "painting 2", counted from 1 as the command line's STYLE arguments are, and `indexed`
    adds its index from 0, as a sweep's settings give it (`Setting.painting`): "painting 2 (index 1)"."""
    styles = as_paintings(styles)
    if not styles:
        raise InputError("give at least one style image")
    if len(styles) == 1:
        return [checked_image(styles[0], "painting")]
    return [checked_image(s, f"painting {i}" + f" (index {i - 1})" * indexed) for i, s in enumerate(styles, 1)]


def sized_inputs(content: ArrayLike, styles: Sequence[ArrayLike],
                 config: StyleConfig) -> tuple[np.ndarray, list[np.ndarray]]:
    """The photo at `config.size` and the paintings at `painting_side`, float32 in [0, 1].

    Raises:
      InputError: an input is not one (H, W, 3) float image (integer pixels included), or the resized
        photo is too small for the deepest layer `config` uses.
    """
    content, styles = _checked(content, styles, config)
    return resized(content, config.size), [_sized_painting(s, config) for s in styles]


def prepared_inputs(content: ArrayLike, styles: Sequence[ArrayLike],
                    config: StyleConfig) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """(photo, content, styles): the photo as `sized_inputs` gives it, which the output's colours
    may come from, and the photo and paintings the optimization sees under `config.colors`
    (`color.prepare`, the paintings by `prepared_paintings`). `sweep` takes them as a run does."""
    content, styles = _checked(content, styles, config)
    photo, seen = prepared_photo(content, config)
    return photo, seen, prepared_paintings(photo, styles, config)


def prepared_photo(content: np.ndarray, config: StyleConfig) -> tuple[np.ndarray, np.ndarray]:
    """(photo, content) as `prepared_inputs` gives them, of a photo checked (`checked_image`) and large
    enough for `config.size` (`photo_size.check_photo`): a sweep prepares it once per scale, not per painting."""
    photo = resized(content, config.size)
    return photo, color.prepare(photo, [], config.colors)[0]


def prepared_paintings(photo: np.ndarray, styles: Sequence[np.ndarray], config: StyleConfig) -> list[np.ndarray]:
    """The paintings the optimization sees beside `photo` (the photo as `sized_inputs` gives it), as
    `prepared_inputs` gives them: each (h, w, 3) painting, checked (`checked_paintings`), at `painting_side`
    for `config.style_scale`, under `config.colors`. A sweep sizes its photo once per scale, and
    calls this for each (painting, style scale) it takes Grams of."""
    return color.prepare(photo, [_sized_painting(s, config) for s in styles], config.colors, config.match_luminance)[1]


def _checked(content: ArrayLike, styles: Sequence[ArrayLike], config: StyleConfig) -> tuple[np.ndarray, list]:
    content, styles = checked_image(content, "photo"), checked_paintings(styles)
    photo_size.check_photo(config.replace(scales=None, start_size=None), content.shape)  # at config.size
    return content, styles


def _sized_painting(painting: np.ndarray, config: StyleConfig) -> np.ndarray:
    return resized(painting, painting_side(np.shape(painting), config.size, config.style_scale))


def starting_image(content: np.ndarray, config: StyleConfig, x0: ArrayLike | None = None,
                   background: Sequence[int] = WHITE) -> jax.Array:
    """The pixels the optimizer starts from: `x0` (the prepared `content`'s shape) or `config.init`
    (an image file's transparency over `background`), under `config.colors` (`color.start`), inside the
    free margin (`margin.pad`)."""
    x0 = initial_image(content, config, background) if x0 is None else jnp.asarray(x0, jnp.float32)
    if x0.shape != content.shape:
        raise ValueError(f"starting image is {x0.shape}, the resized photo {content.shape}; give x0 the photo's shape")
    return margin.pad(color.start(x0, config.colors), config.margin)


def initial_image(content: np.ndarray, config: StyleConfig, background: Sequence[int] = WHITE) -> jax.Array:
    """The starting pixels: the photo, seeded uniform noise, or an image file resized to fit, its transparent
    pixels laid over `background` (8-bit r, g, b), as the photo's and the paintings' are (`load_inputs`)."""
    if config.init == "content":
        return jnp.asarray(content)
    if config.init == "random":
        return jax.random.uniform(seed_key(config.seed), content.shape, jnp.float32)
    return jnp.asarray(resized(load_image(config.init, background=background, least=covering(content.shape)),
                               tuple(content.shape[:2])))


def seed_key(seed: int) -> jax.Array:
    """A PRNG key for any seed of 64 bits, the key `jax.random.PRNGKey(seed)` gives for 0 <= seed < 2**32.
    PRNGKey keeps only the low 32 bits when x64 is off: seed 2**32 started like 0, and -1 like 2**32 - 1."""
    bits = int(seed) & 0xFFFF_FFFF_FFFF_FFFF
    return jax.random.wrap_key_data(np.array([bits >> 32, bits & 0xFFFF_FFFF], np.uint32), impl="threefry2x32")
