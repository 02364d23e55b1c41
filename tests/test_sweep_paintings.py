"""Comparing paintings (--each-painting): each painting its own tiles on one sheet, each tile a run of that
painting alone (pixels, record, `info --command`), one compiled program whatever the painting."""

import html
import json
import re

import jax
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import losses, sheet, sweep

from test_sweep import CONFIG, _inputs


def _paintings(size: int = 16) -> list[np.ndarray]:
    """Two paintings nothing alike: red stripes on white, and blue dots on black."""
    y, x = np.mgrid[:size, :size]
    red = np.ones((size, size, 3), np.float32)
    red[y % 4 < 2] = (0.9, 0.05, 0.05)
    blue = np.zeros((size, size, 3), np.float32)
    blue[(y % 5 == 2) & (x % 5 == 2)] = (0.1, 0.2, 1.0)
    return [red, blue]


def _style_distance(weights, image, painting, layers) -> float:
    """How far apart the image's and the painting's Grams are, summed over `layers`; not the style loss,
    which divides by the painting's own Grams, small for a dark painting (the blue one's)."""
    grams = [{k: losses.gram(v) for k, v in jaxart.features(weights, x, layers).items()} for x in (image, painting)]
    return sum(float(np.abs(grams[0][k] - grams[1][k]).sum()) for k in layers)


def test_each_painting_gets_its_own_tiles_each_a_run_of_that_painting_alone(tiny_vgg16):
    """A sweep blended its paintings into every tile. With a painting per setting (one Gram set per
    painting: same shapes, one program) each tile is stylize's run of that painting, and is closer in
    style to its own painting than to the other."""
    content, _ = _inputs()
    paintings = _paintings()
    grid = sweep.grid(style_weights=[1000.0], paintings=[0, 1])
    assert [s.painting for s in grid] == [0, 1]
    result = sweep.sweep(content, paintings, tiny_vgg16, CONFIG, grid)
    for i, setting in enumerate(grid):
        alone = jaxart.run(content, [paintings[i]], weights=tiny_vgg16, config=setting.apply(CONFIG))
        np.testing.assert_allclose(result.images[i], alone.image, atol=2e-5)
    assert np.abs(result.images[0] - result.images[1]).mean() > 0.01
    for i in (0, 1):
        own, other = (_style_distance(tiny_vgg16, result.images[i], paintings[j], CONFIG.style_layers) for j in (i, 1 - i))
        assert own < other, (i, own, other)


def test_paintings_cross_style_scales_in_one_batch(tiny_vgg16):
    """Every (painting, style scale) pair gets its own Grams, not one per scale of a blend; they are
    inputs of one compiled program, so a grid of as many settings with other paintings compiles nothing."""
    content, _ = _inputs()
    paintings = _paintings()
    grid = sweep.grid(style_weights=[1000.0], style_scales=[1, 2], paintings=[0, 1])
    assert [(s.style_scale, s.painting) for s in grid] == [(1, 0), (1, 1), (2, 0), (2, 1)]
    result = sweep.sweep(content, paintings, tiny_vgg16, CONFIG, grid)
    alone = jaxart.run(content, [paintings[1]], weights=tiny_vgg16, config=grid[3].apply(CONFIG))
    np.testing.assert_allclose(result.images[3], alone.image, atol=2e-5)
    assert len({np.round(im, 3).tobytes() for im in result.images}) == 4
    compiles = []  # the Gram sets are inputs of one program: other paintings and weights compile nothing
    listener = lambda event, secs, **kw: compiles.append(event) if event.endswith("backend_compile_duration") else None  # noqa: E731
    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        sweep.sweep(content, paintings[::-1], tiny_vgg16, CONFIG, sweep.grid([10.0], style_scales=[1, 2],
                                                                                paintings=[1, 0]))
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    assert compiles == []


def test_each_gram_set_resizes_only_its_own_painting(tiny_vgg16, monkeypatch):
    """Every (painting, scale) set resized and checked all the paintings to keep one: 8 paintings of
    3000x2000 px and two style scales took 36 s and 1.6 GB at --size 64 (9.5 s and 1.1 GB now)."""
    from jaxart import inputs

    content, _ = _inputs()
    paintings = _paintings()
    resized = []
    real = inputs.resized
    monkeypatch.setattr(inputs, "resized", lambda x, side: resized.append(np.shape(x)) or real(x, side))
    sweep.sweep(content, paintings, tiny_vgg16, CONFIG, sweep.grid([10.0], style_scales=[1, 2], paintings=[0, 1]))
    assert resized.count(paintings[0].shape) <= 4 + 1  # once per set, and once with the photo


