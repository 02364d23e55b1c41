"""Spatial control by a colour mask: region colours, guided Gram matrices, each region taking its own style, and
masks of no real numbers named."""

import re

import jax
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import guided, losses, mask_regions, targets
from jaxart.config import StyleConfig
from jaxart.errors import InputError

from test_controls_spatial import SIZE, _at, _halves, _real


@pytest.mark.parametrize("colors, message", [
    (("red", "chartreuse-ish"), "mask colour 'chartreuse-ish' is not a colour name, #rrggbb or r,g,b"),
    (("red", "#ff0000"), "same colour"),
    (("blue", "0, 0, 255"), "same colour"),
    (("rgb(300,0,0)", "blue"), r"'rgb\(300,0,0\)' is not .* with values 0..255"),
    (("1,2,300", "blue"), "'1,2,300' is not .* with values 0..255"),
    (("#ff000080", "blue"), r"'#ff000080' is not .*\(and no alpha\)"),  # its alpha was dropped without a word
])
def test_bad_region_colours_are_named(tmp_path, colors, message):
    Image.new("RGB", (8, 8)).save(tmp_path / "m.png")
    with pytest.raises(ValueError, match=message):
        StyleConfig(mask=str(tmp_path / "m.png"), region_colors=colors).validate()


@pytest.mark.parametrize("text", ["blue", "#0000ff", "rgb(0, 0, 255)", "0,0,255", " 0, 0, 255 "])
def test_a_colour_is_spelled_alike_for_a_mask_and_for_the_background(text):
    # Masks took no r,g,b and --background no rgb(r, g, b): one spelling worked in one place only.
    from jaxart_cli import values as cli_values

    assert guided.parse_colors([text]).tolist() == [[0, 0, 255]] and cli_values.parse_colour(text) == (0, 0, 255)


# --- guided Gram matrices ----------------------------------------------------------------------

def test_guided_gram_matches_float64_reference_and_plain_gram(rng):
    f = rng.standard_normal((6, 5, 4)).astype(np.float32)
    m = rng.random((2, 6, 5)).astype(np.float32)
    ref = np.einsum("rp,pi,pj->rij", m.reshape(2, -1).astype(np.float64) ** 2, *(2 * [f.reshape(-1, 4).astype(np.float64)]))
    ref /= (m.reshape(2, -1).astype(np.float64) ** 2).sum(1)[:, None, None]
    np.testing.assert_allclose(guided.guided_gram(f, m), ref, rtol=1e-5)
    ones = guided.guided_gram(f, np.ones((1, 6, 5), np.float32))[0]
    np.testing.assert_allclose(ones, losses.gram(f), rtol=1e-5)
    half = np.zeros((1, 6, 5), np.float32)
    half[0, :, :2] = 1  # a binary mask: the Gram of the region's own positions
    np.testing.assert_allclose(guided.guided_gram(f, half)[0], losses.gram(f[:, :2]), rtol=1e-5)


def test_a_speck_region_weighs_by_its_area_and_does_not_take_over(rng):
    """Each region's Gram is normalized by its area: an unweighted mean over regions gave a 1-pixel
    speck half the style loss, so its painting took over and the rest stayed barely stylized."""
    f = rng.standard_normal((8, 8, 4)).astype(np.float32)
    masks = np.zeros((2, 8, 8), np.float32)
    masks[1, 0, 0] = 1  # the speck
    masks[0] = 1 - masks[1]  # the rest of the picture
    own = np.asarray(guided.guided_gram(f, masks))
    targets = np.stack([own[0], own[1] + 5 * np.eye(4, dtype=np.float32)])  # the rest matches; the speck is far off
    speck = float(((own[1] - targets[1]) ** 2).sum() / (targets[1] ** 2).sum())
    loss = float(guided.style_loss({"l": f}, {"l": targets}, {"l": masks}, {"l": 1.0}))
    np.testing.assert_allclose(loss, speck / 64, rtol=1e-4)
    halves = np.zeros((2, 8, 8), np.float32)
    halves[0, :, :4], halves[1, :, 4:] = 1, 1  # equal regions weigh 1/2 each, as in a plain mean
    g = np.asarray(guided.guided_gram(f, halves))
    per = [float(((g[r] - targets[r]) ** 2).sum() / (targets[r] ** 2).sum()) for r in range(2)]
    loss = float(guided.style_loss({"l": f}, {"l": targets}, {"l": halves}, {"l": 1.0}))
    np.testing.assert_allclose(loss, np.mean(per), rtol=1e-4)


