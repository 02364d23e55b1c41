"""The normalized VGG of Gatys et al.: every filter's mean ReLU activation over images is 1.

Gatys, Ecker & Bethge (2015, 2016) rescale VGG19 "by scaling the weights such that the mean
activation of each convolutional filter over images and positions is equal to one". Layer by layer
in forward order, filter i of a convolution with mean activation m_i is divided by m_i, and the
next convolution multiplies its input channel i by m_i back:

    W[:, :, c, i] <- W[:, :, c, i] * m_prev[c] / m_i        b[i] <- b[i] / m_i

ReLU and pooling (max or average) commute with a positive per-channel scale, so every activation
becomes the original one over its filter's mean: the network computes the same patterns, only in
balanced units, which evens out the style layers' contributions. A filter whose mean is 0 over the
images (dead: its ReLU never fires on them) cannot be rescaled and is left as it is.

So is, by default, a filter that fires only rarely on the images: mean below `min_mean` (1%) of
its layer's average. The paper averaged over ImageNet; over a handful of images such a filter's
mean (1e-5 for some of vgg16-hed's over the six sample images) is no estimate of its scale, and
dividing by it multiplies the filter's slope by up to 1e5, which made L-BFGS diverge in a
stylization (BENCHMARKS.md, "Weights"). `min_mean=0` applies the paper's rule to every filter
that fires at all.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from jaxart import image, layers, output
from jaxart.errors import InputError
from jaxart.weights import store
from jaxart.weights.folder import IMAGE_SUFFIXES, check_name, path_for

if TYPE_CHECKING:  # JAX is imported where arrays are computed: --help reads MIN_MEAN
    import jax
    from jax.typing import ArrayLike

    from jaxart import vgg

MIN_MEAN = 0.01  # filters with a mean below this fraction of their layer's average are left alone


@dataclasses.dataclass(frozen=True)
class Normalized:
    """A normalized weight set, the per-filter means it was normalized by, and the filters left alone."""

    weights: vgg.Weights
    means: dict[str, np.ndarray]  # conv name -> (Cout,) mean ReLU activation before normalizing
    left: dict[str, np.ndarray]  # conv name -> (Cout,) bool: dead or rarely active, left unscaled

    @property
    def dead_total(self) -> int:
        """Filters that never fired on the images."""
        return sum(int(np.sum(m <= 0)) for m in self.means.values())

    @property
    def rare_total(self) -> int:
        """Filters that fired, but too rarely to be rescaled (below `min_mean` of their layer's average)."""
        return sum(int(np.sum(self.left[k])) for k in self.left) - self.dead_total


def filter_means(weights: vgg.Weights, images: ArrayLike, batch: int = 8) -> dict[str, jax.Array]:
    """Mean ReLU activation of every filter over `images` and all positions, per conv layer.

    Args:
      weights: a VGG weight set.
      images: (N, H, W, 3) RGB in [0, 1], all one size so every position counts equally.
      batch: images per forward pass, bounding memory.

    Returns:
      {"conv1_1": (64,) float32, ...}: the mean of `relu{b}_{i}` for each `conv{b}_{i}`.
    """
    import jax.numpy as jnp

    from jaxart import vgg

    images = jnp.asarray(images, jnp.float32)
    convs = vgg.conv_names(weights.arch)
    relus = [c.replace("conv", "relu") for c in convs]
    sums = {c: 0.0 for c in convs}
    for start in range(0, images.shape[0], batch):
        feats = vgg.features(weights, images[start:start + batch], relus)
        for c, r in zip(convs, relus):
            sums[c] = sums[c] + jnp.sum(feats[r], axis=(0, 1, 2)) / feats[r][0, ..., 0].size
    return {c: s / images.shape[0] for c, s in sums.items()}


def rescale(params: dict, means: dict[str, ArrayLike], arch: str) -> tuple[dict, dict[str, jax.Array]]:
    """Gatys' normalization of `params` by per-filter `means`: pure, jittable array math.

    Args:
      params: {"conv1_1": {"kernel": (3, 3, Cin, Cout), "bias": (Cout,)}, ...}.
      means: {"conv1_1": (Cout,), ...}, each filter's mean ReLU activation (>= 0).
      arch: "vgg16" or "vgg19", giving the forward order.

    Returns:
      (rescaled params, {"conv1_1": (Cout,) bool, ...} the filters left unscaled because their
      mean is 0).
    """
    import jax.numpy as jnp

    out, left, prev = {}, {}, None
    for name in layers.conv_names(arch):
        mean = jnp.asarray(means[name], jnp.float32)
        left[name] = mean <= 0.0
        scale = jnp.where(left[name], 1.0, mean)
        kernel = jnp.asarray(params[name]["kernel"], jnp.float32)
        if prev is not None:  # undo the previous layer's scaling of this layer's input channels
            kernel = kernel * prev[None, None, :, None]
        out[name] = {"kernel": kernel / scale[None, None, None, :],
                     "bias": jnp.asarray(params[name]["bias"], jnp.float32) / scale}
        prev = scale
    return out, left


def normalize(weights: vgg.Weights, images: ArrayLike, min_mean: float = MIN_MEAN) -> Normalized:
    """Rescale `weights` so every filter's mean ReLU activation over `images` is 1.

    Args:
      weights: a VGG weight set.
      images: (N, H, W, 3) RGB in [0, 1] (see `load_images`).
      min_mean: filters whose mean is below this fraction of their layer's average mean are left
        as they are (see the module docstring); 0 rescales every filter that fires at all.

    Returns:
      A `Normalized` whose weights keep the arch and preprocessing of `weights`.
    """
    if not 0.0 <= min_mean < 1.0:
        raise InputError(f"min_mean must be in [0, 1), got {min_mean}")
    means = {k: np.asarray(v) for k, v in filter_means(weights, images).items()}
    usable = {k: np.where(m > min_mean * m.mean(), m, 0.0) for k, m in means.items()}
    params, left = rescale(weights.params, usable, weights.arch)
    return Normalized(weights=dataclasses.replace(weights, params=params), means=means,
                      left={k: np.asarray(v) for k, v in left.items()})


def image_files(folder: str | os.PathLike) -> list[Path]:
    """The image files under `folder` (recursively, by suffix), sorted; an InputError if none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"--images {folder} is not a folder; give a folder of photos and paintings")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise InputError(f"--images {folder} holds no images ({', '.join(IMAGE_SUFFIXES)}); give a folder of images")
    return files


def load_images(paths: Sequence[str | os.PathLike], size: int) -> np.ndarray:
    """Each image's centre square, resized (Lanczos) to `size` x `size`: (N, size, size, 3) in [0, 1].

    A square crop keeps every image's proportions while giving one shape, so each position of
    each image weighs the same in the means.
    """
    if size < 16:
        raise InputError(f"--size must be at least 16 pixels (VGG pools four times), got {size}")
    out = []
    for p in paths:
        rgb = image.load_image(p)
        h, w = rgb.shape[:2]
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        square = Image.fromarray(output.to_uint8(rgb[top:top + side, left:left + side]))
        out.append(np.asarray(square.resize((size, size), Image.Resampling.LANCZOS), np.float32) / 255.0)
    return np.stack(out)


def save(result: Normalized, name: str, *, base: vgg.Weights, images: Sequence[str | os.PathLike],
         size: int, min_mean: float = MIN_MEAN, replace: bool = True) -> Path:
    """Install `result` as weight set `name`, recording what it was normalized from and over which
    images (a JSON list of their names: a name may hold a comma); without `replace`, as `store.save`."""
    w = result.weights
    return store.save(
        w.params, path_for(check_name(name)), arch=w.arch, preprocess=w.preprocess, name=name, replace=replace,
        source=f"normalized {base.name}", normalized_from=base.name, normalized_from_sha256=base.sha256,
        normalized_images=json.dumps([Path(p).name for p in images]), normalized_size=str(size),
        dead_filters=str(result.dead_total), rare_filters=str(result.rare_total), min_mean=str(min_mean),
    )
