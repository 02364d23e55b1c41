"""Sweeping the painting's scale (--style-scale 0.5,1,2): each tile is a run at its own scale, says so in its
record, its label and `info --command`; one scale is the config's, as before it was swept."""

import re
import shlex

import jax
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import sheet, sweep

from conftest import run_main, write_tiny_job
from test_sweep import CONFIG, _inputs


@pytest.mark.parametrize("fixed", [{}, {"size": 32, "scales": (16, 32), "steps": 5, "scale_steps": (3, 2),
                                        "colors": "luminance"}], ids=["one-size", "coarse-to-fine-luminance"])
def test_a_tile_of_a_style_scale_sweep_is_a_run_at_its_scale(fixed, tiny_vgg16):
    """The painting's scale was one value for every tile; its Grams have the same shapes at any scale,
    so the settings now carry one each, computed once per scale (and per scale of coarse to fine)."""
    content, style = _inputs()
    config = CONFIG.replace(**fixed)
    grid = sweep.grid(style_weights=[1000.0], style_scales=[1, 2])
    assert [s.style_scale for s in grid] == [1.0, 2.0]
    result = sweep.sweep(content, style, tiny_vgg16, config, grid)
    for i, setting in enumerate(grid):
        alone = jaxart.run(content, [style], weights=tiny_vgg16, config=setting.apply(config))
        np.testing.assert_allclose(result.images[i], alone.image, atol=2e-5)
        np.testing.assert_allclose(result.terms["total"][i], alone.terms["total"], rtol=1e-4)
    assert np.abs(result.images[0] - result.images[1]).mean() > 0.005  # the scale changes the strokes


def test_the_photo_is_prepared_once_per_scale_not_once_per_painting_scale(tiny_vgg16, monkeypatch):
    """Each (painting, style scale) set resized and recoloured the photo again (~20 ms for a 3000x2000
    one each time), to throw it away: 3 times a scale for 2 style scales; it is now once a scale."""
    from jaxart import inputs

    content, style = _inputs()
    sized, resized = [], inputs.resized
    monkeypatch.setattr(inputs, "resized", lambda x, *a: sized.append(np.shape(x)) or resized(x, *a))
    config = CONFIG.replace(size=32, scales=(16, 32), steps=5, scale_steps=(3, 2), colors="luminance")
    result = sweep.sweep(content, style, tiny_vgg16, config, sweep.grid(style_weights=[1000.0], style_scales=[1, 2]))
    assert result.ok.all() and sized.count(content.shape) == 2 and sized.count(style.shape) == 4


def test_the_first_style_scale_is_not_part_of_the_compiled_program(tiny_vgg16):
    """The loss reads the painting's Grams, never the scale that sized it: a sweep whose scales come in
    another order (the config's scale is the first) reuses the compiled programs instead of compiling
    them all again."""
    content, style = _inputs()
    sweep.sweep(content, style, tiny_vgg16, CONFIG, sweep.grid([1000.0], style_scales=[1, 2]))
    compiles = []
    listener = lambda event, secs, **kw: compiles.append(event) if event.endswith("backend_compile_duration") else None  # noqa: E731
    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        sweep.sweep(content, style, tiny_vgg16, CONFIG, sweep.grid([10.0], style_scales=[2, 1]))
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    assert compiles == []


def test_a_setting_without_a_scale_keeps_the_configs():
    """`Setting(style, content, tv, seed)` as library code builds it still works, and keeps config.style_scale."""
    config = CONFIG.replace(style_scale=2.0)
    assert sweep.Setting(1.0, 1.0, 0.0, 3).apply(config).style_scale == 2.0
    assert sweep.Setting(1.0, 1.0, 0.0, 3, 0.5).apply(config).style_scale == 0.5
    assert all(s.style_scale is None for s in sweep.grid([1.0, 10.0]))
    with pytest.raises(jaxart.InputError, match=r"style_scales must be a list of numbers, e.g. style_scales=\[0.5"):
        sweep.grid(style_scales=2)


def test_the_labels_name_the_swept_scale_and_the_title_a_fixed_one():
    labels, title = sheet.labels(sweep.grid([1.0, 100.0], style_scales=[0.5, 2]))
    assert labels == ["style 1  style scale 0.5", "style 1  style scale 2", "style 100  style scale 0.5",
                      "style 100  style scale 2"]
    assert title == "all tiles: content 1  tv 10  seed 0"
    labels, title = sheet.labels(sweep.grid([1.0, 100.0]))  # the config's scale: named by `held`, as before
    assert labels == ["style 1", "style 100"] and "scale" not in title


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("scales"), "vgg16")


