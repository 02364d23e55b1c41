"""What a sweep holds fixed for every tile: stylize's options, giving the tile stylize gives, named on the page."""

import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import sheet, sweep

from conftest import run_main, write_tiny_job
from test_sweep_cli import _sweep_args


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("fixed"), "vgg16")


def test_the_page_and_sheet_name_what_every_tile_holds_fixed():
    """Only the swept values and the inputs were named: a sheet of luminance tiles at style scale 2
    looked like any other, and its page did not say so."""
    config = jaxart.StyleConfig(size=64, steps=5, style_layers=("relu1_1",), style_layer_weights=(2.0,),
                                init="/x/start.png", remat=True, loop="scan", style_blend=(1.0, 1.0))
    assert sheet.held(config, {"inputs": {"background": [0, 0, 0]}}) == (
        "size 64, steps 5, style-layers relu1_1, style-layer-weights 2, init start.png, remat, background 0,0,0")
    assert sheet.held(jaxart.StyleConfig(), {"inputs": {"background": [255, 255, 255]}}) == "size 512, steps 500"
    # A learning rate is named only where it had an effect: L-BFGS ignores it (the CLI warns so).
    assert sheet.held(jaxart.StyleConfig(learning_rate=0.5)) == "size 512, steps 500"
    assert sheet.held(jaxart.StyleConfig(learning_rate=0.5, optimizer="adam")) == (
        "size 512, steps 500, optimizer adam, learning-rate 0.5")
    # Nor an L-BFGS history length under adam, which keeps none.
    assert sheet.held(jaxart.StyleConfig(lbfgs_memory=3, optimizer="adam")) == "size 512, steps 500, optimizer adam"
    assert sheet.held(jaxart.StyleConfig(lbfgs_memory=3)) == "size 512, steps 500, lbfgs-memory 3"


# What `jaxart sweep` holds fixed for every tile, as `jaxart stylize` takes it; sweep had none of these.
FIXED = ["--content-layers", "relu2_1", "--style-layers", "relu1_1,relu2_1", "--style-layer-weights", "1,3",
         "--pooling", "avg", "--lbfgs-memory", "3", "--conv", "direct", "--colors", "luminance",
         "--style-scale", "2", "--margin", "2", "--remat", "--background", "black"]


@pytest.mark.parametrize("fixed", [[], FIXED], ids=["defaults", "fixed"])
def test_a_tile_is_what_stylize_gives_with_the_same_settings(fixed, files, tmp_path, monkeypatch, capsys):
    """A tile's record lacked "gradient_products"; `jaxart info` of a tile and of the same setting
    stylized should differ only in the sheet it belongs to, the time and the last digits, and so
    should their pixels. The painting is half transparent, so --background shows in them."""
    d, model = files
    with Image.open(d / "paint.png") as img:
        painting = np.asarray(img.convert("RGBA")).copy()
    painting[:, :10, 3] = 0
    Image.fromarray(painting).save(tmp_path / "clear.png")
    inputs = [str(d / "photo.jpg"), str(tmp_path / "clear.png")]
    code, _, err = run_main(["sweep", *inputs, "-o", str(tmp_path / "g.png"), "--model", model, "--size", "24",
                             "--steps", "2", "--quiet", *fixed], monkeypatch, capsys)
    assert code == 0, err
    code, _, err = run_main(["stylize", *inputs, "-o", str(tmp_path / "s.png"), "--model", model, "--size", "24",
                             "--steps", "2", "--quiet", *fixed], monkeypatch, capsys)
    assert code == 0, err
    tile, alone = jaxart.read_record(tmp_path / "g-00.png"), jaxart.read_record(tmp_path / "s.png")
    assert set(tile) == set(alone) | {"sheet", "sweep_seconds", "devices"}  # its batch's split
    for key in set(alone) - {"seconds", "finished", "loss", "image_loss"}:
        assert tile[key] == alone[key], key
    for key in {"loss", "image_loss"} & set(alone):  # image_loss: --colors luminance put the chroma back
        assert tile[key] == pytest.approx(alone[key], rel=1e-4), key
    pixels = [np.asarray(Image.open(tmp_path / n), np.int16) for n in ("g-00.png", "s.png")]
    assert np.abs(pixels[0] - pixels[1]).max() <= 1
    if fixed:  # and the sheet's page names what every tile shares, as the options do
        assert ("model tiny; size 24, steps 2, content-layers relu2_1, style-layers relu1_1,relu2_1, "
                "style-layer-weights 1,3, pooling avg, lbfgs-memory 3, remat, conv direct, colors luminance, "
                "style-scale 2, margin 2, background 0,0,0</p>") in (tmp_path / "g.html").read_text()
        assert tile["inputs"]["background"] == [0, 0, 0] and tile["config"]["colors"] == "luminance"


def test_the_line_search_reaches_every_tile_as_in_stylize(files, tmp_path, monkeypatch, capsys):
    """sweep had no --linesearch or --lbfgs-memory. Only the config is checked: a run with zoom
    compiles for ~15 s, and sweep.sweep builds its optimizer as a run does (transfer.optimizer)."""
    seen = []

    def stop(photo, paintings, w, config, settings, **kwargs):
        seen.append(config)
        raise jaxart.InputError("stopped before the first step")

    monkeypatch.setattr(sweep, "sweep", stop)
    code, _, err = run_main(_sweep_args(files, tmp_path / "g.png", "--linesearch", "zoom", "--lbfgs-memory", "4"),
                            monkeypatch, capsys)
    assert code == 2 and err == "error: stopped before the first step", err
    assert (seen[0].linesearch, seen[0].lbfgs_memory) == ("zoom", 4)  # sweep.sweep's optimizer: transfer.optimizer


