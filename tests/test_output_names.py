"""The names jaxart chooses for an output and the paths a user types for one: `~` in quoted paths, the default
name of a blend, names near the file system's limit, a line break in one (one error line, one "wrote" line)."""

import contextlib
import os
import signal
from pathlib import Path

import pytest

import jaxart
from jaxart import output_names, signals

from conftest import run_main, stylize_argv, write_tiny_job


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
    (["weights", "convert", "~/vgg.h5", "--name", "x"], "{home}/vgg.h5 does not exist"),
    # bench's paths were taken as typed: --json ~/b.json wrote ./~/b.json, --content ~/photo.jpg did not exist
    (["bench", "--sizes", "16", "--json", "~/paint.png"], "--json {home}/paint.png ends in .png"),
    ([*_QUALITY, "--content", "~/photo.jpg", "--json", "~/photo.jpg"], "{home}/photo.jpg is one of the inputs"),
    ([*_QUALITY, "--style", "~/paint.png", "--json", "~/paint.png"], "{home}/paint.png is one of the inputs"),
    ([*_QUALITY, "--model", "~/tiny.safetensors", "--json", "~/paint.png"], "--json {home}/paint.png ends in .png"),
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


def test_a_default_name_of_few_characters_but_many_bytes_is_cut_too(tmp_path):
    """The file system counts bytes: 130 "é" are 130 characters but 260 bytes."""
    name = output_names.default_output(Path("é" * 130 + ".jpg"), [Path("b.png")], "png", tmp_path)
    assert len(os.fsencode(name.name)) <= 255 - 16 + 4 and name.suffix == ".png"


def test_a_name_of_exactly_the_limit_is_allowed_and_one_byte_more_refused(tmp_path):
    limit = output_names.name_limit(tmp_path)
    output_names.check_names([("output", tmp_path / ("a" * (limit - 4) + ".png"))])
    with pytest.raises(jaxart.errors.InputError, match=f"would be {limit + 1} bytes, more than the {limit}"):
        output_names.check_names([("output", tmp_path / ("a" * (limit - 3) + ".png"))])


def test_a_newline_typed_in_a_value_stays_on_the_error_line(files, tmp_path, monkeypatch, capsys):
    # Typer's usage error quoted the value with its newline: three lines, the last "dir/out.png (the folder is created)".
    code, out, err = run_main(stylize_argv(files, f"{tmp_path}/nope\ndir/"), monkeypatch, capsys)
    assert (code, out) == (2, "") and "\n" not in err, err
    assert err.startswith("error: Invalid value for --output / -o: ") and "is a folder that does not exist" in err
    assert not list(tmp_path.iterdir())


def test_the_wrote_line_is_one_line_when_the_output_name_holds_a_newline(files, tmp_path, monkeypatch, capsys):
    # The file's tiny job, whose 32 px run the tests above compiled (its own VGG16 job compiled it again).
    out = tmp_path / "two\nlines.png"
    code, said, err = run_main([a for a in stylize_argv(files, out) if a != "--quiet"], monkeypatch, capsys)
    assert code == 0 and out.is_file(), err
    assert said.count("\n") == 1 and said.startswith(f"wrote {tmp_path}/two lines.png (tiny, "), said
    sheet = tmp_path / "a\nsheet.png"
    code, said, err = run_main(["sweep", str(files[0] / "photo.jpg"), str(files[0] / "paint.png"), "--output", str(sheet),
                                "--model", files[1], "--size", "24", "--steps", "1"], monkeypatch, capsys)
    assert code == 0 and sheet.is_file(), err
    assert said.count("\n") == 1 and said.startswith(f"wrote {tmp_path}/a sheet.png, {tmp_path}/a sheet.html and 1 image"), said
