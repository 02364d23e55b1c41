"""`jaxart sweep` refuses what it cannot write before any run: empty items, an input as the sheet, a sheet that
is no PNG, a folder or no name; and writes its page for a photo named in no UTF-8."""

import os

import pytest

from conftest import run_main, write_tiny_job
from test_bad_input import _main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("bad-sweep"))


def test_sweep_refuses_empty_items_and_writing_over_an_input(files, tmp_path, monkeypatch, capsys):
    d, model = files
    sweep = ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "32", "--steps", "1"]
    code, err = _main([*sweep, "-o", str(tmp_path / "s.png"), "--style-weight", "1,,2"], monkeypatch, capsys)
    assert code == 2 and "--style-weight: '1,,2' has an empty item" in err, err
    before = (d / "paint.png").read_bytes()
    code, err = _main([*sweep, "-o", str(d / "paint.png"), "--overwrite"], monkeypatch, capsys)
    assert code == 2 and "is one of the inputs" in err and (d / "paint.png").read_bytes() == before, err
    assert not list(tmp_path.iterdir())


def test_sweep_refuses_a_sheet_of_no_columns_before_any_run(files, tmp_path, monkeypatch, capsys):
    d, model = files
    code, err = _main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "32", "--steps",
                       "1", "-o", str(tmp_path / "s.png"), "--columns", "0"], monkeypatch, capsys)
    assert code == 2 and err == "error: Invalid value for --columns: must be 1 or more", err
    assert not list(tmp_path.iterdir())


def test_sweep_sheet_must_be_a_png(files, tmp_path, monkeypatch, capsys):
    d, model = files
    code, err = _main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "s.jpg")],
                      monkeypatch, capsys)
    # sweep's --format sets the single images' format, never the sheet's: the line says which it is
    assert code == 2 and "give an --output ending in .png" in err and "--format sets the single images'" in err, err


@pytest.mark.parametrize("output, says", [(".", "give an --output ending in .png"),
                                          ("", "the path is empty; give a file name, such as sweep.png")])
def test_sweep_into_the_current_folder_says_to_give_a_png(output, says, files, tmp_path, monkeypatch, capsys):
    """`sweep -o .` answered "PosixPath('.') has an empty name", which says nothing of what to give."""
    d, model = files
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", output, "--model", model,
                             "--size", "32", "--steps", "2", "--quiet"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and says in err, err
    assert not list(tmp_path.iterdir())


def test_a_sweep_of_a_photo_whose_name_is_not_utf8_writes_its_page(files, tmp_path, monkeypatch, capsys):
    """The page failed to encode the name after the whole sweep ran: "'utf-8' codec can't encode ...", exit 2."""
    import shutil

    d, model = files
    photo = tmp_path / os.fsdecode(b"ph\xffoto.jpg")
    shutil.copy(d / "photo.jpg", photo)
    out = tmp_path / "out" / "sw.png"
    code, _, err = run_main(["sweep", str(photo), str(d / "paint.png"), "-o", str(out), "--model", model,
                             "--size", "32", "--steps", "2", "--quiet"], monkeypatch, capsys)
    assert (code, err) == (0, "")
    assert "ph?oto.jpg in the style of paint.png" in out.with_suffix(".html").read_text(encoding="utf-8")


@pytest.mark.parametrize("extra", [[], ["--format", "tiff"]])
def test_sweep_to_an_existing_folder_says_it_is_a_folder(extra, files, tmp_path, monkeypatch, capsys):
    """`sweep -o somefolder` answered that the contact sheet is a PNG, as if the name lacked a suffix;
    stylize says it is a folder and to give a file in it, whatever the --format: here one named as the sheet's
    default, sweep.png, as `-o newdir/` and `-o name` are answered."""
    d, model = files
    (tmp_path / "outdir").mkdir()
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "outdir"),
                             "--model", model, "--size", "32", "--steps", "2", "--quiet", *extra], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "the contact sheet " + os.path.join(str(tmp_path), "outdir") + " is a folder; give a file name in it, such " \
           "as " + os.path.join(str(tmp_path), "outdir", "sweep.png") in err
    assert [p.name for p in tmp_path.iterdir()] == ["outdir"] and not list((tmp_path / "outdir").iterdir())
