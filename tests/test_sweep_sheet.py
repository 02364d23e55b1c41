"""A sweep's contact sheet and HTML page: tile labels, the header naming the inputs, captions and the records
(their files written whole or not at all: test_sweep_sheet_writes.py)."""

import numpy as np
import pytest

import jaxart
from jaxart import captions, sheet, sheet_draw, sweep


def test_contact_sheet_labels_every_tile(rng):
    labels, title = sheet.labels(sweep.grid([1.0, 100.0], [1.0], [10.0], [0, 7]))
    assert labels == ["style 1  seed 0", "style 1  seed 7", "style 100  seed 0", "style 100  seed 7"]
    assert title == "all tiles: content 1  tv 10"
    assert sheet.columns_for(sweep.grid([1.0, 10.0, 100.0], seeds=[0, 7])) == 2  # style down, seed across
    assert sheet.columns_for(sweep.grid([1.0, 10.0, 100.0])) == 3  # one row
    assert sheet.columns_for(sweep.grid([1.0, 2.0], seeds=range(7))) == 7  # capped at 6, row 2 mixed two styles
    assert sheet.columns_for(sweep.grid([float(v) for v in range(1, 9)])) == 6  # a long 1-D sweep wraps
    assert len(sweep.grid((w for w in (1.0, 2.0)), seeds=iter([0, 1]))) == 4  # generators are taken too
    with pytest.raises(jaxart.InputError, match="a sweep of 1,000,000,000,000 settings"):
        sweep.grid(range(10**6), seeds=range(10**6))  # counted, not listed (a GB, or out of memory)
    # one number alone raised a TypeError, a string was taken digit by digit, seed 1.7 became seed 1
    for bad, message in [({"style_weights": 10}, "style_weights must be a list of numbers, e.g. style_weights="),
                         ({"tv_weights": "10"}, "tv_weights must be a list of numbers"),
                         ({"seeds": [1.7]}, "seeds must be whole numbers, got 1.7"),
                         ({"content_weights": [True]}, "content_weights must be numbers, got True")]:
        with pytest.raises(ValueError, match=message):
            sweep.grid(**bad)
    assert [s.seed for s in sweep.grid(seeds=np.array([2, 3]))] == [2, 3] and sweep.grid(seeds=[4.0])[0].seed == 4
    images = np.ones((4, 40, 60, 3), np.float32)  # white tiles on an off-white sheet
    img = np.asarray(sheet.contact_sheet(images, labels, title))
    ink = img.min(axis=2) < 100
    strip = ink[sheet.GAP + 16 + 40: sheet.GAP + 16 + 40 + 16]  # below the first row of tiles
    assert ink[:16].any() and strip[:, : img.shape[1] // 2].any() and strip[:, img.shape[1] // 2:].any()
    assert not ink[16 + sheet.GAP: 16 + sheet.GAP + 40].any()  # nothing drawn over the tiles
    with pytest.raises(ValueError, match="one label per image"):
        sheet.contact_sheet(images, labels[:3])


def test_the_sheet_and_page_name_the_inputs_and_give_numbers_in_one_format():
    """Labels read "style 1e-05" (as a refusal now echoes it: 1e-5) beside "style 123456789.0"; neither sheet nor
    page said which photo, paintings (blended equally) or model made the tiles."""
    labels, _ = sheet.labels(sweep.grid([0.001, 1e-5, 123456789.0, 0.1 + 0.2]))
    assert labels == ["style 0.001", "style 1e-5", "style 123456789", "style 0.30000000000000004"]
    record = {"model": "vgg19", "inputs": {"content": "/p/photo.jpg", "styles": ["/s/a.png", "/s/b.png"]}}
    config = jaxart.StyleConfig()
    assert sheet.describe(record, config) == "photo.jpg in the style of a.png and b.png (blended equally), model vgg19"
    assert sheet.describe(record, config.replace(style_blend=(3.0, 1.0))).endswith("(blended 3:1), model vgg19")
    images = np.ones((2, 40, 60, 3), np.float32)
    plain, named = (np.asarray(sheet.contact_sheet(images, labels[:2], "all tiles: tv 10", header=h))
                    for h in ("", sheet.describe(record, config)))
    assert named.shape[1] == plain.shape[1] and named.shape[0] > plain.shape[0]  # wrapped, not widened
    assert (named[: named.shape[0] - plain.shape[0]].min(axis=2) < 100).any()


def test_tile_numbers_have_the_digits_the_last_needs_and_a_long_header_is_cut_at_its_most_lines():
    from pathlib import Path

    from PIL import ImageFont

    assert [sheet.tile_paths(Path("g.png"), n)[-1].name for n in (100, 101)] == ["g-99.png", "g-100.png"]
    images, long = np.ones((2, 40, 60, 3), np.float32), " ".join(f"painting-{i}.png" for i in range(40))
    plain, one, cut = (np.asarray(sheet.contact_sheet(images, ["a", "b"], header=h)) for h in ("", "photo.jpg", long))
    line = one.shape[0] - plain.shape[0]
    most = sheet_draw.HEADER_LINES  # a 140 px sheet's (a wide one's: 3)
    assert cut.shape == (plain.shape[0] + most * line, plain.shape[1], 3)  # 40 names in `most` lines, no wider
    ink = cut[: most * line].min(axis=2) < 100
    assert ink[(most - 1) * line :].any() and not ink[: (most - 1) * line, -sheet.GAP :].any()  # inside the sheet
    # The cut shows only as drawn text: that the last line says so is read from the lines themselves.
    assert sheet_draw._wrap(long, ImageFont.load_default(size=11), 200)[-1].endswith(" ...")


def test_a_space_on_the_sheet_is_wider_than_the_gaps_inside_a_word():
    """Small tiles were labelled in an 11 px font whose space was 2 px, no wider than the room around its
    tabular "1": "vgg16" read as "vgg 16", "per tile" as "pertile" and "content 1 tv 10" as "content 1tv 10"."""
    def widest_gap(label: str, width: int) -> int:
        drawn = np.asarray(sheet.contact_sheet(np.ones((1, 8, width, 3), np.float32), [label]))[sheet.GAP + 8:]
        ink = np.flatnonzero((drawn.min(axis=2) < 100).any(axis=0))
        return int(np.diff(ink).max()) - 1

    for width in (16, 128, 168, 182, 210, 224):  # the smallest font, and each size above it
        assert widest_gap("1 tv", width) > widest_gap("vgg16", width), width
        assert widest_gap("per tile", width) > widest_gap("pertile", width), width


def test_a_cut_header_line_stays_inside_the_sheet_with_its_dots():
    """The third line got its " ..." after it was wrapped to the sheet's width, so a full one ran past the edge."""
    images = np.ones((2, 40, 60, 3), np.float32)  # 132 px wide: 120 px for the header's lines
    font, n = sheet_draw.label_font(60), 1
    while font.getlength("w" * (n + 1)) <= 120:
        n += 1
    plain = np.asarray(sheet.contact_sheet(images, ["a", "b"]))
    for words in (["w" * n] * 12, ["w" * (n // 3)] * 40):  # a line a word (cut inside it), and several words a line
        cut = np.asarray(sheet.contact_sheet(images, ["a", "b"], header=" ".join(words)))
        ink = cut[: cut.shape[0] - plain.shape[0]].min(axis=2) < 100
        assert ink.shape[0] > 0 and ink[-ink.shape[0] // sheet_draw.HEADER_LINES :].any()  # all lines, the last drawn
        assert not ink[:, -sheet.GAP :].any()  # every line ends inside the sheet


def test_the_sheets_record_gives_the_most_steps_a_tile_took(tmp_path):
    """A setting whose loss blew up stopped early; the sheet says how far the sweep went, each tile its own."""
    sheet.write(tmp_path / "g.png", np.zeros((2, 16, 16, 3), np.float32), sweep.grid([1.0, 2.0]), jaxart.StyleConfig(),
                {"steps": [5, 3]})
    assert jaxart.read_record(tmp_path / "g.png")["steps"] == 5
    assert [jaxart.read_record(p)["steps"] for p in sheet.tile_paths(tmp_path / "g.png", 2)] == [5, 3]


def test_the_sheets_record_lists_each_tiles_loss_beside_its_setting(tmp_path):
    """Picking the best tile by its loss took reading every tile's record: the sheet's has them, in its tiles' order."""
    loss = {"content": np.array([0.5, 0.25]), "style": np.array([0.125, np.nan]), "total": np.array([0.75, np.nan])}
    sheet.write(tmp_path / "g.png", np.zeros((2, 16, 16, 3), np.float32), sweep.grid([1.0, 2.0]), jaxart.StyleConfig(),
                {"loss": loss, "steps": [5, 3]}, ok=[True, False], stopped=[True, False])
    record = jaxart.read_record(tmp_path / "g.png")
    tiles = [jaxart.read_record(tmp_path / name) for name in record["tiles"]]
    assert [r["loss"] for r in record["tile_results"]] == [t["loss"] for t in tiles]
    assert record["tile_results"][0] == {"loss": {"content": 0.5, "style": 0.125, "total": 0.75}, "steps": 5,
                                         "stopped_at": 5}
    assert record["tile_results"][1]["steps"] == 3 and record["tile_results"][1]["error"] == tiles[1]["error"]
    assert [s["style_weight"] for s in record["sweep"]] == [1.0, 2.0]
    sheet.write(tmp_path / "h.png", np.zeros((1, 16, 16, 3), np.float32), sweep.grid([1.0]), jaxart.StyleConfig())
    assert "tile_results" not in jaxart.read_record(tmp_path / "h.png")  # nothing known of its tiles


def test_a_sheet_named_in_capitals_is_a_png(tmp_path):
    sheet.check_outputs(tmp_path / "G.PNG", 2)  # as stylize takes OUT.PNG


def test_a_swept_style_scale_is_not_named_as_held_by_every_tile(tmp_path):
    settings = sweep.grid([1.0], style_scales=[0.5, 1.0])
    sheet.write(tmp_path / "g.png", np.zeros((2, 16, 16, 3), np.float32), settings, jaxart.StyleConfig(style_scale=2.0))
    assert "style-scale" not in (tmp_path / "g.html").read_text()


def test_captions_keep_numbers_whole_and_name_regions_blends_and_per_scale_steps():
    # A value :g would shorten to an exponent though it fits in 6 digits, and a seed, are written whole.
    assert [captions.number(v) for v in (123450.0, 1000000)] == ["123450", "1000000"]
    labels, title = sheet.labels(sweep.grid([10.0]))
    assert labels == ["style 10  content 1  tv 10  seed 0"] and title == ""  # one tile: its label says it all
    record = {"model": "vgg19", "inputs": {"content": "/p/photo.jpg", "styles": ["/s/a.png", "/s/b.png"]}}
    config = jaxart.StyleConfig()
    assert sheet.describe(record, config.replace(style_blend=(2.0, 2.0))).endswith("(blended equally), model vgg19")
    regions = config.replace(mask="/m/mask.png", region_colors=("red", "blue"))
    assert sheet.describe(record, regions) == ("photo.jpg in the style of a.png (red) and b.png (blue) by the regions "
                                               "of mask.png, model vgg19")
    coarse = jaxart.StyleConfig(size=256, scales=(128, 256), steps=70, scale_steps=(50, 20))
    assert sheet.held(coarse) == "size 256, steps 50,20, scales 128,256"


def test_a_header_word_wider_than_the_sheet_keeps_its_end_inside_the_sheet():
    """A long path on the header's first lines was drawn past the sheet's right edge, its file name cut off."""
    images = np.ones((2, 40, 60, 3), np.float32)
    plain = np.asarray(sheet.contact_sheet(images, ["a", "b"]))

    def header_ink(*paths):
        drawn = np.asarray(sheet.contact_sheet(images, ["a", "b"], header=" ".join(paths)))
        return drawn[: drawn.shape[0] - plain.shape[0]].min(axis=2) < 100

    folders = "/home/user/" + "very/long/" * 20
    ink = header_ink(f"{folders}painting_one.jpg", f"{folders}painting_two.jpg", "model vgg19")
    assert not ink[:, -sheet.GAP :].any()  # every line ends inside the sheet
    # What shows of a path is its end, the file name: another name changes the header, other folders do not.
    assert (ink != header_ink(f"{folders}painting_one.jpg", f"{folders}painting_six.jpg", "model vgg19")).any()
    other = "/home/user/" + "other/dirs/" * 20
    assert (ink == header_ink(f"{other}painting_one.jpg", f"{other}painting_two.jpg", "model vgg19")).all()


def test_a_seed_that_changes_nothing_is_not_named_on_the_sheet(tmp_path):
    """From the photo every seed gives the same picture: the sheet and page titled every tile "seed 0", a setting
    a figure's caption would then cite; with --init random the seed is the tile's noise, and named."""
    settings, images = sweep.grid([1.0, 100.0]), np.zeros((2, 8, 8, 3), np.float32)
    titles = {}
    for init in ("content", "random"):
        sheet.write(tmp_path / f"{init}.png", images, settings, jaxart.StyleConfig(init=init))
        titles[init] = [line for line in (tmp_path / f"{init}.html").read_text().splitlines()
                        if "all tiles:" in line]
    assert "all tiles: content 1  tv 10</p>" in titles["content"][0] and "seed" not in titles["content"][0]
    assert "all tiles: content 1  tv 10  seed 0</p>" in titles["random"][0]
    record = jaxart.read_record(tmp_path / "content-00.png")
    assert record["seed"] == 0 and record["config"]["seed"] == 0  # the tile's record keeps it, as stylize's does
    # So too the line naming a tile whose loss blew up (the CLI's, test_sweep_cli): its seed only from a random start.
    said = {seeded: sheet.nonfinite(tmp_path / "g.png", settings, [True, False], seeded=seeded)
            for seeded in (False, True)}
    assert "g-01.png (style 100  content 1  tv 10);" in said[False]
    assert "g-01.png (style 100  content 1  tv 10  seed 0);" in said[True]
