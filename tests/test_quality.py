"""Real pretrained weights (vgg16-hed) on real images: the style really transfers."""

import jax.numpy as jnp
import numpy as np

import jaxart
from jaxart import objective
from jaxart.image import resize

from conftest import shared_image


def _colour_stats(image):
    pixels = np.asarray(image, np.float64).reshape(-1, 3)
    return pixels.mean(0), np.cov(pixels.T)


def test_style_loss_falls_tenfold_and_colours_move_to_the_painting(hed_weights):
    photo = jaxart.load_image(shared_image("content/tubingen.jpg"))
    painting = jaxart.load_image(shared_image("style/starry_night.jpg"))
    config = jaxart.StyleConfig(size=128, steps=60)
    outcome = jaxart.run(photo, [painting], weights=hed_weights, config=config)

    content = np.asarray(resize(photo, 128), np.float32) / 255.0
    style = np.asarray(resize(painting, 128), np.float32) / 255.0
    targets = objective.make_targets(hed_weights, content, [style], config)
    fun = objective.loss_function(hed_weights, targets, config, objective.LossWeights.of(config))
    start = float(fun(jnp.asarray(content))[1]["style"])
    assert outcome.terms["style"] < start / 10, (start, outcome.terms)

    (m_out, c_out), (m_photo, c_photo), (m_paint, c_paint) = map(_colour_stats, (outcome.image, content, style))
    assert np.linalg.norm(m_out - m_paint) < 0.6 * np.linalg.norm(m_photo - m_paint)
    assert np.linalg.norm(c_out - c_paint) < np.linalg.norm(c_photo - c_paint)
    assert outcome.image.shape == content.shape
    assert 0.0 <= outcome.image.min() and outcome.image.max() <= 1.0
