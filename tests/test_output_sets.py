"""Outputs written as a set: a sweep's page and tiles, and files.all_or_nothing, which all of a sweep's
files go through."""

import os
import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import output, sheet, sweep
from jaxart.errors import InputError, OutputError

from conftest import run_main
import test_outputs
from test_outputs import PIXELS

files = test_outputs.files  # its module fixture: tiny weights, a photo and a painting


SETTINGS = sweep.grid(style_weights=[10.0, 10.00001], seeds=[0, 1])
CONFIG = jaxart.StyleConfig(size=6)


def test_the_sweep_page_links_files_whose_names_a_url_would_misread(tmp_path):
    """"run#2-00.png" as a link is the file "run" with fragment "2-00.png"; the page also reads as 0644."""
    files = sheet.write(tmp_path / "run#2.png", np.stack([PIXELS] * 4), SETTINGS, CONFIG)
    page = (tmp_path / "run#2.html").read_text()
    assert 'src="run%232-00.png"' in page and 'src="run%232.png"' in page
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "run#2.html").stat().st_mode) == 0o666 & ~umask
    assert all(p.is_file() for p in files)
    assert sheet.labels(SETTINGS)[0][2] == "style 10.00001  seed 0"  # not "style 10", as the first row


def test_overwriting_with_a_smaller_sweep_removes_the_earlier_tiles_and_nothing_else(tmp_path):
    path = tmp_path / "grid.png"
    sheet.write(path, np.stack([PIXELS] * 4), SETTINGS, CONFIG)
    (tmp_path / "grid-07.png").write_bytes((tmp_path / "grid-03.png").read_bytes())  # an earlier, larger sweep's
    Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(tmp_path / "grid-09.png")  # the user's own picture
    output.save_png(tmp_path / "grid-08.png", PIXELS, {"jaxart": "0.2.0", "config": {}})  # a stylize -o grid-08.png
    assert sheet.stale_tiles(path, 2) == [tmp_path / f"grid-0{i}.png" for i in (2, 3, 7)]
    sheet.write(path, np.stack([PIXELS] * 2), SETTINGS[:2], CONFIG)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grid-00.png", "grid-01.png", "grid-08.png", "grid-09.png",
                                                          "grid.html", "grid.png"]


def test_overwrite_never_replaces_a_file_another_sweeps_page_shows(files, tmp_path, monkeypatch, capsys):
    """`-o grid-00.png --overwrite` replaced a tile of grid.png with its own sheet: grid.html showed that sheet."""
    sheet.write(tmp_path / "grid.png", np.stack([PIXELS] * 4), SETTINGS, CONFIG)
    d, model = files
    args = ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "grid-00.png"), "--overwrite",
            "--model", model, "--size", "24", "--steps", "1", "--style-weight", "1,10"]
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    code, out, err = run_main(args, monkeypatch, capsys)
    assert code == 2 and not out and err == (f"error: {tmp_path / 'grid-00.png'} is a single image of the sweep "
                                             f"{tmp_path / 'grid.png'}, whose page grid.html shows it; choose another "
                                             f"--output, or remove {tmp_path / 'grid-00.png'} first to replace it"), err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    sheet.write(tmp_path / "g-00.png", np.stack([PIXELS] * 2), SETTINGS[:2], CONFIG)  # a sheet named like a tile
    with pytest.raises(InputError, match="g-00.png is the contact sheet of another sweep, whose page g-00.html"):
        sheet.check_outputs(tmp_path / "g.png", 2, overwrite=True)
    sheet.check_outputs(tmp_path / "grid.png", 4, overwrite=True)  # a sweep's own files: replaced, as before
    (tmp_path / "grid.html").unlink()  # no page shows it any more: it may go
    sheet.check_outputs(tmp_path / "grid-00.png", 2, overwrite=True)


def test_check_outputs_takes_a_str_as_write_does_and_refuses_what_write_would_replace(tmp_path, monkeypatch):
    """README: to keep existing files, call `sheet.check_outputs(path, n)` before `sheet.write`, which replaces them."""
    monkeypatch.chdir(tmp_path)
    sheet.check_outputs("grid.png", 4)  # nothing there yet: a str path, as write takes it
    sheet.write("grid.png", np.stack([PIXELS] * 4), SETTINGS, CONFIG)
    with pytest.raises(InputError, match="grid.png already exists"):
        sheet.check_outputs("grid.png", 4)


