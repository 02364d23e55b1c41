"""The colours a mask's regions are named by. A mask painted in pure green (#00ff00) with `--region-style green=...`
was refused as "mask colour 'green' is not in mask.png; its colours are ..., #00ff00 (50%)": the colour name green
is #008000 (#00ff00 is "lime"), which the message did not say, so it read as contradicting itself. A colour that is
no name, or two names of one colour, is refused naming the flag (CLI) or the field (library) that holds it."""

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from conftest import run_main, write_tiny_job
from jaxart import StyleConfig, mask_regions
from jaxart.errors import InputError


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("colour-names"), "vgg16")


@pytest.fixture
def mask(tmp_path):
    m = np.zeros((30, 40, 3), np.uint8)
    m[:15] = (255, 0, 0)
    m[15:] = (0, 255, 0)
    Image.fromarray(m).save(tmp_path / "mask.png")
    return str(tmp_path / "mask.png")


def _refusal(mask, *colours):
    with pytest.raises(InputError) as e:
        mask_regions.load_masks(SimpleNamespace(mask=mask, region_colors=colours), (30, 40, 3), len(colours))
    return str(e.value)


def test_a_named_colour_that_matches_nothing_says_its_value_and_the_mask_colour_to_give(mask):
    assert _refusal(mask, "red", "green") == (
        f"mask colour 'green' is not in {mask} (green is #008000); its colours are #00ff00 (50%), #ff0000 (50%); "
        "for its #00ff00 give region_colors '#00ff00' and its painting")
    assert _refusal(mask, "red", "0,128,0").startswith(f"mask colour '0,128,0' is not in {mask} (0,128,0 is #008000);")


def test_a_hex_colour_is_not_explained_and_a_fully_matched_mask_has_nothing_to_offer(mask):
    assert _refusal(mask, "red", "#008000") == (
        f"mask colour '#008000' is not in {mask}; its colours are #00ff00 (50%), #ff0000 (50%)")
    assert _refusal(mask, "red", "lime", "blue") == (
        f"mask colour 'blue' is not in {mask} (blue is #0000ff); its colours are #00ff00 (50%), #ff0000 (50%)")
    mask_regions.load_masks(SimpleNamespace(mask=mask, region_colors=("red", "lime")), (30, 40, 3), 2)  # accepted


def _stray_mask(path, shape=(12, 16)):
    """Red and lime halves with a band of stray colours, some of them as common as each other."""
    m = np.zeros((*shape, 3), np.uint8)
    m[:, : shape[1] // 2], m[:, shape[1] // 2 :] = (255, 0, 0), (0, 255, 0)
    m[4:6] = np.random.default_rng(0).integers(0, 4, (2, shape[1], 3), np.uint8) * 40 + 20
    m[4:6, :, 2] = 200  # none near green, nor a blend of it with red
    Image.fromarray(m).save(path)
    return str(path)


@pytest.mark.parametrize("block", [mask_regions.BLOCK, 7])  # whole, and under a row at a time
def test_the_colours_a_refusal_names_are_counted_block_by_block_to_the_same_words(block, tmp_path, monkeypatch):
    """The words np.unique over the whole mask gave, ties between stray colours included."""
    monkeypatch.setattr(mask_regions, "BLOCK", block)
    mask = _stray_mask(tmp_path / "m.png")
    assert _refusal(mask, "red", "green") == (
        f"mask colour 'green' is not in {mask} (green is #008000); its colours are #00ff00 (42%), #ff0000 (42%), "
        "#3c64c8 (4%), #8c64c8 (2%); for its #00ff00 give region_colors '#00ff00' and its painting")
    assert _refusal(mask, "red") == (
        f"58.3% of {mask} matches no region colour nor a blend of two (mostly #00ff00 (42%), #3c64c8 (4%), "
        "#8c64c8 (2%)); give each such colour its painting, such as region_colors '#00ff00' and its painting, or "
        "paint the mask in the region colours alone")


def test_a_colour_no_region_names_is_given_its_share_of_the_mask_and_the_region_style_for_it(tmp_path):
    """A red and blue mask with --region-style red=... alone was refused as "50.0% of m.png matches no --region-style
    colour nor a blend of two (mostly #0000ff (100%))": blue's share of the pixels that matched nothing, which read as
    if the whole mask were blue. Now its share of the mask, as the line for a colour not in it gives one, and the
    region colour that takes it (the command line's --region-style: tests/test_library_flag_words.py)."""
    m = np.zeros((30, 40, 3), np.uint8)
    m[:15], m[15:] = (255, 0, 0), (0, 0, 255)
    Image.fromarray(m).save(tmp_path / "m.png")
    mask = str(tmp_path / "m.png")
    assert _refusal(mask, "red") == (
        f"50.0% of {mask} matches no region colour nor a blend of two (mostly #0000ff (50%)); give "
        "each such colour its painting, such as region_colors '#0000ff' and its painting, or paint the mask in the "
        "region colours alone")


def test_naming_a_large_masks_colours_holds_little_beyond_matching_it(tmp_path):
    """np.unique over a 4000x3000 mask's unmatched pixels, as rows, took ~300 MiB more than matching
    the mask did: here a 1600x1200 one with a band of stray colours may take 16 MiB more, not 40."""
    _stray_mask(tmp_path / "m.png", (1200, 1600))
    code = f"""if True:
        import resource
        from types import SimpleNamespace
        from jaxart import guided, mask_regions
        from jaxart.errors import InputError
        from jaxart.image import load_image
        config = SimpleNamespace(mask={str(tmp_path / "m.png")!r}, region_colors=("red", "green"))
        mask_regions._scan(load_image(config.mask, to_srgb=False), guided.parse_colors(config.region_colors), [])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            mask_regions.load_masks(config, (1200, 1600, 3), 2)
        except InputError as e:
            print(e)
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
    """
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "is not in" in done.stdout, done.stderr
    assert int(done.stdout.split()[-1]) < 16 * 2**20


@pytest.mark.parametrize("styles, line", [
    (["x=PAINT"], "--region-style: mask colour 'x' is not a colour name"),
    (["red=PAINT", "#ff0000=photo"], "--region-style: mask colours 'red' and '#ff0000' are the same colour"),
])
def test_a_bad_region_colour_names_the_flag_it_was_typed_with(files, tmp_path, monkeypatch, capsys, styles, line):
    d, model = files
    mask = tmp_path / "m.png"
    Image.new("RGB", (40, 30), (255, 0, 0)).save(mask)
    regions = [a for s in styles for a in ("--region-style", s.replace("PAINT", str(d / "paint.png")))]
    argv = ["stylize", str(d / "photo.jpg"), "--mask", str(mask), *regions, "-o", str(tmp_path / "o.png"),
            "--model", model, "--size", "32", "--steps", "1", "--quiet"]
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert (code, out) == (2, "") and err.startswith(f"error: {line}"), err
    assert [p.name for p in tmp_path.iterdir()] == ["m.png"]


@pytest.mark.parametrize("fields, start", [
    (dict(region_colors=("red", "x")), "region colors: mask colour 'x' is not a colour name"),
    (dict(region_colors=("red",), keep_colors=("y",)), "keep colors: mask colour 'y' is not a colour name"),
])
def test_the_library_names_the_field_that_holds_a_bad_colour(tmp_path, fields, start):
    Image.new("RGB", (8, 8)).save(tmp_path / "m.png")
    with pytest.raises(InputError) as e:
        StyleConfig(mask=str(tmp_path / "m.png"), **fields).validate()
    assert str(e.value).startswith(start) and e.value.settings == ("keep_colors", "region_colors"), e.value