@pytest.mark.parametrize("mask_kw, colors, n_styles, message", [
    ({}, ("red", "green"), 2, "colour 'green' is not in"),
    ({"stray": (0, 255, 0)}, ("red", "blue"), 2, "matches no region colour"),
    ({"size": (30, 30)}, ("red", "blue"), 2, "aspect"),
    ({}, ("red", "blue"), 1, "1 style image for the 2 colours of region_colors"),
    ({}, ("red", "blue"), 3, "3 style images for the 2 colours of region_colors"),  # not the third painting dropped
])
def test_bad_masks_are_named(tmp_path, mask_kw, colors, n_styles, message):
    config = StyleConfig(mask=_halves(tmp_path / "m.png", **mask_kw), region_colors=colors)
    with pytest.raises(InputError, match=message):
        mask_regions.load_masks(config, (300, 400, 3), n_styles)


def test_a_soft_brushed_mask_gives_soft_borders(tmp_path):
    """A mask painted with a soft brush was refused (its blends matched no colour, and the message
    listed only colours that did): a blend of two region colours is shared by their regions."""
    from PIL import ImageFilter

    path = tmp_path / "soft.png"
    Image.open(_halves(tmp_path / "m.png", size=(64, 48))).filter(ImageFilter.GaussianBlur(6)).save(path)
    config = StyleConfig(mask=str(path), region_colors=("red", "blue"))
    regions = mask_regions.load_masks(config, (48, 64, 3), 2)
    np.testing.assert_allclose(regions.sum(0), 1, atol=1e-5)  # every pixel in the regions, shared at the border
    border = regions[0, 24]  # one row across the border: red's share falls from 1 to 0
    assert border[0] == 1 and border[-1] == 0 and np.all(np.diff(border) <= 1e-6)
    assert ((border > 0.1) & (border < 0.9)).sum() >= 4


def test_a_colour_no_region_names_is_named_with_its_share(tmp_path):
    config = StyleConfig(mask=_halves(tmp_path / "m.png", stray=(0, 255, 0)), region_colors=("red", "blue"))
    with pytest.raises(InputError, match=r"matches no region colour nor a blend of two \(mostly #00ff00 \(33%\)\)"):
        mask_regions.load_masks(config, (30, 40, 3), 2)


def test_a_photograph_given_as_the_mask_is_said_to_be_one(tmp_path):
    """The photo itself as --mask was offered its commonest colours as regions: "its colours are #4d84bc (0%),
    #4c83bb (0%), ...; for its #4d84bc give --region-style '#4d84bc'=PAINTING" (now said as region_colors)."""
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 128, (30, 40, 3), np.uint8)  # 1200 pixels, nearly as many colours, none near red
    Image.fromarray(photo).save(tmp_path / "photo.png")  # red is not in it
    photo[:10] = (255, 0, 0)
    Image.fromarray(photo).save(tmp_path / "red.png")  # red is, but two thirds match nothing
    for mask, says in (("photo.png", "colour 'red' is not in .*; it has"), ("red.png", "; those pixels have")):
        config = StyleConfig(mask=str(tmp_path / mask), region_colors=("red",))
        with pytest.raises(InputError, match=says + r" \d+ colours, none on 1% of the mask, as a photograph's: draw "
                                                    "the mask over a copy of the photo, each region in one flat colour$"):
            mask_regions.mask_size(config, (30, 40, 3), 1)


def test_a_drawn_mask_s_few_stray_colours_are_named_not_taken_for_a_photograph(tmp_path):
    """Two marks in colours no region names, 0.7% and 0.5% of the mask, each under 1% of it: since the photograph's
    line (f9f0276) the mask was said to be a photograph ("those pixels have 2 colours, none on 1% of the mask")."""
    drawn = np.zeros((100, 100, 3), np.uint8)
    drawn[:, :50], drawn[:, 50:] = (255, 0, 0), (0, 0, 255)
    drawn[:7, 10:20], drawn[90:95, 60:70] = (0, 255, 0), (0, 0, 0)
    Image.fromarray(drawn).save(tmp_path / "drawn.png")
    config = StyleConfig(mask=str(tmp_path / "drawn.png"), region_colors=("red", "blue"))
    with pytest.raises(InputError, match=r"^1\.2% of .* \(mostly #00ff00 .*#000000 .*\); give each such colour") as e:
        mask_regions.mask_size(config, (100, 100, 3), 2)
    assert "photograph" not in str(e.value)


