"""The library's pure functions used as a JAX developer would, rightly and wrongly: a mistake is a
clear ValueError, never a wrong number, a batch of losses or an error deep inside XLA (loss weights:
test_api_loss_weights.py)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import guided, losses

from conftest import TINY

CONFIG = jaxart.StyleConfig(size=32, conv="direct")


def _setup():
    """Tiny VGG19 weights, a 23x17 px photo, an 18x20 px painting, and their targets under CONFIG."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg19", widths=TINY)
    rng = np.random.default_rng(0)
    photo, paint = (rng.uniform(size=s).astype(np.float32) for s in ((17, 23, 3), (20, 18, 3)))
    return w, photo, paint, jaxart.make_targets(w, photo, [paint], CONFIG)


@pytest.fixture(scope="module")
def setup():
    return _setup()


def test_a_batched_photo_or_painting_is_refused_not_turned_into_a_batch_of_losses(setup):
    w, photo, paint, targets = setup
    lw = jaxart.LossWeights.of(CONFIG)
    with pytest.raises(ValueError, match=r"the content must be one \(H, W, 3\) image, got shape \(2, 17, 23, 3\)"):
        jaxart.make_targets(w, np.stack([photo, photo]), [paint], CONFIG)
    with pytest.raises(ValueError, match="the painting must be one"):
        jaxart.targets.compute_targets(w, photo, [paint[None]], CONFIG)
    with pytest.raises(ValueError, match=r"total_loss takes one \(H, W, 3\) image.*jax.vmap"):
        jaxart.total_loss(w, np.stack([photo, photo]), targets, CONFIG, lw)
    batch = jax.vmap(lambda x: jaxart.total_loss(w, x, targets, CONFIG, lw)[0])(np.stack([photo, photo]))
    assert batch.shape == (2,)  # the way to a batch of losses


def test_a_painting_too_small_for_the_deepest_layer_is_named_as_the_painting_and_which_one(setup):
    """It was called "image", so a user with a photo and three paintings could not tell which."""
    w, photo, paint, _ = setup
    small = paint[:12, :10]
    for make in (jaxart.make_targets, jaxart.targets.compute_targets):
        with pytest.raises(ValueError, match=r"^painting 2 of 3 is 10x12 px, too small for layer relu5_1, which needs at least 16"):
            make(w, photo, [paint, small, paint], CONFIG)
        with pytest.raises(ValueError, match=r"^the painting is 10x12 px, too small for layer relu5_1"):
            make(w, photo, small, CONFIG)
        with pytest.raises(ValueError, match=r"^the photo is 5x6 px, too small for layer relu4_2"):
            make(w, small[:6, :5], [paint], CONFIG)


@pytest.mark.parametrize("shape", [(2, 17, 23), (1, 17, 10), (1, 34, 46)])
def test_masks_of_another_count_or_shape_than_the_paintings_and_photo_are_refused(setup, shape):
    # 2 masks for 1 painting matched both regions to it silently; others failed deep inside.
    w, photo, paint, _ = setup
    with pytest.raises(ValueError, match=r"masks must be \(R, H, W\) = \(1, 17, 23\), one per painting"):
        jaxart.make_targets(w, photo, [paint], CONFIG, masks=np.ones(shape, np.float32))


def test_integer_arrays_are_refused_by_the_losses_not_wrapped_around():
    image = np.array([[[0, 0, 0], [255, 255, 255]], [[0, 0, 0], [0, 0, 0]]], np.uint8)  # uint8: 255**2 == 1
    with pytest.raises(ValueError, match=r"tv_loss's image is uint8; give floats in \[0, 1\] \(divide by 255\)"):
        losses.tv_loss(image)
    with pytest.raises(ValueError, match="gram's feature is uint8; give a float array"):
        losses.gram(np.full((2, 2, 1), 255, np.uint8))
    with pytest.raises(ValueError, match="content_loss's feature is int32"):
        losses.content_loss(np.ones((2, 2, 1), np.int32), np.ones((2, 2, 1), np.float32))


