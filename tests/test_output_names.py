"""What a user types for an output, and the names jaxart chooses: a re-run after Ctrl-C, `~` in
quoted paths, the format a suffix names, the default name of a blend, names near the limit."""

import contextlib
import os
import signal
from pathlib import Path

import numpy as np
import pytest

import jaxart
from jaxart import destinations, formats, frames, job, output_names, signals

from conftest import run_main, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("output-names"))


def _stylize(files, *extra, paintings=("paint.png",)):
    d, model = files
    return ["stylize", str(d / "photo.jpg"), *(str(d / p) for p in paintings), "--model", model,
            "--size", "32", "--steps", "2", "-q", *extra]


@contextlib.contextmanager
def _sigterm_at_once():
    yield lambda: signal.SIGTERM


def test_rerunning_an_interrupted_command_says_to_resume_it(files, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(signals, "stop_signals", _sigterm_at_once)
        code, _, err = run_main(_stylize(files, "-o", "a.png"), monkeypatch, capsys)
    assert code == 143 and (tmp_path / "a.ckpt.npz").is_file(), err
    code, _, err = run_main(_stylize(files, "-o", "a.png"), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "continue that run with `jaxart stylize --resume a.ckpt.npz`" in err, err
    assert "--overwrite to start again (which discards the checkpoint)" in err, err
    code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "-q"], monkeypatch, capsys)
    assert code == 0 and not (tmp_path / "a.ckpt.npz").exists(), err


