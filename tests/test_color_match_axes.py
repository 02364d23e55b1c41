"""The painting matched to the photo's colours (--colors match-*) or luminance (--colors luminance): its own light and
dark kept in each colour, never a negative of it, and in [0, 1] where the docstring says so."""

import numpy as np
import pytest

from jaxart import color_match


def _painting() -> np.ndarray:
    y, x = np.mgrid[0:8, 0:8] / 8
    noise = 0.05 * np.random.default_rng(0).random((8, 8, 3))
    return np.stack([0.2 + 0.6 * x, 0.3 + 0.4 * y, 0.5 + 0.3 * x * y], -1) + noise


@pytest.mark.parametrize("method", ["pca", "chol", "sym"])
@pytest.mark.parametrize("gains", [(1.0, 1.45, 0.65), (1.45, 0.7, 1.3), (0.9, 1.2, 0.8)])
def test_a_photo_of_the_paintings_colours_rescaled_keeps_each_channel_rising_where_the_paintings_does(method, gains):
    """A principal colour axis has no sign of its own (eigh may give either): pca paired the painting's axis with
    the photo's pointing the other way, and a channel came out as its negative, dark where the painting is light."""
    painting = _painting()
    photo = painting * np.array(gains) + 0.1
    matched = color_match.match_colors(painting, photo, method)
    follows = [np.corrcoef(matched[..., k].ravel(), painting[..., k].ravel())[0, 1] for k in range(3)]
    assert min(follows) > 0.9, follows


def test_a_luminance_stretched_past_black_and_white_is_clipped_to_them():
    """A low-contrast painting against a high-contrast photo: its darkest and lightest pixels scaled past [0, 1],
    a luminance below black that the docstring promises is clipped."""
    luma = np.array([[0.0, 0.5, 0.5, 0.5, 1.0]])  # std 0.32
    reference = np.array([[0.0, 1.0, 0.0, 1.0]])  # mean 0.5, std 0.5
    matched = color_match.match_luminance(luma, reference)
    np.testing.assert_allclose(matched, [[0.0, 0.5, 0.5, 0.5, 1.0]], atol=1e-12)  # 0.5 -+ 0.79, clipped