def test_the_sheet_puts_the_paintings_side_by_side_and_names_them():
    grid = sweep.grid(style_weights=[1.0, 100.0], paintings=[0, 1])
    assert sheet.columns_for(grid) == 2  # a row per style weight, a column per painting
    labels, title = sheet.labels(grid, ["red", "blue"])
    assert labels == ["style 1  painting red", "style 1  painting blue", "style 100  painting red",
                      "style 100  painting blue"]
    assert sheet.labels(sweep.grid(paintings=[0, 1]), ["red", "blue"])[0] == ["painting red", "painting blue"]
    # One painting (--each-painting with one STYLE): the tiles of a sweep without it, the title naming it.
    assert sheet.labels(sweep.grid([1.0, 10.0], paintings=[0]), ["red"]) == (
        ["style 1", "style 10"], "all tiles: content 1  tv 10  seed 0  painting red")


def test_the_page_names_each_tiles_painting_in_its_settings(tmp_path):
    """The settings under each tile gave its weights and seed but not its painting, which only the caption
    named: copied from the page, they made a run of neither painting."""
    record = {"inputs": {"content": "photo.jpg", "styles": ["art/red.png", "art/blue.png"]}}
    sheet.write(tmp_path / "g.png", np.zeros((4, 8, 8, 3), np.float32),
                sweep.grid([1.0, 100.0], paintings=[0, 1]), CONFIG, record)
    blocks = re.findall(r"<pre>(.*?)</pre>", (tmp_path / "g.html").read_text(), re.S)
    assert [json.loads(html.unescape(b)).get("painting") for b in blocks] == ["red", "blue", "red", "blue"]
    sheet.write(tmp_path / "one.png", np.zeros((2, 8, 8, 3), np.float32), sweep.grid([1.0, 100.0]), CONFIG, record)
    assert "painting" not in (tmp_path / "one.html").read_text()  # blended, as before: no tile has a painting


@pytest.mark.parametrize("fixed, expected", [
    ({"style_blend": (1.0, 2.0)}, "style_blend weighs the paintings into one style"),
    ({"mask": "MASK", "region_colors": ("red", "blue")}, "mask and region_colors paint each region"),
])
def test_a_painting_per_setting_is_refused_with_a_blend_or_regions(fixed, expected, tmp_path):
    Image.new("RGB", (16, 12), "red").save(tmp_path / "mask.png")
    config = CONFIG.replace(**{k: str(tmp_path / "mask.png") if v == "MASK" else v for k, v in fixed.items()})
    with pytest.raises(jaxart.InputError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        sweep.check(config, sweep.grid(paintings=[0, 1]), paintings=2)
    sweep.check(config, sweep.grid())  # blended, as before
    with pytest.raises(jaxart.InputError, match="painting 2 is not one of the 2 paintings given"):
        sweep.check(CONFIG, sweep.grid(paintings=[0, 2]), paintings=2)


def test_a_sweep_whose_paintings_set_the_peak_is_told_a_style_scale_that_fits():
    """Large paintings at a large --style-scale: their targets set the peak whatever the count, yet a sweep
    was told "even one setting does not fit; use --size N", where stylize names the --style-scale that fits."""
    config, shapes = CONFIG.replace(size=256, style_scale=8.0), [(640, 1024), (1024, 640)]
    need = sweep.check_memory(config, 2, photo=(768, 1024), paintings=shapes, available=2**50)
    with pytest.raises(jaxart.InputError, match=r"^a sweep of 2 settings at 256 px with the painting at 2048x1280 px "
                                                r"needs about .* use style_scale=[\d.]+ or smaller$") as e:
        sweep.check_memory(config, 2, photo=(768, 1024), paintings=shapes, available=need - 1)
    scale = float(str(e.value).split("style_scale=")[1].split()[0])
    assert 1.0 < scale < 8.0
    sweep.check_memory(config.replace(style_scale=scale), 2, photo=(768, 1024), paintings=shapes, available=need - 1)


def test_a_tiles_record_keeps_the_digest_of_an_init_image_that_is_another_painting():
    from jaxart.run_record import one_painting

    record = {"inputs": {"content": "/p.jpg", "styles": ["/a.png", "/b.png"]}, "config": {"init": "/b.png"},
              "input_sha256": {"/p.jpg": "1", "/a.png": "2", "/b.png": "3"}}
    assert one_painting(record, 0)["input_sha256"] == {"/p.jpg": "1", "/a.png": "2", "/b.png": "3"}  # --init read it
    assert one_painting({**record, "config": {"init": "content"}}, 0)["input_sha256"] == {"/p.jpg": "1", "/a.png": "2"}


def test_with_layer_weights_swept_too_the_paintings_go_down_the_rows():
    """README said --each-painting gives "a column per painting"; with --style-layer-weights swept too the layer
    alternatives, varying fastest (settings.grid), take the columns, and each painting a row."""
    grid = sweep.grid(style_weights=[10.0], paintings=[0, 1, 2], style_layer_weights=[[1.0] * 5, [1.0, 0, 0, 0, 0]])
    assert sheet.columns_for(grid) == 2
    rows = [[s.painting for s in grid[i:i + 2]] for i in range(0, len(grid), 2)]
    assert rows == [[0, 0], [1, 1], [2, 2]]
