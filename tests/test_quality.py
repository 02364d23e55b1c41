"""Real pretrained weights (vgg16-hed) on real images: the style really transfers, and no line is
drawn along the border. One run of the default settings serves every test here."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import objective
from jaxart.image import resized
from jaxart.targets import make_targets

from conftest import shared_image


def _colour_stats(image):
    pixels = np.asarray(image, np.float64).reshape(-1, 3)
    return pixels.mean(0), np.cov(pixels.T)


@pytest.fixture(scope="module")
def tubingen_starry(hed_weights):
    """Tubingen in The Starry Night's style, 128 px, 60 steps, the default settings otherwise: the
    photo, the painting, the config, the outcome and the image shapes the callback saw."""
    photo = jaxart.load_image(shared_image("content/tubingen.jpg"))
    painting = jaxart.load_image(shared_image("style/starry_night.jpg"))
    config, seen = jaxart.StyleConfig(size=128, steps=60), []
    outcome = jaxart.run(photo, [painting], weights=hed_weights, config=config,
                         callback=lambda p: seen.append(p.image.shape), every=30)
    return photo, painting, config, outcome, seen


def test_style_loss_falls_tenfold_and_colours_move_to_the_painting(hed_weights, tubingen_starry):
    photo, painting, config, outcome, _ = tubingen_starry
    content, style = resized(photo, 128), resized(painting, 128)
    # The photo's own style loss, the start of the run (XLA's convolutions: the same value, quicker to compile).
    direct = config.replace(conv="direct")
    targets = make_targets(hed_weights, content, [style], direct)
    fun = objective.loss_function(hed_weights, targets, direct, objective.LossWeights.of(direct))
    start = float(jax.jit(fun)(jnp.asarray(content))[1]["style"])
    assert outcome.terms["style"] < start / 10, (start, outcome.terms)

    (m_out, c_out), (m_photo, c_photo), (m_paint, c_paint) = map(_colour_stats, (outcome.image, content, style))
    assert np.linalg.norm(m_out - m_paint) < 0.6 * np.linalg.norm(m_photo - m_paint)
    assert np.linalg.norm(c_out - c_paint) < np.linalg.norm(c_photo - c_paint)
    assert outcome.image.shape == content.shape
    assert 0.0 <= outcome.image.min() and outcome.image.max() <= 1.0


def _edge_steps(image: np.ndarray) -> dict[str, float]:
    """Per edge, the brightness step (0-255) from the outermost row or column to the next."""
    a = np.asarray(image, np.float64).mean(-1) * 255
    return {name: abs(e[0].mean() - e[1].mean()) for name, e in
            (("top", a), ("bottom", a[::-1]), ("left", a.T), ("right", a.T[::-1]))}


def test_no_line_along_the_border_of_a_sky(tubingen_starry):
    # Without the margin (margin=0) this run draws a dark line along the top of Tubingen's sky: its top row is
    # 19.5 grey levels darker than the next (48 at 512 px, BENCHMARKS.md, Border); with it, 4.7 at most (an edge's
    # step; 2026-12-06, scratch: this fixture's run with margin=0 and with the default).
    *_, outcome, seen = tubingen_starry
    assert outcome.image.shape == (96, 128, 3) and set(seen) == {(96, 128, 3)}  # the margin is cut off
    steps = _edge_steps(outcome.image)
    assert max(steps.values()) < 9, steps
