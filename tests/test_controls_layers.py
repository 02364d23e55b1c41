"""The layer, pooling and init options do what they say: a seeded random start, an init image resampled once,
average against max pooling, and the layers the loss compares; on a tiny VGG16."""

import jax
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import inputs, objective
from jaxart.config import StyleConfig
from jaxart.targets import make_targets


def test_random_init_is_seeded_uniform_noise(tiny_vgg16, rng):
    photo = rng.random((18, 24, 3), dtype=np.float32)
    start = lambda seed: np.asarray(inputs.initial_image(photo, StyleConfig(init="random", seed=seed)))
    a, b, c = start(3), start(3), start(4)
    np.testing.assert_array_equal(a, b)
    assert a.shape == photo.shape and 0 <= a.min() and a.max() <= 1 and abs(a.mean() - 0.5) < 0.05
    assert np.abs(a - c).mean() > 0.2  # independent uniform noise differs by 1/3 on average
    # Every 64-bit seed is its own start: JAX's PRNGKey kept the low 32 bits, so 2**32 started like 0.
    starts = [start(s) for s in (0, 2**32, -1, 2**32 - 1, -2**63, 2**63 - 1)]
    assert min(np.abs(x - y).mean() for i, x in enumerate(starts) for y in starts[:i]) > 0.2
    np.testing.assert_array_equal(starts[0], np.asarray(jax.random.uniform(jax.random.PRNGKey(0), photo.shape)))
    run = lambda seed: jaxart.run(photo, [photo[::-1]], weights=tiny_vgg16,
                                  config=StyleConfig(size=24, steps=2, init="random", seed=seed)).image
    np.testing.assert_array_equal(run(3), run(3))
    assert np.abs(run(3) - run(4)).mean() > 0.1


def test_init_path_starts_from_that_image_resized(tmp_path, rng):
    photo = rng.random((18, 24, 3), dtype=np.float32)
    Image.new("RGB", (80, 60), (255, 0, 0)).save(tmp_path / "red.png")
    start = np.asarray(inputs.initial_image(photo, StyleConfig(init=str(tmp_path / "red.png"))))
    assert start.shape == photo.shape
    np.testing.assert_allclose(start, np.broadcast_to(np.float32([1, 0, 0]), photo.shape), atol=1 / 255)


def test_init_image_is_resampled_once_in_float_not_rounded_to_8_bits(tmp_path):
    # A smooth ramp at another size and aspect: one float resample leaves values between the 8-bit
    # levels and follows the ramp; two 8-bit Lanczos passes (the old way) rounded every pixel.
    ramp = np.broadcast_to(np.linspace(0, 255, 90, dtype=np.float32)[None, :, None], (40, 90, 3))
    Image.fromarray(ramp.round().astype(np.uint8)).save(tmp_path / "ramp.png")
    photo = np.zeros((21, 37, 3), np.float32)
    start = np.asarray(inputs.initial_image(photo, StyleConfig(init=str(tmp_path / "ramp.png"))))
    assert start.shape == photo.shape
    assert np.abs(start * 255 - np.round(start * 255)).max() > 0.05
    np.testing.assert_allclose(start[10, :, 0], np.linspace(0, 1, 37), atol=0.02)
    with pytest.raises(jaxart.InputError, match=r"^shape must be at least 1x1 pixels, got 5x0$"):
        jaxart.image.resized(ramp, (0, 5))


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_transparent_init_image_lies_over_the_background_as_the_photo_does(command, tmp_path, monkeypatch, capsys):
    """--init laid its transparent pixels over white whatever --background said, which the photo and paintings took."""
    from conftest import run_main, stylize_argv, write_tiny_job

    half = np.zeros((30, 40, 4), np.uint8)
    half[:, :20] = (255, 0, 0, 255)  # the left half red, the right half transparent
    Image.fromarray(half, "RGBA").save(tmp_path / "init.png")
    config = StyleConfig(init=str(tmp_path / "init.png"))
    np.testing.assert_allclose(inputs.initial_image(np.zeros((24, 32, 3), np.float32), config, (0, 0, 255))[:, 20:],
                               np.broadcast_to(np.float32([0, 0, 1]), (24, 12, 3)), atol=1 / 255)
    assert np.asarray(inputs.initial_image(np.zeros((24, 32, 3), np.float32), config))[:, 20:].min() > 0.99  # white
    starts, real = [], inputs.starting_image
    monkeypatch.setattr(inputs, "starting_image", lambda *a, **k: starts.append(real(*a, **k)) or starts[-1])
    argv = stylize_argv(write_tiny_job(tmp_path / "job"), tmp_path / "o.png", "--init", str(tmp_path / "init.png"),
                        "--background", "blue", "--steps", "1")
    code, _, err = run_main([command, *argv[1:]], monkeypatch, capsys)
    assert code == 0 and "has no effect" not in err, err  # the photo and painting are opaque; the init is not
    start = np.asarray(jaxart.margin.crop(starts[0], (24, 32, 3)))  # the run's start, as the optimizer takes it
    np.testing.assert_allclose(start[:, 20:], np.broadcast_to(np.float32([0, 0, 1]), (24, 12, 3)), atol=1 / 255)
    np.testing.assert_allclose(start[:, :12], np.broadcast_to(np.float32([1, 0, 0]), (24, 12, 3)), atol=1 / 255)


