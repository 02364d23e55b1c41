"""Where a contact sheet puts its tiles and labels: each label under its own tile and no wider, a long painting
name or a header cut to keep what tells it apart, and a sweep of many paintings wrapped to a sheet a screen shows
whole, still read as a grid."""

import numpy as np
import pytest
from PIL import Image

from jaxart import sheet, sheet_draw, sweep

from test_sweep import CONFIG

WIDEST = 1600  # px: the widest a sweep's default sheet is drawn (README), a screen's width

NAMES = ["starry_night", "the_scream", "shipwreck", "woman-with-hat-matisse", "starry_night-mirrored-long-name",
         "the_scream-mirrored-long-name", "shipwreck-mirrored-long-name", "woman-with-hat-matisse-mirrored-long-name"]
RECORD = {"inputs": {"content": "photo.jpg", "styles": [f"art/{n}.jpg" for n in NAMES]}}


def tiles(n: int, h: int, w: int) -> np.ndarray:
    """n tiles of one colour each, none dark enough to pass for ink: tile k is (100 + 10k, 200, 200)."""
    colours = np.stack([100 + 10 * np.arange(n), np.full(n, 200), np.full(n, 200)], axis=1) / 255.0
    return np.broadcast_to(colours[:, None, None, :], (n, h, w, 3)).astype(np.float32)


def extent(drawn: np.ndarray, k: int) -> tuple[int, int, int, int]:
    """Tile k's (top, bottom, left, right) on a sheet of `tiles`, bottom and right exclusive."""
    ys, xs = np.nonzero((drawn == (100 + 10 * k, 200, 200)).all(axis=2))
    return ys.min(), ys.max() + 1, xs.min(), xs.max() + 1


def ink_under(drawn: np.ndarray, n: int, k: int, below: int) -> np.ndarray:
    """The columns inked in the `below` pixels under tile k (of n), from the tile before it in its row
    to the one after it."""
    boxes = [extent(drawn, i) for i in range(n)]
    top, bottom, left, right = boxes[k]
    lo = max((b[3] for b in boxes if b[0] == top and b[3] <= left), default=0)
    hi = min((b[2] for b in boxes if b[0] == top and b[2] >= right), default=drawn.shape[1])
    return lo + np.flatnonzero((drawn[bottom: bottom + below, lo:hi].min(axis=2) < 100).any(axis=0))


def test_every_label_lies_under_its_own_tile_and_no_wider():
    """A long painting's name widened its cell, the tile centred in it and the label starting at the cell's
    left edge: the label began up to half its overhang left of its tile, beside the tile before it."""
    labels = [f"style 10  painting {n}" for n in NAMES[:4]] + ["style 10", "style 10  seed 7", "s", "style 1e-05"]
    for w in (96, 128, 256):
        drawn = np.asarray(sheet.contact_sheet(tiles(8, 20, w), labels, columns=4))
        for k in range(8):
            _, _, left, right = extent(drawn, k)
            ink = ink_under(drawn, 8, k, 30)
            assert ink.size and left <= ink.min() and ink.max() < right, (w, k, labels[k])


def test_each_label_names_its_own_tile_on_a_wrapped_sheet(tmp_path):
    """On a sheet of 8 paintings, wrapped: the ink under each tile lies within its width (the old sheet's
    labels began left of their tiles, under the gap or the tile before), and another name for one painting
    changes the ink under its own two tiles alone."""
    grid, other = sweep.grid([10.0, 1000.0], paintings=range(8)), NAMES.copy()
    other[2] = "another-painting"
    for name, names in (("a", NAMES), ("b", other)):
        record = {"inputs": {"styles": [f"art/{n}.jpg" for n in names]}}  # no photo: no header naming them
        sheet.write(tmp_path / f"{name}.png", tiles(16, 24, 256), grid, CONFIG, record)
    a, b = (np.asarray(Image.open(tmp_path / f"{name}.png").convert("RGB")) for name in "ab")
    for k in range(16):
        ink, (_, _, left, right) = ink_under(a, 16, k, 60), extent(a, k)
        assert ink.size and left <= ink.min() and ink.max() < right, k
    boxes = [extent(a, k) for k in (2, 10)]
    ys, xs = np.nonzero((a != b)[boxes[0][0]:].any(axis=2))
    ys += boxes[0][0]
    for top, bottom, left, right in boxes:
        under = (ys >= bottom) & (ys < bottom + 60)
        assert under.any() and left <= xs[under].min() and xs[under].max() < right
    assert sum(((ys >= bottom) & (ys < bottom + 60)).sum() for _, bottom, _, _ in boxes) == ys.size  # nowhere else


