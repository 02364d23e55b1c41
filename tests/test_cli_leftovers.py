"""Refusals that were not yet one line naming what the user typed: a newline typed in a value, a region colour, the
optimizer a line search does not fit, a FIFO where a checkpoint or frame goes, a damaged image given to `info`."""

from __future__ import annotations

import os

import pytest
from PIL import Image

from conftest import run_main, stylize_argv, write_tiny_job
from jaxart import StyleConfig
from jaxart.errors import InputError


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("leftovers"), "vgg16")


def test_a_newline_typed_in_a_value_stays_on_the_error_line(files, tmp_path, monkeypatch, capsys):
    # Typer's usage error quoted the value with its newline: three lines, the last "dir/out.png (the folder is created)".
    code, out, err = run_main(stylize_argv(files, f"{tmp_path}/nope\ndir/"), monkeypatch, capsys)
    assert (code, out) == (2, "") and "\n" not in err, err
    assert err.startswith("error: Invalid value for --output / -o: ") and "is a folder that does not exist" in err
    assert not list(tmp_path.iterdir())


def test_the_help_without_a_command_keeps_its_lines(monkeypatch, capsys):
    code, out, err = run_main([], monkeypatch, capsys)
    lines = err.splitlines()
    assert lines[0].startswith("Usage: ") and "Commands:" in lines and not err.startswith("error"), err


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


def test_a_line_search_adam_does_not_take_names_both_flags(files, tmp_path, monkeypatch, capsys):
    argv = stylize_argv(files, tmp_path / "o.png", "--optimizer", "adam", "--linesearch", "zoom")
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert (code, out, err) == (2, "", "error: --linesearch 'zoom' is L-BFGS's; --optimizer 'adam' takes none")


@pytest.mark.parametrize("name, what, extra", [
    ("o.ckpt.npz", "checkpoint", ["--checkpoint-every", "1"]),
    ("o_00001.png", "the --save-every frame", ["--save-every", "1"]),
])
@pytest.mark.parametrize("overwrite", [False, True])
def test_a_fifo_where_a_checkpoint_or_frame_goes_is_refused_before_any_work(
        files, tmp_path, monkeypatch, capsys, name, what, extra, overwrite):
    # With --overwrite the run put its file in the FIFO's place; without, it said to --resume the FIFO or overwrite it.
    fifo = tmp_path / name
    os.mkfifo(fifo)
    argv = stylize_argv(files, tmp_path / "o.png", *extra, *(["--overwrite"] if overwrite else []))
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert (code, out) == (2, "") and err == (f"error: {what} {fifo} is a FIFO, not a file; jaxart never replaces "
                                              "one: choose another --output"), err
    assert [p.name for p in tmp_path.iterdir()] == [name] and fifo.is_fifo()


def test_info_on_an_image_pillow_cannot_identify_names_it_once(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 12 + b"xxxx" + b"\0" * 40)  # a PNG whose header chunk is damaged
    code, out, err = run_main(["info", str(bad)], monkeypatch, capsys)
    assert (code, out) == (2, "") and err.count("bad.png") == 1, err
    assert err.startswith(f"error: {bad} could not be read as an image"), err
