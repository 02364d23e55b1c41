"""Artistic controls on real images and real weights (vgg16-hed, 48 px): colour modes, style
scale and blended styles. Each test asserts the property a user asks for."""

import sys

import jax
import numpy as np
import pytest

import cli
import jaxart
from jaxart import color, losses
from jaxart.image import resized

from conftest import shared_image

SIZE, STEPS = 48, 20  # one output shape for every run in this file
LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")


def _image(name: str, size: int = SIZE) -> np.ndarray:
    """A shared image at the output size, float64 in [0, 1], as the driver resizes it."""
    return np.asarray(resized(jaxart.load_image(shared_image(name)), size), np.float64)


def _rms(a, b) -> float:
    return float(np.sqrt(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2)))


def _chroma(rgb) -> np.ndarray:
    return color.rgb_to_yiq(np.asarray(rgb, np.float64))[..., 1:]


@pytest.fixture(scope="module")
def runs(hed_weights):
    """`run(styles, **config)` -> Outcome, each distinct run done once for the whole file."""
    photo = jaxart.load_image(shared_image("content/tubingen.jpg"))
    done = {}

    def run(styles: tuple[str, ...], **changes):
        key = (styles, tuple(sorted(changes.items())))
        if key not in done:
            paintings = [jaxart.load_image(shared_image(f"style/{s}.jpg")) for s in styles]
            config = jaxart.StyleConfig(size=SIZE, steps=STEPS, **changes)
            done[key] = jaxart.run(photo, paintings, weights=hed_weights, config=config)
        return done[key]

    return run


def test_yiq_round_trip_and_luminance_match_a_float64_reference():
    rgb = np.random.default_rng(0).random((5, 7, 3))
    yiq = color.rgb_to_yiq(rgb)
    np.testing.assert_allclose(yiq[..., 0], 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2])
    np.testing.assert_allclose(color.yiq_to_rgb(yiq), rgb, atol=1e-12)
    grey = np.repeat(rgb[..., :1], 3, axis=-1)
    np.testing.assert_allclose(color.rgb_to_yiq(grey)[..., 1:], 0.0, atol=1e-12)  # grey has no chroma
    out = np.asarray(color.recombine(color.luminance(rgb[::-1]), rgb))  # another image's luminance
    np.testing.assert_allclose(color.luminance(out), color.luminance(rgb[::-1]), atol=1e-5)  # test_recombine


@pytest.mark.parametrize("method", ["pca", "chol", "sym"])
def test_match_gives_the_painting_the_photos_colour_mean_and_covariance(method):
    photo, painting = _image("content/tubingen.jpg", 64), _image("style/starry_night.jpg", 64)
    matched = color.match_colors(painting, photo, method)
    stats = lambda x: (x.reshape(-1, 3).mean(0), np.cov(x.reshape(-1, 3), rowvar=False, bias=True))
    (m, c), (m_photo, c_photo), (m_paint, c_paint) = stats(matched), stats(photo), stats(painting)
    np.testing.assert_allclose(m, m_photo, atol=1e-3)
    np.testing.assert_allclose(c, c_photo, atol=1e-3)
    # So the match had something to do: the painting's own statistics are far from the photo's.
    assert np.abs(m_paint - m_photo).max() > 0.05 and np.abs(c_paint - c_photo).max() > 0.01
    # Still the painting: its luminance pattern survives the recolouring.
    assert np.corrcoef(color.luminance(matched).ravel(), color.luminance(painting).ravel())[0, 1] > 0.8


def test_match_methods_are_different_maps():
    photo, painting = _image("content/tubingen.jpg", 64), _image("style/the_scream.jpg", 64)
    pca, chol, sym = (color.match_colors(painting, photo, m) for m in ("pca", "chol", "sym"))
    assert min(_rms(pca, chol), _rms(pca, sym), _rms(chol, sym)) > 1e-3


def test_luminance_keeps_the_photos_chroma_and_takes_the_paintings_texture(runs):
    photo = _image("content/tubingen.jpg")
    lum, style = runs(("starry_night",), colors="luminance"), runs(("starry_night",))
    assert _rms(_chroma(lum.image), _chroma(photo)) < 1 / 255
    assert _rms(_chroma(style.image), _chroma(photo)) > 3 / 255  # the default takes the painting's colours
    assert _rms(color.luminance(lum.image), color.luminance(photo)) > 5 / 255  # it was stylized