def test_eight_paintings_wrap_to_a_sheet_no_wider_than_a_screen(tmp_path):
    """8 paintings x 2 style weights at the default 256 px came out 2,084 px wide or more (a column per
    painting, each as wide as its label): now each style's row splits evenly, every painting keeping its
    column under each style, and the rows of one style closer together than those of the next."""
    grid = sweep.grid([10.0, 1000.0], paintings=range(8))
    sheet.write(tmp_path / "g.png", tiles(16, 24, 256), grid, CONFIG, RECORD)
    drawn = np.asarray(Image.open(tmp_path / "g.png").convert("RGB"))
    assert drawn.shape[1] <= WIDEST
    boxes = [extent(drawn, k) for k in range(16)]
    assert [b[2] for b in boxes[:8]] == [b[2] for b in boxes[8:]]  # painting p in one column under each style
    lefts, tops = sorted({b[2] for b in boxes}), sorted({b[0] for b in boxes})
    assert len(lefts) == 4 and len(tops) == 4  # 4 and 4 a row, not 6 and 2
    assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)  # read in the tiles' order, row by row
    steps = np.diff(tops)
    assert steps[1] > steps[0] == steps[2]  # the rows of one style weight belong together
    # --columns is the user's own choice: kept, however wide.
    sheet.write(tmp_path / "c.png", tiles(16, 24, 256), grid, CONFIG, RECORD, columns=8)
    assert Image.open(tmp_path / "c.png").width == 8 * (256 + sheet.GAP) + sheet.GAP


def test_a_long_name_is_cut_to_its_tile_and_a_failed_tile_still_says_so(tmp_path):
    """Long names spread the tiles apart (a cell as wide as its label); now a name is fitted to its tile's
    width, dropping the word "painting" first (then over two lines, as the test of a long painting name below
    checks), and "(failed)" is a line of its own, not cut away with the name."""
    grid = sweep.grid([10.0], paintings=range(4))
    ok, failed = (sheet.write(tmp_path / f"{name}.png", tiles(4, 20, 96), grid, CONFIG, RECORD, ok=good)[0]
                  for name, good in (("ok", None), ("failed", [True, True, True, False])))
    ok, failed = (np.asarray(Image.open(p).convert("RGB")) for p in (ok, failed))
    assert ok.shape[1] == failed.shape[1] == 4 * (96 + sheet.GAP) + sheet.GAP  # tiles side by side, no wider
    assert failed.shape[0] > ok.shape[0]  # a line more under each tile, for the one that failed
    ok = np.concatenate([ok, np.broadcast_to(ok[-1:], (failed.shape[0] - ok.shape[0], *ok.shape[1:]))])
    ys, xs = np.nonzero((failed != ok).any(axis=2))
    top, bottom, left, right = extent(failed, 3)
    assert ys.min() >= bottom and left <= xs.min() and xs.max() < right  # under the failed tile alone
    font = sheet_draw.label_font(96)
    lines = sheet_draw.label_lines(["style 10  painting starry_night", "style 1000  painting the_scream",
                                    "style 10  painting woman-with-hat-matisse  (failed)"], font, 94)
    assert lines[:2] == [["style 10", "starry_night"], ["style 1000", "the_scream"]]
    assert lines[2] == ["style 10", "woman-with-hat-", "matisse", "(failed)"], lines
    assert all(font.getlength(t) <= 94 for t in lines[2])
    assert sheet_draw.label_lines(["style 10  seed 0", "style 1  seed 7"], font, 94) == [["style 10  seed 0"],
                                                                                        ["style 1  seed 7"]]


