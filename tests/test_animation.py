"""The animation of a run (--animate): its frames in order, one every few steps with memory bounded, the start of a
coarse to fine run, frame timing; on real images and weights (vgg16-hed, 48 px) and a tiny VGG."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import cli
import jaxart
from jaxart import animate, frames
from jaxart.image import resized

from conftest import shared_image, write_tiny_job
from test_controls_color import SIZE, _chroma, _image, _rms


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


@pytest.mark.parametrize("extra, named, there", [
    (["--save-every", "2", "--animate", "{d}/run.gif"], "{d}/out.png, 3 frames {d}/out_00002.png to out_00006.png and "
     "{d}/run.gif", ["out.png", "out_00002.png", "out_00004.png", "out_00006.png", "run.gif"]),
    (["--animate", "{d}/run.gif"], "{d}/out.png and {d}/run.gif", ["out.png", "run.gif"]),
    (["--save-every", "4"], "{d}/out.png and frame {d}/out_00004.png", ["out.png", "out_00004.png"]),
])
def test_the_summary_names_every_file_the_run_wrote(extra, named, there, tmp_path, monkeypatch, capsys):
    """`--save-every 2 --animate run.gif` ended on "wrote out.png (...)": the animation and the frames unnamed."""
    from conftest import run_main, stylize_argv

    files = write_tiny_job(tmp_path / "job")
    d = tmp_path / "o"
    argv = [a for a in stylize_argv(files, d / "out.png", "--steps", "7", *(e.format(d=d) for e in extra))
            if a != "--quiet"]
    code, said, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and said.startswith(f"wrote {named.format(d=d)} (tiny, 7 steps, "), (said, err)
    assert sorted(p.name for p in d.iterdir()) == there


def test_the_frames_named_are_those_a_run_stopped_early_wrote():
    out = Path("/x/out.png")
    assert frames.written(out, "png", 20, 100, 10) == "/x/out.png and 2 frames /x/out_00010.png to out_00020.png"
    assert frames.written(out, "tiff", 9, 9, 3) == "/x/out.png and 2 frames /x/out_00003.tif to out_00006.tif"
    assert frames.written(out, "png", 1, 1, 1, Path("a.webp")) == "/x/out.png and a.webp"


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