def test_avg_pooling_averages_where_max_pooling_takes_the_maximum(tiny_vgg16, rng):
    image = rng.random((16, 20, 3), dtype=np.float32)
    f = {p: jaxart.features(tiny_vgg16, image, ["relu1_2", "pool1", "relu2_1"], p) for p in ("max", "avg")}
    blocks = np.asarray(f["max"]["relu1_2"], np.float64).reshape(8, 2, 10, 2, -1)
    np.testing.assert_allclose(f["avg"]["pool1"], blocks.mean(axis=(1, 3)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(f["max"]["pool1"], blocks.max(axis=(1, 3)), rtol=1e-5, atol=1e-6)
    assert np.abs(np.asarray(f["avg"]["relu2_1"]) - np.asarray(f["max"]["relu2_1"])).mean() > 1e-3
    targets = make_targets(tiny_vgg16, image, [image], StyleConfig(pooling="avg"))
    np.testing.assert_allclose(targets.content["relu4_2"],
                               jaxart.features(tiny_vgg16, image, ["relu4_2"], "avg")["relu4_2"], rtol=1e-5)


def test_content_and_style_layers_choose_what_the_loss_compares(tiny_vgg16, rng):
    photo, painting = rng.random((16, 20, 3), dtype=np.float32), rng.random((16, 20, 3), dtype=np.float32)
    config = StyleConfig(content_layers=("relu2_2", "relu3_1"), style_layers=("relu1_1", "relu2_1"),
                         style_layer_weights=(1.0, 0.0))
    targets = make_targets(tiny_vgg16, photo, [painting], config)
    assert set(targets.content) == {"relu2_2", "relu3_1"} and set(targets.grams) == {"relu1_1", "relu2_1"}
    lw = objective.LossWeights.of(config)
    at_photo = objective.total_loss(tiny_vgg16, photo, targets, config, lw)[1]
    at_painting = objective.total_loss(tiny_vgg16, painting, targets, config, lw)[1]
    assert float(at_photo["content"]) == 0 and float(at_painting["content"]) > 0
    # weight 0 on relu2_1: the style term is relu1_1's Gram distance alone (float64 reference)
    f = lambda x: np.asarray(jaxart.features(tiny_vgg16, x, ["relu1_1"])["relu1_1"], np.float64).reshape(-1, 4)
    g_out, g_style = f(photo).T @ f(photo) / len(f(photo)), f(painting).T @ f(painting) / len(f(painting))
    expected = ((g_out - g_style) ** 2).sum() / (g_style**2).sum()
    np.testing.assert_allclose(float(at_photo["style"]), expected, rtol=1e-4)