def test_two_blended_styles_lie_between_the_single_style_runs(runs, hed_weights):
    names = ("starry_night", "the_scream")
    features = jax.jit(jaxart.features, static_argnums=2)
    grams = {}  # each painting's Grams at the output size, as the driver takes them
    for n in names:
        feats = features(hed_weights, _image(f"style/{n}.jpg").astype(np.float32), LAYERS)
        grams[n] = {k: losses.gram(v) for k, v in feats.items()}

    def distance(image, name):  # equal weights
        return float(losses.style_loss(features(hed_weights, np.asarray(image, np.float32), LAYERS), grams[name]))

    one, two, both = runs(names[:1]), runs(names[1:]), runs(names, style_blend=(0.5, 0.5))
    for name in names:
        lo, hi = sorted((distance(one.image, name), distance(two.image, name)))
        assert lo < distance(both.image, name) < hi, (name, lo, distance(both.image, name), hi)


def _spectral_centroid(image) -> float:
    """Mean spatial frequency (cycles/pixel) of the luminance's power, DC removed: lower means
    larger structures."""
    y = color.luminance(np.asarray(image, np.float64))
    power = np.abs(np.fft.fft2(y - y.mean())) ** 2
    radius = np.hypot(*np.meshgrid(np.fft.fftfreq(y.shape[0]), np.fft.fftfreq(y.shape[1]), indexing="ij"))
    return float((power * radius).sum() / power.sum())


def test_larger_style_scale_gives_larger_style_structures(runs):
    fine, coarse = runs(("starry_night",), style_scale=0.5), runs(("starry_night",), style_scale=2.0)
    assert _spectral_centroid(coarse.image) < 0.9 * _spectral_centroid(fine.image)


BAD = {
    "unknown colour mode": (["--colors", "sepia"], "'sepia' is not one of"),
    "zero style scale": (["--style-scale", "0"], "style-scale must be a finite number above 0"),
    # the memory estimate's pixel counts overflowed: a traceback (OverflowError)
    "huge style scale": (["--style-scale", "1e300"], "style-scale must be a finite number above 0 (at most 1e30)"),
    "tiny painting": (["--style-scale", "0.1"], "makes the painting 5 px"),
    "animation suffix": (["--animate", "ANIM/run.mp4"], "must end in .gif or .webp"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_control_fails_before_weights_load_and_writes_nothing(case, tmp_path, monkeypatch, capsys):
    extra, expected = BAD[case]
    extra = [a.replace("ANIM", str(tmp_path)) for a in extra]
    monkeypatch.setattr("jaxart.model_choice.resolve_model", lambda *a: pytest.fail("weights loaded before validation"))
    monkeypatch.setattr(sys, "argv", ["cli.py", "stylize", str(shared_image("content/tubingen.jpg")),
                                      str(shared_image("style/starry_night.jpg")), "--size", str(SIZE),
                                      "--output", str(tmp_path / "out.png"), *extra])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2 and len(err.splitlines()) == 1 and expected in err, err
    assert not list(tmp_path.iterdir())


def test_keep_over_several_scales_is_the_style_run_with_the_photos_chroma(tiny_vgg16):
    """`keep` is a style run whose output takes the photo's chroma (README, Controls), but coarse to fine
    started each later scale from the scale before it with the photo's chroma already put back, so from
    the photo's colours instead of the painting's, and ended elsewhere than the style run."""
    rng = np.random.default_rng(3)
    photo, painting = rng.random((24, 32, 3), np.float32), rng.random((20, 20, 3), np.float32)
    config = jaxart.StyleConfig(size=48, scales=(24, 48), steps=6, margin=0, style_weight=100.0)
    style = jaxart.stylize(photo, [painting], weights=tiny_vgg16, config=config)
    keep = jaxart.stylize(photo, [painting], weights=tiny_vgg16, config=config.replace(colors="keep"))
    np.testing.assert_allclose(keep, color.recombine(color.luminance(style), resized(photo, 48)), atol=2e-5)