def test_float16_features_give_the_float32_gram_and_losses_not_inf():
    f = np.random.default_rng(0).uniform(0, 600, (32, 32, 64)).astype(np.float32)  # VGG activations reach ~700
    half = jnp.asarray(f, jnp.float16)
    np.testing.assert_allclose(losses.gram(half), losses.gram(np.asarray(half, np.float32)), rtol=1e-5)
    assert np.isfinite(losses.style_layer_loss(half, losses.gram(f) * 1.01))
    got = losses.content_loss(jnp.full((8, 8, 4), 300.0, jnp.float16), jnp.full((8, 8, 4), 299.0, jnp.float16))
    np.testing.assert_allclose(got, 1 / 299**2, rtol=1e-3)  # float16's 300**2 overflowed: 0


def test_misused_losses_say_what_they_need():
    with pytest.raises(ValueError, match=r"content_loss needs \(..., h, w, C\) feature maps"):
        losses.content_loss(np.zeros((4, 3)), np.zeros((4, 3)))  # was an IndexError
    f = {"a": np.ones((2, 2, 1), np.float32)}
    with pytest.raises(ValueError, match="layer_weights lack layer a, which target_grams has"):
        losses.style_loss(f, {"a": np.ones((1, 1), np.float32)}, {"b": 1.0})  # was a bare KeyError
    assert isinstance(losses.style_loss({}, {}), jax.Array)  # was the int 0