@pytest.fixture
def home(files, tmp_path, monkeypatch):
    """A home folder holding the tiny job's files, and another folder to run in."""
    import shutil

    (tmp_path / "home").mkdir()
    for name in ("photo.jpg", "paint.png", "tiny.safetensors"):
        shutil.copy(files[0] / name, tmp_path / "home" / name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    return tmp_path / "home"


def test_a_quoted_tilde_means_the_home_folder_in_every_path(home, monkeypatch, capsys):
    args = ["stylize", "~/photo.jpg", "~/paint.png", "--model", "~/tiny.safetensors", "--init", "~/photo.jpg",
            "-o", "~/out/a.png", "--animate", "~/a.gif", "--size", "32", "--steps", "2", "-q"]
    with monkeypatch.context() as m:
        m.setattr(signals, "stop_signals", _sigterm_at_once)
        code, _, err = run_main(args, monkeypatch, capsys)
    assert code == 143 and (home / "out" / "a.ckpt.npz").is_file(), err
    code, _, err = run_main(["stylize", "--resume", "~/out/a.ckpt.npz", "-q"], monkeypatch, capsys)
    assert code == 0 and (home / "out" / "a.png").is_file() and (home / "a.gif").is_file(), err
    assert not list(Path.cwd().iterdir())  # no folder named ~


_QUALITY = ["bench", "--sizes", "16", "--quality-evals", "2", "--quality-size", "32"]


@pytest.mark.parametrize("args, said", [
    (["sweep", "~/photo.jpg", "~/paint.png", "-o", "~/s.jpg"], "the contact sheet {home}/s.jpg is a PNG"),
    (["weights", "convert", "~/vgg.h5", "--name", "x"], "{home}/vgg.h5 is not a file"),
    # bench's paths were taken as typed: --json ~/b.json wrote ./~/b.json, --content ~/photo.jpg did not exist
    (["bench", "--sizes", "16", "--json", "~/paint.png"], "--json {home}/paint.png already exists"),
    ([*_QUALITY, "--content", "~/photo.jpg", "--json", "~/photo.jpg"], "{home}/photo.jpg is one of the inputs"),
    ([*_QUALITY, "--style", "~/paint.png", "--json", "~/paint.png"], "{home}/paint.png is one of the inputs"),
    ([*_QUALITY, "--model", "~/tiny.safetensors", "--json", "~/paint.png"], "--json {home}/paint.png already exists"),
    ([*_QUALITY, "--quality-images", "~/paint.png"], "{home}/paint.png is a file, not a folder"),
], ids=["sweep", "weights convert", "bench --json", "bench --content", "bench --style", "bench --model",
        "bench --quality-images"])
def test_sweep_weights_and_bench_expand_a_tilde_too(home, args, said, monkeypatch, capsys):
    from jaxart import bench_machine, bench_suite

    def measured(*args, **kwargs):
        raise AssertionError("bench measured: it took a path with ~ for a new file or folder")

    monkeypatch.setattr(bench_suite, "_rows", measured)
    monkeypatch.setattr(bench_machine, "matmul_peak", measured)
    code, _, err = run_main(args, monkeypatch, capsys)
    assert code == 2 and said.format(home=home) in err, err
    assert not list(Path.cwd().iterdir())  # no folder named ~


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


def test_the_default_name_of_a_blend_names_every_painting(files, tmp_path, monkeypatch, capsys):
    import shutil

    monkeypatch.chdir(tmp_path)
    shutil.copy(files[0] / "paint.png", tmp_path / "scream.png")
    (tmp_path / "photo_paint.png").write_bytes(b"the run of the first painting alone")
    code, _, err = run_main(_stylize(files, paintings=("paint.png", tmp_path / "scream.png")), monkeypatch, capsys)
    assert code == 0 and (tmp_path / "photo_paint+scream.png").is_file(), err
    assert (tmp_path / "photo_paint.png").read_bytes() == b"the run of the first painting alone"


def test_a_long_default_name_is_cut_to_fit_with_room_for_its_checkpoint_and_frames(tmp_path):
    styles = [Path("s" * 100 + ".jpg"), Path("t" * 100 + ".jpg")]
    name = output_names.default_output(Path("é" * 60 + ".jpg"), styles, "tiff", tmp_path)
    other = output_names.default_output(Path("é" * 60 + ".jpg"), styles[::-1], "tiff", tmp_path)
    assert len(os.fsencode(name.name)) <= 255 - 16 + 4 and name.suffix == ".tif" and name != other
    name.stem.encode("utf-8")  # cut between characters, never inside one
    assert output_names.default_output(Path("a.jpg"), [Path("b.png")], "tiff") == Path("a_b.tif")


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_name_over_the_limit_is_one_line_before_any_work(command, files, tmp_path, monkeypatch, capsys):
    """It was "File name too long" from the OS, with exit 1."""
    d, model = files
    out = tmp_path / ("c" * 300 + ".png")
    args = [command, str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "-o", str(out)]
    code, _, err = run_main(args, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and not list(tmp_path.iterdir()), err
    assert "would be 304 bytes, more than the 255 its folder allows; choose a shorter --output" in err, err


def test_a_name_whose_frames_would_not_fit_says_how_long_it_may_be(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / ("f" * 246 + ".png")  # its checkpoint fits; f..._00001.png does not
    code, _, err = run_main(_stylize(files, "-o", str(out), "--save-every", "1"), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and not list(tmp_path.iterdir()), err
    assert f"the output name {'f' * 24}... is too long: its --save-every frame name {'f' * 24}..._00002.png " \
           "would be 256 bytes" in err and "choose a shorter --output, of at most 249 bytes" in err, err



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
]


@pytest.mark.parametrize("typed, says", ANIMATIONS)
def test_an_animation_that_is_a_folder_or_no_gif_is_one_line_before_any_work(typed, says, files, tmp_path,
                                                                              monkeypatch, capsys):
    """`--animate newdir/` was refused as "newdir must end in .gif or .webp", and an existing folder
    for its suffix: neither said it was a folder, nor to give a file in it."""
    (tmp_path / "made").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(job, "load_inputs", lambda *a: pytest.fail("a run started"))
    code, _, err = run_main(_stylize(files, "-o", "out.png", "--animate", typed), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and says in err, err
    assert [p.name for p in tmp_path.rglob("*")] == ["made"], "nothing is written"


def test_a_default_name_of_few_characters_but_many_bytes_is_cut_too(tmp_path):
    """The file system counts bytes: 130 "é" are 130 characters but 260 bytes."""
    name = output_names.default_output(Path("é" * 130 + ".jpg"), [Path("b.png")], "png", tmp_path)
    assert len(os.fsencode(name.name)) <= 255 - 16 + 4 and name.suffix == ".png"


def test_an_upper_case_suffix_is_accepted_as_the_output_format(tmp_path):
    for name, fmt in (("a.PNG", "png"), ("b.Png", "png16"), ("c.TIF", "tiff"), ("d.TIFF", "tiff")):
        destinations.check_output(tmp_path / name, fmt)
    assert not list(tmp_path.iterdir())


def test_a_name_of_exactly_the_limit_is_allowed_and_one_byte_more_refused(tmp_path):
    limit = output_names.name_limit(tmp_path)
    output_names.check_names([("output", tmp_path / ("a" * (limit - 4) + ".png"))])
    with pytest.raises(jaxart.errors.InputError, match=f"would be {limit + 1} bytes, more than the {limit}"):
        output_names.check_names([("output", tmp_path / ("a" * (limit - 3) + ".png"))])


def test_an_output_naming_an_input_another_way_is_still_refused(tmp_path, monkeypatch):
    (tmp_path / "photo.png").write_bytes(b"the photo")
    (tmp_path / "link.png").symlink_to(tmp_path / "photo.png")
    monkeypatch.chdir(tmp_path)
    for out, given in ((tmp_path / "photo.png", "photo.png"), (Path("photo.png"), tmp_path / "link.png"),
                       (tmp_path / "sub" / ".." / "photo.png", "./photo.png")):
        with pytest.raises(jaxart.errors.InputError, match="is one of the inputs"):
            destinations.check_not_input([out], [None, given])


def test_stale_frames_are_those_of_an_earlier_run_to_this_output_that_this_run_does_not_write(tmp_path):
    out = tmp_path / "out.png"
    pixels = np.zeros((2, 2, 3))

    def earlier(name, output):
        jaxart.save_image(tmp_path / name, pixels, {"output": str(output)})

    earlier("out_00005.png", out)  # this run writes it again: not stale
    earlier("out_00010.png", out)  # the last step is the output itself, not a frame
    earlier("out_00015.png", out)  # past this run's end
    earlier("out_100000.png", out)  # six digits, from a run of 100000 steps or more
    earlier("out_00003.png", tmp_path / "elsewhere.png")  # another run's: not ours to remove
    (tmp_path / "out_00004.png").write_bytes(b"not a jaxart image")
    stale = frames.stale_frames(out, "png", steps=10, save_every=5)
    assert sorted(p.name for p in stale) == ["out_00010.png", "out_00015.png", "out_100000.png"]


def test_the_checkpoint_beside_an_output_may_replace_neither_an_input_nor_another_runs(tmp_path):
    out, ckpt = tmp_path / "out.png", tmp_path / "out.ckpt.npz"
    ckpt.write_bytes(b"a photo someone named so")
    with pytest.raises(jaxart.errors.InputError, match="would replace one of the inputs"):
        destinations.check_beside(out, "png", 10, 0, [ckpt], overwrite=True)
    with pytest.raises(jaxart.errors.InputError, match="already exists where this run keeps its checkpoint"):
        destinations.check_beside(out, "png", 10, 0, [])
    destinations.check_beside(out, "png", 10, 0, [], resuming=ckpt)  # the run it continues
    destinations.check_beside(out, "png", 10, 0, [], overwrite=True)


def test_only_frames_this_run_would_write_are_refused_and_a_folder_even_with_overwrite(tmp_path):
    out = tmp_path / "out.png"
    for step in (5, 15):  # written before the resumed step 5; the last step is the output itself
        (tmp_path / f"out_{step:05d}.png").write_bytes(b"x")
    destinations.check_beside(out, "png", 15, 5, [], after=5)
    (tmp_path / "out_00010.png").write_bytes(b"x")
    with pytest.raises(jaxart.errors.InputError, match="out_00010.png already exists; pass overwrite=True"):
        destinations.check_beside(out, "png", 15, 5, [], after=5)
    destinations.check_beside(out, "png", 15, 5, [], after=5, overwrite=True)
    (tmp_path / "out_00010.png").unlink()
    (tmp_path / "out_00010.png").mkdir()
    with pytest.raises(jaxart.errors.InputError, match="out_00010.png already exists"):
        destinations.check_beside(out, "png", 15, 5, [], after=5, overwrite=True)


def test_an_animation_may_not_replace_an_input_even_with_overwrite(tmp_path):
    movie = tmp_path / "loop.gif"
    movie.write_bytes(b"GIF89a a painting")
    with pytest.raises(jaxart.errors.InputError,
                       match="animation .*loop.gif is one of the inputs; choose another animation path"):
        destinations.check_animation(movie, overwrite=True, inputs=[movie])