def test_a_sweep_warns_as_stylize_does_of_an_upsampled_photo_and_a_random_start_on_hed(files, tmp_path, monkeypatch,
                                                                                         capsys):
    """sweep gave neither note: a 40x30 photo at --size 48 is upsampled (blurred), and --init random
    with vgg16-hed loses the scene. Both runs stop once the weights are in hand: no compiling."""
    from jaxart import job, model_choice

    _, model = files
    hed = jaxart.load_weights(model).replace(name="vgg16-hed")
    monkeypatch.setattr(model_choice, "resolve_model", lambda *a: hed)
    monkeypatch.setattr(sweep, "sweep", lambda *a, **k: (_ for _ in ()).throw(SystemExit(3)))
    monkeypatch.setattr(job, "stylize_files", lambda *a, **k: (_ for _ in ()).throw(SystemExit(3)))
    for command in ("stylize", "sweep"):
        args = _sweep_args(files, tmp_path / f"{command}.png", "--size", "48", "--init", "random", "--quiet")
        code, _, err = run_main([command, *args[1:]], monkeypatch, capsys)
        lines = err.splitlines()
        assert code == 3, err  # stopped where the run would start, its warnings given
        assert any(line.startswith("warning: --size 48 is larger than the photo (40 px") for line in lines), err
        assert any(line.startswith("warning: --init random with vgg16-hed") for line in lines), err


def test_a_sweep_warns_once_of_each_thumbnail_painting_at_its_largest_style_scale(files, tmp_path, monkeypatch, capsys):
    """stylize warned of a painting enlarged over 4x (its strokes blurred away), sweep ran on without a word."""
    thumbs = [tmp_path / f"thumb{side}.png" for side in (4, 5)]
    for thumb, side in zip(thumbs, (4, 5)):
        Image.new("RGB", (side, side), (200, 120, 40)).save(thumb)
    monkeypatch.setattr(sweep, "sweep", lambda *a, **k: (_ for _ in ()).throw(SystemExit(3)))
    args = _sweep_args(files, tmp_path / "s.png", "--style-scale", "1,2", "--quiet")
    code, _, err = run_main([*args[:3], *map(str, thumbs), *args[3:]], monkeypatch, capsys)
    enlarged = [line for line in err.splitlines() if "is enlarged" in line]
    assert code == 3 and enlarged == [  # 24 px x 2; paint.png, 20 px to 48, is not a thumbnail
        f"warning: painting {thumbs[0]} is 4 px on its long side and is enlarged 12.0x to 48 px (--size x --style-scale), "
        "which blurs its strokes away: use a copy of it 48 px or larger",
        f"warning: painting {thumbs[1]} is 5 px on its long side and is enlarged 9.6x to 48 px (--size x --style-scale), "
        "which blurs its strokes away: use a copy of it 48 px or larger"], err


def test_a_coarse_to_fine_tile_is_stylize_coarse_to_fine_and_info_gives_its_command(files, tmp_path, monkeypatch,
                                                                                     capsys):
    """sweep refused --scales, --start-size and per-scale --steps. A tile is now stylize's run with the same
    scales: its record (the schedule too) and its pixels; `info --command` names the scales, and the page does."""
    import shlex

    d, model = files
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "g.png"),
                             "--model", model, "--style-weight", "1,100", "--scales", "24,32", "--steps", "2,2",
                             "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    assert "size 32, steps 2,2, scales 24,32</p>" in (tmp_path / "g.html").read_text()
    code, out, err = run_main(["info", str(tmp_path / "g-01.png"), "--command"], monkeypatch, capsys)
    assert code == 0, err
    argv = shlex.split(out)
    assert argv[argv.index("--scales") + 1] == "24,32" and argv[argv.index("--steps") + 1] == "2,2", out
    assert "--size" not in argv and argv[argv.index("--style-weight") + 1] == "100", out
    argv[argv.index("--output") + 1] = str(tmp_path / "s.png")
    code, _, err = run_main([*argv[1:], "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    tile, alone = jaxart.read_record(tmp_path / "g-01.png"), jaxart.read_record(tmp_path / "s.png")
    assert set(tile) == set(alone) | {"sheet", "sweep_seconds", "devices"}  # its batch's split
    assert tile["schedule"] == [[24, 2], [32, 2]] and tile["steps"] == 4
    for key in set(alone) - {"seconds", "finished", "loss", "image_loss"}:
        assert tile[key] == alone[key], key
    for key in {"loss", "image_loss"} & set(alone):  # image_loss: --colors luminance put the chroma back
        assert tile[key] == pytest.approx(alone[key], rel=1e-4), key
    pixels = [np.asarray(Image.open(tmp_path / n), np.int16) for n in ("g-01.png", "s.png")]
    assert pixels[0].shape == (24, 32, 3) and np.abs(pixels[0] - pixels[1]).max() <= 1