def test_a_sweep_will_not_remove_an_earlier_tile_given_as_its_painting(files, tmp_path, monkeypatch, capsys):
    path = tmp_path / "grid.png"
    sheet.write(path, np.stack([PIXELS] * 4), SETTINGS, CONFIG)
    d, model = files
    args = ["sweep", str(d / "photo.jpg"), str(tmp_path / "grid-03.png"), "-o", str(path), "--overwrite",
            "--model", model, "--size", "24", "--steps", "1"]
    code, _, err = run_main(args, monkeypatch, capsys)
    assert code == 2 and "grid-03.png is one of the inputs" in err, err


def _files(folder: Path) -> dict[str, bytes | str]:
    return {p.name: p.read_bytes() if p.is_file() else "folder" for p in sorted(folder.iterdir())}


def _write_all(folder: Path, names, overwrite=True):
    from jaxart.files import all_or_nothing

    with all_or_nothing(overwrite=overwrite) as stage:
        for name in names:
            stage(folder / name).write_text(f"new {name}")


def test_a_folder_where_a_file_goes_is_named_and_kept_not_moved_aside(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "mine.txt").write_text("keep")
    (tmp_path / "a").write_text("old a")
    before = _files(tmp_path)
    with pytest.raises(OutputError, match=r"could not write file .*b \(Is a directory\); move that folder away"):
        _write_all(tmp_path, ["a", "b"])
    assert _files(tmp_path) == before and (tmp_path / "b" / "mine.txt").read_text() == "keep"


def test_ctrl_c_again_while_putting_back_still_puts_everything_back(tmp_path, monkeypatch):
    for name in "abc":
        (tmp_path / name).write_text(f"old {name}")
    before, real, calls = _files(tmp_path), os.replace, []

    def replace(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if Path(src).name.endswith(".tmp") and Path(dst).name == "b" or (  # placing b, then putting a back
                Path(src).name.endswith(".old") and Path(dst).name == "a" and sum(d == "a" for _, d in calls) == 2):
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        _write_all(tmp_path, "abc")
    assert _files(tmp_path) == before  # a second Ctrl-C left b and c hidden as .jaxart-*.old


def test_putting_back_never_removes_a_file_another_run_wrote_since(tmp_path, monkeypatch):
    (tmp_path / "a").write_text("old a")
    real = os.replace

    def replace(src, dst):
        if Path(dst).name == "b" and Path(src).name.endswith(".tmp"):
            (tmp_path / "a").unlink()
            (tmp_path / "a").write_text("theirs")  # another --overwrite run, between our two renames
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match="No space left"):
        _write_all(tmp_path, "ab")
    assert (tmp_path / "a").read_text() == "theirs" and not (tmp_path / "b").exists()
    kept = [p for p in tmp_path.iterdir() if p.name.endswith(".old")]
    assert [p.read_text() for p in kept] == ["old a"]  # ours, hidden rather than over theirs


def test_stylize_overwrite_never_replaces_a_file_a_sweeps_page_shows(files, tmp_path, monkeypatch, capsys):
    """`stylize -o grid-00.png --overwrite` replaced a tile of grid.png: grid.html showed a changed tile."""
    sheet.write(tmp_path / "grid.png", np.stack([PIXELS] * 4), SETTINGS, CONFIG)
    d, model = files
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for name, what in (("grid-00.png", f"a single image of the sweep {tmp_path / 'grid.png'}"),
                       ("grid.png", "the contact sheet of another sweep")):
        args = ["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / name), "--overwrite",
                "--model", model, "--size", "24", "--steps", "1"]
        code, out, err = run_main(args, monkeypatch, capsys)
        assert code == 2 and not out and err == (f"error: {tmp_path / name} is {what}, whose page grid.html shows "
                                                 f"it; choose another --output, or remove {tmp_path / name} first "
                                                 "to replace it"), err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
