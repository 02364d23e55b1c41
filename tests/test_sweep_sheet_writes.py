"""A sweep's sheet, page and tiles are written whole or not at all: a full disk, a Ctrl-C between two renames, or a
file another run puts there meanwhile leaves the folder as it was (the sheet's content: test_sweep_sheet.py)."""

import os

import numpy as np
import pytest

import jaxart
from jaxart import sheet

from test_sweep import CONFIG, GRID


@pytest.mark.parametrize("failing", ["_write_text", "save_image"])
def test_a_failed_write_leaves_the_folder_as_it_was(failing, tmp_path, monkeypatch):
    """A full disk at the page or the sheet: the single images already written go too, so a rerun
    is not refused for files of a sweep that never finished; and an earlier sweep that --overwrite
    was replacing is kept whole (it lost its tiles and page, its sheet pointing at nothing)."""
    import errno

    from jaxart.files import writing

    images = np.random.default_rng(0).random((len(GRID), 16, 16, 3)).astype(np.float32)
    real, calls = getattr(sheet, failing), []

    def full_disk(path, *args, **kwargs):
        calls.append(path)
        if failing == "_write_text" or len(calls) == len(GRID) + 1:  # the page, or the sheet (after the tiles)
            with writing(path, "file"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, *args, **kwargs)

    for folder, earlier in (("fresh", None), ("again", images[::-1])):
        (tmp_path / folder).mkdir()
        if earlier is not None:
            sheet.write(tmp_path / folder / "sheet.png", earlier, GRID, CONFIG)
        before = {p.name: p.read_bytes() for p in (tmp_path / folder).iterdir()}
        calls.clear()
        with monkeypatch.context() as m:
            m.setattr(sheet, failing, full_disk)
            with pytest.raises(jaxart.JaxartError, match="No space left on device"):
                sheet.write(tmp_path / folder / "sheet.png", images, GRID, CONFIG, overwrite=True)
        assert {p.name: p.read_bytes() for p in (tmp_path / folder).iterdir()} == before
    assert not list((tmp_path / "fresh").iterdir())


@pytest.mark.parametrize("overwrite", [False, True])
def test_ctrl_c_while_the_files_are_placed_leaves_the_folder_as_it_was(overwrite, tmp_path, monkeypatch):
    """Placing is renames, one per file: a Ctrl-C between two left this sweep's first tile beside
    the earlier sweep's page and sheet (or, without --overwrite, a tile that refused the rerun)."""
    images = np.random.default_rng(0).random((len(GRID), 16, 16, 3)).astype(np.float32)
    if overwrite:
        sheet.write(tmp_path / "s.png", images[::-1], GRID, CONFIG)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    name = "replace" if overwrite else "link"
    real, placed = getattr(os, name), []

    def second_is_interrupted(src, dst, *args, **kwargs):
        if not os.path.basename(dst).startswith(".jaxart-"):  # a file put in its place, not staged
            placed.append(dst)
            if len(placed) == 2:
                raise KeyboardInterrupt
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, name, second_is_interrupted)
    with pytest.raises(KeyboardInterrupt):
        sheet.write(tmp_path / "s.png", images, GRID, CONFIG, overwrite=overwrite)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_file_that_appears_during_the_sweep_is_kept_and_nothing_is_placed(tmp_path, monkeypatch):
    images = np.random.default_rng(0).random((len(GRID), 16, 16, 3)).astype(np.float32)
    real = sheet.contact_sheet

    def meanwhile(*args, **kwargs):  # another run writes the page while this one draws its sheet
        (tmp_path / "sheet.html").write_text("theirs")
        return real(*args, **kwargs)

    monkeypatch.setattr(sheet, "contact_sheet", meanwhile)
    with pytest.raises(jaxart.JaxartError,
                       match=r"sheet.html was created by something else .* nothing else was written"):
        sheet.write(tmp_path / "sheet.png", images, GRID, CONFIG, overwrite=False)
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.html"]
    assert (tmp_path / "sheet.html").read_text() == "theirs"