def test_mask_regions_follow_colours_and_shrink_to_each_layer(tmp_path, tiny_vgg16):
    config = StyleConfig(mask=_halves(tmp_path / "m.png"), region_colors=("red", "#0000ff"))
    masks = np.asarray(mask_regions.load_masks(config, (24, 32), 2))
    assert masks.shape == (2, 24, 32)
    np.testing.assert_allclose(masks[0, :, :15], 1)  # left half red, away from the soft edge
    np.testing.assert_allclose(masks[0, :, 17:], 0)
    np.testing.assert_allclose(masks.sum(0), 1, atol=1e-6)  # every pixel in exactly one region
    per_layer = guided.layer_masks(tiny_vgg16, masks, ("relu1_1", "relu3_1"))
    assert per_layer["relu1_1"].shape == (2, 24, 32) and per_layer["relu3_1"].shape == (2, 6, 8)
    np.testing.assert_allclose(per_layer["relu3_1"][1, :, 5:], 1, atol=1e-6)
    np.testing.assert_allclose(per_layer["relu3_1"][1, :, :3], 0, atol=1e-6)


def test_a_layer_cell_holds_the_share_of_its_pixels_a_region_covers(tiny_vgg16):
    """A border inside a cell gives it the region's share of the cell, not the value of its first pixel."""
    m = np.zeros((1, 16, 16), np.float32)
    m[0, :, :13] = 1  # columns 12-15 pool into one relu3_1 cell, of which the region covers one column
    per_layer = guided.layer_masks(tiny_vgg16, m, ("relu2_1", "relu3_1"))
    np.testing.assert_allclose(per_layer["relu2_1"][0, 0], [1] * 6 + [0.5, 0])
    np.testing.assert_allclose(per_layer["relu3_1"][0, 0], [1, 1, 1, 0.25])


# --- spatial control on the real VGG16 ---------------------------------------------------------

def test_each_mask_region_takes_its_own_style(hed_weights, tmp_path):
    photo = _real("content/tubingen.jpg")
    starry, scream = _real("style/starry_night.jpg"), _real("style/the_scream.jpg")
    mask = _halves(tmp_path / "mask.png", size=(48, 36))  # left red, right blue
    config = StyleConfig(size=SIZE, steps=15, mask=mask, region_colors=("red", "blue"))
    out = jaxart.run(photo, [starry, scream], weights=hed_weights, config=config)

    layers = config.style_layers
    masks = guided.layer_masks(hed_weights, mask_regions.load_masks(config, (36, 48), 2), layers)
    # Each jitted whole: op by op, the Grams' small operations compiled one by one took longer than the run's step.
    grams = jax.jit(lambda w, x: {k: losses.gram(v) for k, v in jaxart.features(w, x, layers).items()})
    guided_grams = jax.jit(lambda w, x: {k: guided.guided_gram(v, masks[k])
                                         for k, v in jaxart.features(w, x, layers).items()})
    targets = [grams(hed_weights, _at(s)) for s in (starry, scream)]

    def distance(image):  # [region, style]: the guided style loss of each region against each painting
        f = guided_grams(hed_weights, image)
        d = np.zeros((2, 2))
        for k in layers:
            g = np.asarray(f[k], np.float64)
            for s, t in enumerate(targets):
                t = np.asarray(t[k], np.float64)
                d[:, s] += ((g - t) ** 2).sum(axis=(1, 2)) / (t**2).sum() / len(layers)
        return d

    before, after = distance(_at(photo)), distance(out.image)
    assert before[1, 0] < before[1, 1]  # the photo's right half starts nearer Starry Night than The Scream
    assert after[0, 0] < after[0, 1] and after[1, 1] < after[1, 0], after  # own style nearer than the other
    assert after[0, 0] < before[0, 0] and after[1, 1] < before[1, 1], (before, after)


PHOTO = np.random.default_rng(0).random((16, 16, 3), dtype=np.float32)
CONFIG = jaxart.StyleConfig(size=16, steps=1, content_layers=("relu1_2",), style_layers=("relu1_1",))
MASKS = {
    "objects": (np.ones((1, 16, 16), object), r"masks holds Python objects, not numbers"),
    "strings": (np.full((1, 16, 16), "1.0"), r"masks holds strings, not numbers"),
    "ragged": ([[[1.0] * 16] * 15 + [[1.0] * 15]], r"masks is no array \(ValueError: .*inhomogeneous"),
    "complex": (np.ones((1, 16, 16), np.complex64), r"masks are complex64"),
}


@pytest.mark.parametrize("odd", MASKS, ids=list(MASKS))
@pytest.mark.parametrize("make", [jaxart.make_targets, targets.compute_targets], ids=["make", "compute"])
def test_masks_of_no_real_numbers_are_named(tiny_vgg16, make, odd):
    """A ragged list was NumPy's "inhomogeneous shape"; strings of numbers and complex masks (their
    imaginary part dropped with a ComplexWarning) were taken silently."""
    masks, message = MASKS[odd]
    with pytest.raises(InputError, match=f"^{message}.*; give (real )?" + re.escape("(R, H, W) region masks in [0, 1]")):
        make(tiny_vgg16, PHOTO, [PHOTO], CONFIG, masks=masks)
