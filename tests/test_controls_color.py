"""Artistic controls on real images and real weights (vgg16-hed, 48 px): colour modes, style
scale, blended styles and the animation of a run. Each test asserts the property a user asks for."""

import sys

import jax
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import cli
import jaxart
from jaxart import animate, color, losses
from jaxart.image import resized

from conftest import shared_image, write_tiny_job

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


def test_animate_writes_the_optimization_in_order_and_keep_restores_colours(tmp_path):
    out, gif = tmp_path / "out.png", tmp_path / "run.gif"
    args = ["stylize", str(shared_image("content/tubingen.jpg")), str(shared_image("style/starry_night.jpg")),
            "--model", "vgg16-hed", "--size", str(SIZE), "--steps", "6", "--save-every", "2", "--colors", "keep",
            "--output", str(out), "--animate", str(gif), "--quiet"]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    steps = (tmp_path / "out_00002.png", tmp_path / "out_00004.png", out)
    pngs = [_image("content/tubingen.jpg")] + [np.asarray(Image.open(p), np.float64) / 255 for p in steps]
    with Image.open(gif) as g:
        assert g.n_frames == 4 and g.info["loop"] == 0
        frames = []
        for i in range(g.n_frames):
            g.seek(i)
            frames.append(np.asarray(g.convert("RGB"), np.float64) / 255)
    distances = np.array([[_rms(f, p) for p in pngs] for f in frames])
    assert list(distances.argmin(axis=1)) == [0, 1, 2, 3], distances  # the photo, then steps 2, 4, 6 in order
    assert _rms(pngs[1], pngs[3]) > 2 * distances[1, 1]  # frames differ by more than GIF's palette error
    assert _rms(_chroma(pngs[3]), _chroma(pngs[0])) < 1 / 255  # --colors keep
    assert jaxart.read_record(out)["config"]["colors"] == "keep"


def test_a_frame_every_step_of_a_long_run_keeps_memory_bounded_and_frames_evenly_spaced(tmp_path, monkeypatch):
    frames = animate.Frames(every=1)
    for step in range(1000):
        frames.offer(step, np.full((4, 4, 3), step / 1000))
    assert len(frames.images) <= animate.MAX_FRAMES + 1 and frames.every == 8
    assert frames.steps[0] == 0 and frames.steps[-1] >= 1000 - frames.every
    assert set(np.diff(frames.steps)) == {frames.every}
    assert frames.images[-1].dtype == np.uint8 and frames.images[-1][0, 0, 0] == round(frames.steps[-1] / 1000 * 255)
    # The same through the command line: 8 steps, a frame every step, room for 4.
    monkeypatch.setattr(animate, "MAX_FRAMES", 4)
    gif = tmp_path / "run.gif"
    args = ["stylize", str(shared_image("content/tubingen.jpg")), str(shared_image("style/starry_night.jpg")),
            "--model", "vgg16-hed", "--size", str(SIZE), "--steps", "8", "--animate", str(gif),
            "--save-every", "1", "--output", str(tmp_path / "out.png"), "--quiet"]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    with Image.open(gif) as g:
        assert g.n_frames == 5  # the photo, steps 2, 4, 6 and the result


def test_a_coarse_to_fine_animation_has_about_24_frames_in_all_and_starts_at_the_first_scale(tmp_path, monkeypatch):
    """With one --steps for every scale, frames were counted per scale: 2 scales gave 49 frames, not
    ~24; and frame 0 was the start at the final size, not the coarse start the run began from."""
    d, model = write_tiny_job(tmp_path, "vgg16")
    kept = []
    real = animate.save_animation
    monkeypatch.setattr(animate, "save_animation", lambda path, images, **kw: kept.extend(images) or real(path, images, **kw))
    args = ["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--scales", "24,40", "--steps", "24",
            "--style-layers", "relu1_1,relu2_1", "--content-layers", "relu2_1", "--init", "random", "--quiet",
            "--output", str(tmp_path / "out.png"), "--animate", str(tmp_path / "run.gif")]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "run.gif") as g:
        assert g.n_frames == 25  # steps 0, 2, ..., 46 of 48, and the result
    assert kept[0].shape == (18, 24, 3) and kept[-1].shape == (30, 40, 3)
    start = jaxart.inputs.initial_image(np.zeros((18, 24, 3), np.float32), jaxart.StyleConfig(init="random"))
    np.testing.assert_allclose(kept[0] / 255, np.asarray(start), atol=0.5 / 255 + 1e-6)


