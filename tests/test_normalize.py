"""Gatys' normalized VGG: every live filter's mean activation over the images becomes 1, and
nothing but the scale of each filter changes."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import cli
import jaxart
from jaxart import vgg
from jaxart.weights import normalize as N
from jaxart.weights import store
from jaxart.weights.folder import path_for
from conftest import SHARED, shared_image

RELUS = {arch: [n for n in vgg.layer_names(arch) if n.startswith("relu")] for arch in vgg.STAGES}


def relus(weights: jaxart.Weights, images) -> dict[str, np.ndarray]:
    return {k: np.asarray(v, np.float64) for k, v in jaxart.features(weights, images, RELUS[weights.arch]).items()}


def assert_only_scaled(before: dict, after: dict, means: dict, left: dict, tol: float) -> None:
    """Each filter's activation is the original over its mean (those left alone: unchanged), so
    each filter's strongest position is the same; every rescaled filter's mean is now 1."""
    for relu, a in before.items():
        conv = relu.replace("relu", "conv")
        scale = np.where(left[conv], 1.0, means[conv])
        np.testing.assert_allclose(after[relu] * scale, a, rtol=tol, atol=tol * a.max(), err_msg=relu)
        live = ~left[conv]
        assert live.any(), relu  # some filters are rescaled, so this checks something
        np.testing.assert_allclose(after[relu].mean(axis=(0, 1, 2))[live], 1.0, atol=tol, err_msg=relu)
        flat_a, flat_b = a.reshape(-1, a.shape[-1]), after[relu].reshape(-1, a.shape[-1])
        top2 = np.sort(flat_a, axis=0)[-2:]
        clear = top2[1] - top2[0] > tol * top2[1]  # skip filters whose two best positions tie
        assert np.array_equal(flat_a.argmax(0)[clear], flat_b.argmax(0)[clear]), relu


def test_tiny_vgg_is_normalized_and_a_dead_filter_is_left_alone(tiny_vgg16):
    params = {k: dict(p) for k, p in tiny_vgg16.params.items()}
    params["conv2_1"]["bias"] = params["conv2_1"]["bias"].at[0].set(-1e4)  # never fires: dead
    weights = dataclasses.replace(tiny_vgg16, params=params)
    images = np.random.default_rng(0).uniform(0, 1, (3, 32, 32, 3)).astype(np.float32)

    result = N.normalize(weights, images)

    assert result.left["conv2_1"][0] and result.means["conv2_1"][0] == 0 and result.dead_total >= 1
    np.testing.assert_array_equal(result.weights.params["conv2_1"]["bias"][0], -1e4)  # left as it was
    assert (result.weights.arch, result.weights.preprocess) == (weights.arch, weights.preprocess)
    assert_only_scaled(relus(weights, images), relus(result.weights, images), result.means, result.left, tol=1e-4)


def test_min_mean_zero_rescales_every_filter_that_fires(tiny_vgg16):
    images = np.random.default_rng(1).uniform(0, 1, (2, 32, 32, 3)).astype(np.float32)
    strict, default = N.normalize(tiny_vgg16, images, min_mean=0.0), N.normalize(tiny_vgg16, images)
    for name, m in strict.means.items():
        np.testing.assert_array_equal(strict.left[name], m <= 0)
        np.testing.assert_array_equal(default.left[name], m <= N.MIN_MEAN * m.mean())
    assert strict.rare_total == 0 and default.rare_total >= 0


def test_rescale_matches_the_papers_formula_in_float64(tiny_vgg16, rng):
    means = {n: rng.uniform(0.5, 2.0, p["bias"].shape) for n, p in tiny_vgg16.params.items()}
    means["conv3_1"][1] = 0.0
    # Non-zero biases, as real weights have (random_weights' are zero): each is divided by its filter's mean too.
    params = {n: {**p, "bias": rng.normal(0, 0.1, p["bias"].shape)} for n, p in tiny_vgg16.params.items()}
    out, dead = N.rescale(params, means, "vgg16")
    prev = np.ones(3)
    for name in vgg.conv_names("vgg16"):
        k, b = (np.asarray(params[name][p], np.float64) for p in ("kernel", "bias"))
        m = np.where(means[name] > 0, means[name], 1.0)
        np.testing.assert_allclose(out[name]["kernel"], k * prev[:, None] / m, rtol=1e-6, err_msg=name)
        np.testing.assert_allclose(out[name]["bias"], b / m, rtol=1e-6, err_msg=name)
        prev = m
    assert [n for n, d in dead.items() if np.any(d)] == ["conv3_1"]


@pytest.fixture(scope="module")
def normalized_hed(hed_weights, tmp_path_factory):
    """`weights normalize vgg16-hed --images ../shared/images --size 64` run through the CLI."""
    shared_image("content/tubingen.jpg")
    hed_file = str(path_for("vgg16-hed"))  # installed by the hed_weights fixture
    folder = tmp_path_factory.mktemp("normalized")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JAXART_WEIGHTS_DIR", str(folder))
        result = CliRunner().invoke(cli.app, ["weights", "normalize", hed_file, "--images", str(SHARED),
                                              "--name", "hed-norm", "--size", "64"])
        assert result.exit_code == 0, result.output
        return folder, result.output, jaxart.load_weights("hed-norm")


def test_normalized_hed_has_mean_activation_one_over_the_shared_images(normalized_hed, hed_weights):
    folder, output, weights = normalized_hed
    files = N.image_files(SHARED)
    assert len(files) == 6 and "normalized over 6 images at 64 px" in output
    images = N.load_images(files, 64)
    before, after = relus(hed_weights, images), relus(weights, images)
    means = {r.replace("relu", "conv"): a.mean(axis=(0, 1, 2)) for r, a in before.items()}
    left = {c: m <= N.MIN_MEAN * m.mean() for c, m in means.items()}
    assert_only_scaled(before, after, means, left, tol=1e-3)
    meta = store.read_metadata(folder / "hed-norm.safetensors")
    assert meta["normalized_from"] == "vgg16-hed" and meta["normalized_from_sha256"] == hed_weights.sha256
    assert json.loads(meta["normalized_images"]) == [f.name for f in files] and meta["normalized_size"] == "64"
    assert f"{int(meta['dead_filters'])} dead filters, {int(meta['rare_filters'])} below 0.01" in output
    assert int(meta["dead_filters"]) + int(meta["rare_filters"]) == sum(int(v.sum()) for v in left.values())


def test_stylize_runs_with_the_normalized_model(normalized_hed, tmp_path, monkeypatch):
    folder, _, _ = normalized_hed
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(folder))
    out = tmp_path / "out.png"
    args = ["stylize", str(shared_image("content/tubingen.jpg")), str(shared_image("style/starry_night.jpg")),
            "--model", "hed-norm", "--size", "32", "--steps", "2", "--output", str(out), "--quiet",
            "--content-layers", "relu2_2", "--style-layers", "relu1_1,relu2_1"]  # shallow: compiles fast
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    assert jaxart.read_record(out)["model"] == "hed-norm"
    with Image.open(out) as img:
        assert img.size[0] == 32 and np.asarray(img).std() > 5  # a picture, not a flat field


def test_normalize_refuses_a_taken_name_and_an_empty_folder_before_loading_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "w"))
    runner = CliRunner()
    taken = runner.invoke(cli.app, ["weights", "normalize", "vgg19", "--images", str(tmp_path), "--name", "vgg16"])
    assert taken.exit_code != 0 and "vgg16 is the name of a registered weight set" in taken.output
    assert "weights remove" not in taken.output  # not installed: removing it is no remedy
    empty = runner.invoke(cli.app, ["weights", "normalize", "vgg19", "--images", str(tmp_path)])
    assert empty.exit_code != 0 and "holds no images" in str(empty.exception)
    assert not (tmp_path / "w").exists()  # nothing fetched, nothing written


def test_images_are_centre_squares_and_a_size_or_min_mean_out_of_range_is_refused(tiny_vgg16, tmp_path):
    """A corner square would measure the means over the wrong part of every wide photo; a size under
    16 leaves pool4 no pixel, and min_mean 1 would leave every filter as it is."""
    wide = np.zeros((10, 30, 3), np.uint8)
    wide[:, :10, 0], wide[:, 10:20, 1], wide[:, 20:, 2] = 255, 255, 255  # red | green | blue
    Image.fromarray(wide).save(tmp_path / "wide.png")
    square = N.load_images([tmp_path / "wide.png"], 16)[0]
    assert square.shape == (16, 16, 3) and square[:, 4:12, 1].min() > 0.9 and square[:, 4:12, ::2].max() < 0.1
    with pytest.raises(jaxart.InputError, match="--size must be at least 16 pixels"):
        N.load_images([tmp_path / "wide.png"], 15)
    with pytest.raises(jaxart.InputError, match=r"min_mean must be in \[0, 1\), got 1.0"):
        N.normalize(tiny_vgg16, square[None], min_mean=1.0)
