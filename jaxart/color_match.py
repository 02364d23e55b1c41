"""Colour matching (Gatys et al. 2017, Gatys et al. 2016): a painting's luminance or colours shifted to the photo's
statistics, its mean and deviation or its colour mean and covariance, before the painting's Grams are taken
(`color.prepare` under --colors luminance and match-*). NumPy in float64; no JAX."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np

from jaxart.color_checks import finite_pixels

if TYPE_CHECKING:
    from jax.typing import ArrayLike


def match_luminance(luma: ArrayLike, reference: ArrayLike) -> np.ndarray:
    """Shift and scale `luma` so its mean and standard deviation equal `reference`'s.

    Args:
      luma: (h, w) luminance of the painting, in [0, 1].
      reference: (H, W) luminance of the photo, in [0, 1].

    Returns:
      (h, w) float64, (luma - mean) * std_ref / std + mean_ref, clipped to [0, 1]. An InputError for
      either of no float numbers (None was NaN, a string a number), or with a NaN or inf (all NaN); a
      ValueError for either not 2-D: an RGB image's statistics pooled its channels, a batch's its images.
    """
    y, r = (finite_pixels(x, f"match_luminance's {what}", False)
            for what, x in (("luma", luma), ("reference", reference)))
    for what, x in (("luma", y), ("reference", r)):
        if x.ndim != 2:
            raise ValueError(f"match_luminance's {what} has shape {x.shape}; give (h, w) luminance, "
                             "color.luminance(rgb) of one RGB image (of a batch, match each image alone)")
    return np.clip((y - y.mean()) * r.std() / max(y.std(), 1e-8) + r.mean(), 0.0, 1.0)


def match_colors(style: ArrayLike, content: ArrayLike, method: str = "pca", eps: float = 1e-8) -> np.ndarray:
    """Recolour `style` to the colour mean and covariance of `content`: x' = A (x - mu_s) + mu_c.

    A is any matrix with A Cov_s A^T = Cov_c; the methods pick different ones (Gatys et al. 2017):
    "pca" rotates the painting's principal colour axes onto the photo's, scaling each by the
    ratio of standard deviations; "chol" is L_c L_s^-1 with L the Cholesky factors; "sym" is
    Cov_c^(1/2) Cov_s^(-1/2) with symmetric matrix square roots (as in Image Analogies).
    All in float64.

    Args:
      style: (h, w, 3) RGB painting in [0, 1].
      content: (H, W, 3) RGB photo in [0, 1].
      method: "pca", "chol" or "sym".
      eps: added to the covariances' diagonals, so a grey painting does not divide by zero.

    Returns:
      (h, w, 3) float64, not clipped: its colour mean and covariance equal the photo's. Values
      may leave [0, 1] slightly; VGG takes them as they are. An InputError for an image of no float
      pixels (0..255 integers were taken as they are), none, or a NaN or inf; ValueError for a bad method or eps.
    """
    if not isinstance(method, str) or method not in ("pca", "chol", "sym"):
        raise ValueError(f"colour match method {method!r} is not one of pca, chol, sym")
    if not isinstance(eps, numbers.Real) or not 0 <= eps < np.inf:  # a negative one made NaN from sqrt
        raise ValueError(f"match_colors' eps is {eps!r:.60}; give a small number >= 0, such as 1e-8")
    s, c = (finite_pixels(x, f"match_colors' {what}").reshape(-1, 3)
            for what, x in (("style", style), ("content", content)))
    mu_s, mu_c = s.mean(0), c.mean(0)
    cov_s = np.cov(s, rowvar=False, bias=True) + eps * np.eye(3)
    cov_c = np.cov(c, rowvar=False, bias=True) + eps * np.eye(3)
    if method == "pca":
        (ls, us), (lc, uc) = np.linalg.eigh(cov_s), np.linalg.eigh(cov_c)
        us = us * np.where(np.sum(uc * us, axis=0) < 0, -1.0, 1.0)  # same direction per axis
        a = uc @ np.diag(np.sqrt(lc / ls)) @ us.T
    elif method == "chol":
        a = np.linalg.cholesky(cov_c) @ np.linalg.inv(np.linalg.cholesky(cov_s))
    else:
        a = _sqrtm(cov_c) @ np.linalg.inv(_sqrtm(cov_s))
    return ((s - mu_s) @ a.T + mu_c).reshape(np.shape(style))


def _sqrtm(cov: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric positive definite (3, 3) matrix."""
    w, v = np.linalg.eigh(cov)
    return (v * np.sqrt(np.maximum(w, 0.0))) @ v.T