def test_a_region_mask_is_averaged_over_the_pixels_each_cell_pools():
    """At 47 px pooling drops the last odd rows and columns; the mask was resized over all 47, so
    a region of columns 0-31 covered only 0.42 of relu5_1's second cell, which pools columns 16-31."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg19", widths=TINY)
    m = np.zeros((1, 47, 47), np.float32)
    m[0, :, :32] = 1
    got = guided.layer_masks(w, m, ["relu1_1", "pool1", "relu4_1", "relu5_1"])
    assert got["relu1_1"][0, 0].tolist() == m[0, 0].tolist()
    assert got["pool1"][0, 0].tolist() == [1] * 16 + [0] * 7
    assert got["relu4_1"][0].tolist() == [[1, 1, 1, 1, 0]] * 5 and got["relu5_1"][0].tolist() == [[1, 1]] * 2


@pytest.mark.parametrize("changes, message", [
    # layer_weights() keyed them by name: relu1_1 got 1/2 of the style, not 2/3 as listed twice
    ({"style_layers": ("relu1_1", "relu2_1", "relu1_1")}, "style-layers lists 'relu1_1' twice"),
    ({"content_layers": ("relu4_2", "relu4_2")}, "content-layers lists 'relu4_2' twice"),
    # a full run returned the starting image, or the photo without a trace of the painting
    ({"content_weight": 0, "style_weight": 0.0, "tv_weight": 0}, "are all 0, so nothing would change"),
    ({"style_layer_weights": (0, 0.0, 0, 0, 0)}, "style layer weights are all 0, which leaves no style"),
    ({"style_layer_weights": (1, 2)}, r"for 5 style layers \(relu1_1, .*, relu5_1\); give one weight per style layer"),
    # "has 1 weights for 5 style layers", and "1 weights for 2 paintings": one weight is singular
    ({"style_layer_weights": (1,)}, r"^style-layer-weights has 1 weight for 5 style layers \(relu1_1"),
    ({"style_layer_weights": (1, 2), "style_layers": ("relu1_1",)}, r"^style-layer-weights has 2 weights for 1 style layer \(relu1_1\)"),
])
def test_settings_that_drop_or_split_a_loss_term_are_refused(changes, message, setup):
    w, photo, paint, _ = setup
    with pytest.raises(ValueError, match=message):
        CONFIG.replace(**changes).validate()
    with pytest.raises(ValueError, match=message):  # before any work
        jaxart.stylize(photo, [paint], weights=w, config=CONFIG.replace(**changes))


def test_a_style_blend_of_one_weight_for_two_paintings_says_one_weight():
    with pytest.raises(ValueError, match=r"^style blend gives 1 weight for 2 paintings; give one weight per painting"):
        CONFIG.replace(style_blend=(1.0,)).validate(paintings=2)
    with pytest.raises(ValueError, match=r"^style blend gives 1 weight for 2 styles; give one per style"):
        losses.blend_grams([{}, {}], [1.0])


def test_the_pixel_range_features_cannot_check_is_stated_where_a_user_reads():
    # stylize refuses floats on a 0..255 scale; features, traced under jit, cannot look at values,
    # and returned 255-times activations silently with nothing in its docstring to warn.
    for fn in (jaxart.features, jaxart.total_loss):
        doc = " ".join(fn.__doc__.split())
        assert "[0, 1]" in doc and "0..255" in doc and "by 255" in doc, fn.__name__


def test_colour_functions_refuse_an_unknown_mode_or_channel_count_instead_of_passing_pixels_through():
    """finish and start returned the image unchanged for a mistyped mode (the painting's colours kept,
    silently); an RGBA or grey array failed inside a matmul, naming gufunc signatures."""
    from jaxart import color

    image = np.full((4, 5, 3), 0.5, np.float32)
    for fn in (lambda m: color.finish(image, image, m), lambda m: color.start(image, m)):
        with pytest.raises(ValueError, match=r"^colors 'keep-colors' is not one of style, luminance, .*, keep$"):
            fn("keep-colors")
    for fn, what in ((color.rgb_to_yiq, "rgb_to_yiq's image"), (color.luminance, "luminance's image"),
                     (lambda x: color.match_colors(x, image), "match_colors' style")):
        with pytest.raises(ValueError, match=rf"^{what} has shape \(4, 5, 4\); give an \(\.\.\., 3\) array"):
            fn(np.ones((4, 5, 4), np.float32))
    np.testing.assert_allclose(color.finish(image, image, "keep"), image, atol=1e-6)  # grey stays grey


def test_margin_under_jit_names_the_static_arguments_it_needs():
    """`jax.jit(margin.pad)(x, 8)` said "margin must be a whole number ..., got JitTracer(~int32[])",
    and `jax.jit(margin.crop)(x, shape)` raised a TracerBoolConversionError; both set shapes."""
    from jaxart import margin

    photo = np.random.default_rng(0).random((6, 7, 3)).astype(np.float32)
    with pytest.raises(ValueError, match=r"^margin is traced, but it sets the padded shape; make it static"):
        jax.jit(margin.pad)(photo, 2)
    padded = jax.jit(margin.pad, static_argnums=1)(photo, 2)
    assert padded.shape == (10, 11, 3)
    with pytest.raises(ValueError, match=r"^crop's shape is traced, but it sets the output's shape"):
        jax.jit(margin.crop)(padded, photo.shape)
    np.testing.assert_array_equal(jax.jit(margin.crop, static_argnums=1)(padded, photo.shape), photo)


def test_a_sweep_grid_takes_jax_arrays_as_it_takes_numpy_ones():
    """grid(np.logspace(0, 3, 4)) worked, grid(jnp.logspace(0, 3, 4)) said "style_weights must be numbers,
    got Array(1., dtype=float32)": a 0-d jax.Array is no numbers.Real."""
    got = jaxart.sweep.grid(jnp.logspace(0, 2, 3), seeds=jnp.arange(2))
    assert got == jaxart.sweep.grid([1.0, 10.0, 100.0], seeds=[0, 1])
    assert all(type(s.style_weight) is float and type(s.seed) is int for s in got)  # JSON in every tile's record
    with pytest.raises(ValueError, match=r"^seeds must be whole numbers, got 1.5"):
        jaxart.sweep.grid(seeds=jnp.array([1.5]))
    with pytest.raises(ValueError, match=r"^content_weights must be numbers, got True"):
        jaxart.sweep.grid(content_weights=jnp.array([True]))


def test_config_keys_of_several_types_are_named_unknown():
    """Sorting them for the message raised "'<' not supported between instances of 'str' and 'int'"."""
    with pytest.raises(ValueError, match=r"^unknown config fields \[1, 'a'\]"):
        jaxart.StyleConfig.from_dict({1: 2, "a": 3})
