"""The format an output is written in, and the suffix that names it: a suffix naming no format, none at all, or a
folder given for an output or an animation, each one line before any work."""

import pytest

import jaxart
from jaxart import destinations, formats, input_files

from conftest import run_main, write_tiny_job
from test_output_names import _stylize


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("output-formats"))


def test_a_tif_output_is_written_as_tiff_without_format(files, tmp_path, monkeypatch, capsys):
    code, _, err = run_main(_stylize(files, "-o", str(tmp_path / "a.tif")), monkeypatch, capsys)
    assert code == 0, err
    assert (tmp_path / "a.tif").read_bytes()[:4] == b"II*\0"
    assert jaxart.read_record(tmp_path / "a.tif")["steps"] == 2


@pytest.mark.parametrize("fmt, name, chosen", [
    (None, "a.png", "png"), (None, "a.tif", "tiff"), (None, "a.TIFF", "tiff"), (None, None, "png"),
    ("png16", "a.png", "png16"), ("tiff", "a.png", "tiff"),  # an explicit --format rules; check_output refuses
])
def test_the_format_is_the_one_the_suffix_names_unless_given(fmt, name, chosen):
    assert formats.choose_format(fmt, name) == chosen


def test_a_resumed_run_keeps_its_format_while_the_suffix_fits_it():
    assert formats.choose_format(None, "a.png", "png16") == "png16"
    assert formats.choose_format(None, "a.tif", "png16") == "tiff"


def test_an_output_suffix_naming_no_format_is_one_line_naming_those_there_are(files, tmp_path, monkeypatch, capsys):
    code, _, err = run_main(_stylize(files, "-o", str(tmp_path / "a.jpg")), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and not list(tmp_path.iterdir()), err
    assert "a.jpg ends in .jpg; jaxart writes PNG (.png" in err and ".tif or .tiff, --format tiff" in err, err


SPACED = "{!r} ends in a {what}, which would be part of the file's name; drop the {what}"
GONE = "newdir/ is a folder that does not exist; give a file name in it, such as newdir/out.png"
NO_SUFFIX = [  # (command, what -o was given, other options, what the one line says)
    ("stylize", "newdir/", [], GONE),
    ("stylize", "newdir/", ["--format", "tiff"], GONE),
    ("sweep", "newdir/", [], GONE.replace("out.png", "sweep.png")),  # the contact sheet's own name, as below
    ("stylize", "newdir", [], "newdir has no suffix; give a file name such as newdir.png, or newdir/out.png to write "
                              "into a folder newdir"),
    ("stylize", "newdir", ["--format", "tiff"], "give a file name such as newdir.tif, or newdir/out.tif"),
    ("sweep", "newdir", [], "the contact sheet newdir has no suffix; give a file name such as newdir.png, or "
                            "newdir/sweep.png"),
    # a name that is only a suffix (`-o "$NAME.png"` with NAME empty) was told to give .png.png
    ("stylize", ".png", [], "output .png is a suffix without a name; give a file name such as out.png"),
    ("stylize", "sub/.TIF", [], "output sub/.TIF is a suffix without a name; give a file name such as sub/out.TIF"),
    ("sweep", ".png", [], "the contact sheet .png is a suffix without a name; give a file name such as sweep.png"),
    # a space after the suffix was unseen in "output out.png  ends in .png ;" (or "must end in .png", with --format)
    ("stylize", "out.png ", [], SPACED.format("out.png ", what="space")),
    ("stylize", "out.png ", ["--format", "png"], SPACED.format("out.png ", what="space")),
    # a tab or newline was told it "ends in a space"
    ("sweep", "grid.png\t", [], SPACED.format("grid.png\t", what="tab")),
    ("stylize", "out.png\n", [], SPACED.format("out.png\n", what="newline")),
]


@pytest.mark.parametrize("command, typed, extra, says", NO_SUFFIX)
def test_an_output_without_a_suffix_says_to_give_a_file_name_in_the_folder(command, typed, extra, says, files,
                                                                           tmp_path, monkeypatch, capsys):
    """`-o newdir/`: Path() drops the slash, and the user was told that "newdir ends in no suffix"."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main([command, *_stylize(files, "-o", typed, *extra)[1:]], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and says in err, err
    assert not list(tmp_path.iterdir()), "no folder is made"


ANIMATIONS = [  # (what --animate was given, what the one line says)
    ("newdir/", "newdir/ is a folder that does not exist; give a file name in it, such as newdir/out.gif"),
    ("newdir", "animation newdir has no suffix; give a file name such as newdir.gif, or newdir/out.gif"),
    ("made", "animation made is a folder; give a file name in it, such as made/out.gif"),
    ("made/", "animation made is a folder; give a file name in it, such as made/out.gif"),
    ("run.mp4", "animation run.mp4 must end in .gif or .webp"),
    (".gif", "animation .gif is a suffix without a name; give a file name such as out.gif"),  # was ".gif.gif"
    ("run.gif ", SPACED.format("run.gif ", what="space")),  # was "animation run.gif  must end in .gif or .webp"
]


@pytest.mark.parametrize("typed, says", ANIMATIONS)
def test_an_animation_that_is_a_folder_or_no_gif_is_one_line_before_any_work(typed, says, files, tmp_path,
                                                                              monkeypatch, capsys):
    """`--animate newdir/` was refused as "newdir must end in .gif or .webp", and an existing folder
    for its suffix: neither said it was a folder, nor to give a file in it."""
    (tmp_path / "made").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(input_files, "load_inputs", lambda *a: pytest.fail("a run started"))
    code, _, err = run_main(_stylize(files, "-o", "out.png", "--animate", typed), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and says in err, err
    assert [p.name for p in tmp_path.rglob("*")] == ["made"], "nothing is written"


def test_an_upper_case_suffix_is_accepted_as_the_output_format(tmp_path):
    for name, fmt in (("a.PNG", "png"), ("b.Png", "png16"), ("c.TIF", "tiff"), ("d.TIFF", "tiff")):
        destinations.check_output(tmp_path / name, fmt)
    assert not list(tmp_path.iterdir())


WRITES = " (jaxart writes PNG, .png, and TIFF, .tif or .tiff)"


@pytest.mark.parametrize("flag, typed, says", [
    ("-o", "o.", "error: output o. has no suffix; give a file name such as o.png" + WRITES),
    ("-o", "sub/o..", "error: output sub/o.. has no suffix; give a file name such as sub/o.png" + WRITES),
    ("--animate", "run.", "error: animation run. has no suffix; give a file name such as run.gif (.gif or .webp)"),
])
def test_a_name_ending_in_a_dot_is_told_the_name_with_its_suffix(flag, typed, says, files, tmp_path, monkeypatch,
                                                                  capsys):
    """`-o "o."` (a suffix left out after its dot) was told "give a file name such as o..png, or o./out.png to write
    into a folder o.": o.png is the name meant, and no folder is."""
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    argv = _stylize(files, "-o", typed) if flag == "-o" else _stylize(files, "-o", "out.png", flag, typed)
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert (code, err) == (2, says)
    assert [p.name for p in tmp_path.rglob("*")] == ["sub"], "nothing is written"


def test_a_bench_json_name_ending_in_a_dot_is_told_the_name_with_its_suffix(tmp_path):
    from jaxart import bench_json

    with pytest.raises(jaxart.InputError) as e:
        bench_json.check_name(tmp_path / "results.")
    assert str(e.value).endswith(f"give a name ending in .json, such as {tmp_path / 'results.json'}")
