"""What users read, continued: each command's line in `jaxart --help`, a short switch given a value, a value listed
twice, and a narrow contact sheet's header."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import cli
from conftest import run_main


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("group, names", [
    ([], ["stylize", "sweep", "info", "bench", "weights"]),
    (["weights"], ["list", "fetch", "convert", "normalize", "verify", "remove", "path"]),
], ids=["jaxart", "weights"])
def test_every_command_in_jaxart_help_has_a_whole_sentence_on_one_line(columns, group, names):
    """Click cut each summary to the room left: "Paint CONTENT in the style of STYLES and write an image with...",
    and in `jaxart weights --help` "Registered, installed and partly downloaded weight sets:..."."""
    text = CliRunner().invoke(cli.app, [*group, "--help"], env={"COLUMNS": str(columns)}).output
    rows = text.split("Commands:\n")[1].splitlines()
    assert [row.split()[0] for row in rows] == names, text
    for row in rows:
        summary = row.split(maxsplit=1)[1]
        assert summary.endswith(".") and not summary.endswith("...") and len(row) <= columns, text


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_short_switch_given_a_value_is_named_as_typed(command, tmp_path, monkeypatch, capsys):
    """`-q=1` said "has no option -=": click took -q, then read "=" as an option of its own."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main([command, "-q=1", "a.jpg", "b.jpg"], monkeypatch, capsys)
    assert code == 2 and not out, err
    assert err == "error: Option -q (--quiet) does not take a value; give -q alone, or leave it out", err


def test_a_conv_listed_twice_is_quoted_as_other_values_are(tmp_path, monkeypatch, capsys):
    """It read "--conv lists direct twice", the value bare, beside "--conv 'fft' is not a list of ..."."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(["bench", "--sizes", "32", "--conv", "direct,direct"], monkeypatch, capsys)
    assert (code, out, err) == (2, "", "error: --conv lists 'direct' twice; give each value once")


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
