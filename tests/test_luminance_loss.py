"""--colors luminance writes the optimized pixels' luminance with the photo's chroma (`color.finish`), so the loss
the optimizer lowers is that of the luminance alone, as grey: the pixels' own chroma, which VGG's unequal channel
gradients gave them from a grey start, was optimized and then thrown away (style loss 0.014 optimized, 0.028 written,
BENCHMARKS.md, "--colors luminance: the loss of what is written")."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import color
from jaxart.config import StyleConfig
from jaxart.objective import LossWeights, loss_config, loss_function


def _photo():  # mid-grey with a little colour: the photo's chroma fits at every luminance, nothing is clamped
    y, x = np.mgrid[0:30, 0:40] / 40.0
    return np.stack([0.4 + 0.1 * x, 0.45 + 0.1 * y, 0.5 - 0.1 * x], -1).astype(np.float32)


def test_the_optimizers_loss_is_the_loss_of_the_image_written(tiny_vgg16, rng):
    config = StyleConfig(size=24, steps=3, margin=2, colors="luminance", conv="direct", style_weight=1e4)
    out = jaxart.run(_photo(), [rng.random((20, 20, 3), dtype=np.float32)], weights=tiny_vgg16, config=config)
    assert out.image_terms == pytest.approx(out.terms, rel=1e-4)  # before: 4848 written, 4084 optimized


def test_a_colour_only_change_of_the_pixels_does_not_change_the_loss(tiny_vgg16, rng):
    """Its gradient has no chroma: what the optimizer moves is the luminance written, and nothing else."""
    photo, painting = _photo()[:24, :24], rng.random((20, 20, 3), dtype=np.float32)
    config = StyleConfig(size=24, colors="luminance", conv="direct")
    content, styles = color.prepare(photo, [painting], "luminance")
    fun = loss_function(tiny_vgg16, jaxart.make_targets(tiny_vgg16, content, styles, loss_config(config)),
                        config, LossWeights.of(config))
    x = jnp.asarray(color.start(rng.random((24, 24, 3), dtype=np.float32), "luminance"))
    chroma = color.yiq_to_rgb(np.concatenate([np.zeros((24, 24, 1)), rng.normal(size=(24, 24, 2))], -1))
    grey = np.repeat(rng.normal(size=(24, 24, 1)), 3, -1)
    total = lambda x: fun(x)[0]  # noqa: E731
    along = {name: float(jax.jvp(total, (x,), (jnp.asarray(d, jnp.float32),))[1]) for name, d in
             (("chroma", chroma), ("grey", grey))}
    assert abs(along["chroma"]) <= 1e-5 * abs(along["grey"]), along
    assert float(total(x + 0.1 * jnp.asarray(chroma, jnp.float32))) == pytest.approx(float(total(x)), rel=1e-5)


def test_only_luminance_gets_a_loss_of_its_own():
    """The other modes change the inputs, not the loss: one compiled step serves them all, as before."""
    base = StyleConfig(size=24)
    assert len({loss_config(base.replace(colors=m)) for m in color.MODES if m != "luminance"}) == 1
    assert loss_config(base.replace(colors="luminance")) != loss_config(base)


def test_luminance_targets_are_of_the_inputs_color_prepare_gives_as_make_targets_says(tiny_vgg16, rng):
    """total_loss greys the image under colors="luminance", make_targets takes its inputs as given: targets of the
    colour photo left the photo itself a content loss, silently, and no docstring said to prepare the inputs."""
    photo, painting = rng.random((16, 16, 3), dtype=np.float32), rng.random((12, 12, 3), dtype=np.float32)
    config = StyleConfig(colors="luminance", conv="direct", content_layers=("relu2_2",), style_layers=("relu1_1",))
    doc = " ".join(jaxart.make_targets.__doc__.split())
    assert "its `colors` is not: give the photo and paintings `color.prepare(content, styles, config.colors)`" in doc
    assert "`color.prepare`'s (see `make_targets`)" in " ".join(jaxart.total_loss.__doc__.split())
    colour = jaxart.make_targets(tiny_vgg16, photo, painting, config)
    prepared = jaxart.make_targets(tiny_vgg16, *color.prepare(photo, [painting], config.colors), config)
    content = lambda targets: jaxart.total_loss(tiny_vgg16, photo, targets, config, LossWeights.of(config))[1]["content"]
    assert content(colour) > 0.05 and content(prepared) < 1e-6