def test_a_header_keeps_each_setting_with_its_value():
    # The sheet of a 2-tile sweep at 256 px read "...; size" over "256, steps 100" (2026-12-05).
    header = "tubingen.jpg in the style of starry_night.jpg, model vgg16-hed; size 256, steps 100"
    font = sheet_draw.label_font(256)
    width = font.getlength("tubingen.jpg in the style of starry_night.jpg, model vgg16-hed; size") + 1
    lines = sheet_draw.header_lines(header, font, width)
    assert " ".join(lines) == header
    assert not any(line.endswith(("size", "steps")) for line in lines), lines
    assert all(font.getlength(line) <= width for line in lines)


@pytest.mark.parametrize("px", [96, 128])
def test_a_long_painting_name_under_a_small_tile_keeps_its_start_and_end(px):
    """At 96 px "woman-with-hat-matisse" read "woman-with-ha…": neither the picture nor the painter."""
    from jaxart import sheet_draw

    font, room = sheet_draw.label_font(px), px - 2
    labels = ["style 10  painting starry_night", "style 10  painting woman-with-hat-matisse  (failed)",
              "style 10  painting the_great_wave_off_kanagawa_by_katsushika_hokusai"]
    short, matisse, wave = sheet_draw.label_lines(labels, font, room)
    assert short == ["style 10", "starry_night"] and all(font.getlength(t) <= room for t in matisse + wave)
    assert "".join(matisse[1:3]) == "woman-with-hat-matisse" and matisse[3] == "(failed)", matisse
    assert wave[1].startswith("the_great_") and wave[2].endswith("_hokusai") and "…" in wave[2], wave


def test_a_narrow_sheet_shows_its_whole_header(monkeypatch):
    """Two 96 px tiles: three lines at most cut the header at "(one painting per tile), model ...", leaving out
    the model, the size and the steps."""
    from PIL import ImageDraw

    from jaxart import sheet_draw

    header = ("tubingen.jpg in the style of starry_night.jpg and the_scream.jpg (one painting per tile), model "
              "vgg16-hed; size 96, steps 5")
    drawn, original = [], ImageDraw.ImageDraw.text

    def text(self, xy, text, *args, **kwargs):
        drawn.append((xy, text))
        return original(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", text)
    tiles = np.full((2, 72, 96, 3), 0.5, np.float32)
    sheet = sheet_draw.contact_sheet(tiles, ["painting starry_night", "painting the_scream"],
                                     "all tiles: style 10  content 1  tv 10  seed 0", columns=2, header=header)
    font = sheet_draw.label_font(96)
    lines = [text for (x, y), text in drawn if x == sheet_draw.GAP + 2]  # the header's and the title's, left-aligned
    assert " ".join(lines[:-1]) == header and lines[-1].startswith("all tiles"), lines
    assert all(font.getlength(t) <= sheet.width - 2 * sheet_draw.GAP for t in lines), lines


def test_a_narrow_sheet_still_cuts_a_header_of_many_paintings():
    """More lines for a narrow sheet, not without end: fifty paintings' names end in "...", on one tile's width too."""
    from jaxart import sheet_draw

    font = sheet_draw.label_font(96)
    header = "photo.jpg in the style of " + ", ".join(f"painting_number_{i}.jpg" for i in range(50))
    for width in (224, 90):
        lines = sheet_draw.header_lines(header, font, width)
        assert len(lines) == sheet_draw.HEADER_LINES and lines[-1].endswith(" ..."), lines
        assert all(font.getlength(t) <= width for t in lines), lines


def test_a_letter_the_font_lacks_is_drawn_as_its_base_letter_not_a_box():
    """Pillow's own font has no "ü" nor "É": the paper's Tübingen was labelled "T▯bingen" on the sheet."""
    def draw(label, header):
        return np.asarray(sheet_draw.contact_sheet(tiles(1, 8, 96), [label], header=header))

    assert np.array_equal(draw("Tübingen", "Étoilée, Łódź – Señora"), draw("Tubingen", "Etoilee, Lodz - Senora"))
    assert np.array_equal(draw("海の絵", "x"), draw("???", "x"))  # no base letter: "?", not a box
    assert not np.array_equal(draw("Tübingen", "x"), draw("T?bingen", "x"))