def test_a_coarse_to_fine_animation_opens_on_the_sharp_photo_at_the_output_size(tmp_path, monkeypatch):
    """Frame 0 was the first scale's photo, enlarged to the output: a blurred photo where an artist
    expects the sharp one the painting emerges from (the coarse start is that photo made smaller)."""
    d, model = write_tiny_job(tmp_path, "vgg16")
    kept = []
    real = animate.save_animation
    monkeypatch.setattr(animate, "save_animation", lambda path, images, **kw: kept.extend(images) or real(path, images, **kw))
    args = ["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--scales", "24,40", "--steps", "2",
            "--style-layers", "relu1_1,relu2_1", "--content-layers", "relu2_1", "--quiet",
            "--output", str(tmp_path / "out.png"), "--animate", str(tmp_path / "run.gif")]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    photo = resized(jaxart.load_image(d / "photo.jpg"), 40)
    assert kept[0].shape == photo.shape == kept[-1].shape
    np.testing.assert_allclose(kept[0] / 255, photo, atol=0.5 / 255 + 1e-6)
    with Image.open(tmp_path / "run.gif") as g:  # and so does the file, up to GIF's palette
        first = np.asarray(g.convert("RGB"), np.float64) / 255
    blurred = resized(resized(photo, 24), photo.shape[:2])
    assert _rms(first, photo) < 0.5 * _rms(first, blurred), (_rms(first, photo), _rms(first, blurred))


def test_animation_of_a_coarse_to_fine_run_grows_its_early_frames_to_the_result(tmp_path):
    frames = [np.zeros((12, 16, 3)), np.full((24, 32, 3), 0.5), np.ones((24, 32, 3))]
    path = animate.save_animation(tmp_path / "run.webp", frames)
    with Image.open(path) as im:
        assert im.n_frames == 3 and im.size == (32, 24)
        means = []
        for i in range(3):
            im.seek(i)
            means.append(np.asarray(im.convert("RGB"), np.float64).mean() / 255)
    np.testing.assert_allclose(means, [0.0, 0.5, 1.0], atol=0.02)
    gif = animate.save_animation(tmp_path / "grey.gif", [np.full((8, 8, 3), 128, np.uint8)])  # 8-bit frames as they are
    with Image.open(gif) as im:
        assert np.asarray(im.convert("RGB"))[0, 0, 0] == 128
    assert animate.every(500) == 20 and animate.every(500, save_every=7) == 7 and animate.every(5) == 1


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


def test_an_animation_shows_each_frame_for_frame_ms_and_holds_the_result_for_hold_ms(tmp_path):
    frames = [np.full((8, 8, 3), v) for v in (0.0, 0.5, 1.0)]
    path = animate.save_animation(tmp_path / "RUN.GIF", frames, frame_ms=100, hold_ms=1500)  # suffix in any case
    durations = []
    with Image.open(path) as g:
        assert g.format == "GIF" and g.n_frames == 3
        for i in range(3):
            g.seek(i)
            durations.append(g.info["duration"])
    assert durations == [100, 100, 1500]


@pytest.mark.parametrize("steps, images", [([0, 1], [np.zeros((4, 4, 3), np.uint8)]),
                                           ([-2], [np.zeros((4, 4, 3), np.uint8)])])
def test_restored_frames_that_do_not_match_their_steps_are_refused(steps, images):
    with pytest.raises(jaxart.errors.InputError, match="animation frames are damaged"):
        animate.Frames.restored(1, steps, images)


def test_a_run_never_holds_more_than_max_frames():
    frames, held = animate.Frames(every=1), 0
    for step in range(3 * animate.MAX_FRAMES):
        frames.offer(step, np.zeros((2, 2, 3)))
        held = max(held, len(frames.images))
    assert held == animate.MAX_FRAMES  # the result is the one more an animation gets