def test_cli_sweep_over_style_scales_gives_each_tile_stylize_at_its_scale(files, tmp_path, monkeypatch, capsys):
    """--style-scale took one number. Each tile is now stylize's run at its own scale: record, pixels and
    `info --command`; the page labels the tiles by scale and does not name one scale for all."""
    d, model = files
    common = [str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "24", "--steps", "2",
              "--colors", "luminance", "--quiet"]
    code, _, err = run_main(["sweep", *common, "-o", str(tmp_path / "g.png"), "--style-scale", "1,2"],
                            monkeypatch, capsys)
    assert code == 0, err
    page = (tmp_path / "g.html").read_text()
    assert "style scale 1" in page and "style scale 2" in page and "style-scale" not in page
    assert [s["style_scale"] for s in jaxart.read_record(tmp_path / "g.png")["sweep"]] == [1.0, 2.0]
    for tile, scale in enumerate([1.0, 2.0]):
        record = jaxart.read_record(tmp_path / f"g-{tile:02d}.png")
        assert record["config"]["style_scale"] == scale
        code, out, err = run_main(["info", str(tmp_path / f"g-{tile:02d}.png"), "--command"], monkeypatch, capsys)
        assert code == 0, err
        argv = shlex.split(out)
        assert (argv[argv.index("--style-scale") + 1] == "2") if scale == 2 else "--style-scale" not in argv, out
    code, _, err = run_main(["stylize", *common, "-o", str(tmp_path / "s.png"), "--style-scale", "2"],
                            monkeypatch, capsys)
    assert code == 0, err
    tile, alone = jaxart.read_record(tmp_path / "g-01.png"), jaxart.read_record(tmp_path / "s.png")
    assert tile["config"] == alone["config"] and tile["loss"] == pytest.approx(alone["loss"], rel=1e-4)
    pixels = [np.asarray(Image.open(tmp_path / n), np.int16) for n in ("g-01.png", "s.png")]
    assert np.abs(pixels[0] - pixels[1]).max() <= 1


@pytest.mark.parametrize("scales, expected", [
    ("0.5,,1", "--style-scale: '0.5,,1' has an empty item"),
    ("0,1", "style-scale must be a finite number above 0 (at most 1e30), got 0"),
    ("1,1e300", "style-scale must be a finite number above 0 (at most 1e30), got 1e300"),  # was an OverflowError
    ("1,0.5", "--style-scale 0.5 makes the painting 12 px at --size 24"),
    ("2,1,2", "--style-scale: 2 is listed twice"),
])
def test_a_bad_style_scale_list_gives_one_line_and_no_output(scales, expected, files, tmp_path, monkeypatch, capsys):
    d, model = files
    code, out, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "g.png"),
                               "--model", model, "--size", "24", "--steps", "2", "--style-scale", scales],
                              monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and expected in err, err
    assert not list(tmp_path.iterdir())


def test_the_memory_check_is_of_the_largest_painting(files, tmp_path, monkeypatch, capsys):
    """Memory that holds a sweep at --style-scale 1 does not hold one whose other tiles paint from a
    painting eight times the size: refused before any work, as one line."""
    from jaxart import footprint, memory

    d, model = files
    config = jaxart.StyleConfig(size=24, steps=2)
    need = [footprint.files_bytes(config.replace(style_scale=k), "vgg16", (30, 40), [(20, 20)], images=2)
            + 2 * footprint.grams_bytes(config) for k in (1, 8)]  # each tile its own Grams
    assert need[1] > need[0]
    monkeypatch.setattr(memory, "available_bytes", lambda: need[0])
    monkeypatch.setattr(memory, "held_bytes", lambda files: 0)  # as if nothing were held: test_memory_held.py
    args = ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "g.png"), "--model", model,
            "--size", "24", "--steps", "2"]
    code, _, err = run_main([*args, "--style-scale", "1,8"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "a sweep of 2 settings at 24 px with the painting at 192x192 px needs about" in err  # its targets set the peak
    assert re.search(r"use --style-scale [\d.]+ or smaller$", err), err
    assert not list(tmp_path.iterdir())
