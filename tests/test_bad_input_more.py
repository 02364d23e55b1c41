"""More bad input found by trying every command with odd paths and forged files: one line on stderr,
the exit code of bad input, and nothing written."""

import errno
import os

import pytest

from jaxart.checkpoint import Interrupted
from jaxart.errors import BAD_PATH, InputError, NonFiniteLossError, WeightsError

from conftest import run_main, write_tiny_job, stylize_argv as _stylize


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("more"))


def _loop(folder, name):
    """A symbolic link `name` in `folder` that leads back to itself through a second link."""
    a, b = folder / name, folder / f"other-{name}"
    os.symlink(b.name, a)
    os.symlink(a.name, b)
    return a


@pytest.mark.parametrize("where", ["output", "folder", "mask", "animation", "weights", "checkpoint"])
def test_a_symlink_loop_anywhere_is_one_line_naming_it(where, files, tmp_path, monkeypatch, capsys):
    """pathlib's resolve() raised RuntimeError("Symlink loop from ...") out of the CLI as a traceback. The
    checkpoint beside the output (OUT.ckpt.npz) said "already exists" on Python 3.13, and on 3.11 not
    what the other paths say."""
    out = tmp_path / "out.png"
    if where == "checkpoint":  # where a run to out.png keeps its checkpoint
        _loop(tmp_path, "out.ckpt.npz")
    argv = {"output": lambda: _stylize(files, _loop(tmp_path, "out.png")),
            "checkpoint": lambda: _stylize(files, out),
            "folder": lambda: _stylize(files, _loop(tmp_path, "dir") / "out.png"),
            "mask": lambda: [*_stylize(files, out)[:2], "-o", str(out), "--model", files[1], "--mask",
                             str(_loop(tmp_path, "mask.png")), "--region-style", f"red={files[0] / 'paint.png'}"],
            "animation": lambda: _stylize(files, out, "--animate", str(_loop(tmp_path, "a.gif"))),
            "weights": lambda: [*_stylize(files, out)[:5], "--model", str(_loop(tmp_path, "w.safetensors"))]}[where]()
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "leads back to itself" in err, err
    assert sorted(p.name for p in tmp_path.iterdir() if not p.is_symlink()) == []
    if where == "checkpoint":
        assert err == f"error: {tmp_path / 'out.ckpt.npz'}: {BAD_PATH[errno.ELOOP]}", err


FORGED = {  # how a record was edited: (change, what the one line names)
    "background a number": (lambda r: r["inputs"].update(background=5), "background must be three integers"),
    "background infinite": (lambda r: r["inputs"].update(background=[1e400, 0, 0]), "got [inf, 0, 0]"),
    "background out of range": (lambda r: r["inputs"].update(background=[300, -5, 0]), "background must be three"),
    "negative size": (lambda r: r["config"].update(size=-5), "size must be a positive integer"),
    "nan learning rate": (lambda r: r["config"].update(learning_rate=float("nan")), "learning-rate must be"),
    "unknown optimizer": (lambda r: r["config"].update(optimizer="sgd"), "optimizer 'sgd' is not one of"),
    "unknown layer": (lambda r: r["config"].update(style_layers=["relu9_9"]), "layer 'relu9_9' does not exist"),
    "regions without a mask": (lambda r: r["config"].update(region_colors=["red"]), "do not pair up"),
    "two regions for one painting": (lambda r: r["config"].update(mask="/m/mask.png", region_colors=["red", "blue"]),
                                     "do not pair up"),
    "blank init": (lambda r: r["config"].update(init=""), "init is blank"),
}
NO_LAYERS = {  # what the API allows and no stylize option gives: it printed --content-layers '', which stylize refuses
    "no content layers": (lambda r: r["config"].update(content_layers=[]), "no content layers"),
    "no style layers": (lambda r: r["config"].update(style_layers=[]), "no style layers"),
}


@pytest.mark.parametrize("case", sorted(FORGED) + sorted(NO_LAYERS))
def test_info_command_on_an_edited_record_is_one_line_and_no_command(case, tmp_path, monkeypatch, capsys):
    """These printed a command stylize refuses (--size -5, --background 1, --content-layers ''), or a
    TypeError traceback."""
    import numpy as np

    from jaxart.config import StyleConfig
    from jaxart.output import save_image

    d, _ = write_tiny_job(tmp_path)
    record = {"jaxart": "0.2.0", "arch": "vgg19", "model": "vgg19", "config": StyleConfig().to_dict(),
              "inputs": {"content": str(d / "photo.jpg"), "styles": [str(d / "paint.png")]}}
    change, says = {**FORGED, **NO_LAYERS}[case]
    change(record)
    save_image(d / "out.png", np.zeros((4, 4, 3)), record)
    code, out, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and says in err, err
    assert ("edited or damaged" if case in FORGED else "-weight 0 has the same effect") in err, err


def test_a_warning_naming_a_file_with_a_line_break_stays_one_line(tmp_path, monkeypatch, capsys):
    import numpy as np

    from jaxart.config import StyleConfig
    from jaxart.output import save_image

    d, _ = write_tiny_job(tmp_path)
    record = {"jaxart": "0.2.0", "config": StyleConfig().to_dict(),
              "inputs": {"content": str(d / "gone\nphoto.jpg"), "styles": [str(d / "paint.png")]}}
    save_image(d / "out.png", np.zeros((4, 4, 3)), record)
    code, out, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and len(err.splitlines()) == 1 and "is gone" in err, err


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


@pytest.mark.parametrize("where, says", [("animation", "choose a shorter --animate"),
                                         ("output folder", "300 bytes, more than the 255 its file system allows; choose a shorter --output"),
                                         ("photo", "give a shorter path"),
                                         ("info", "give a shorter path")])
def test_a_name_longer_than_the_file_system_allows_is_bad_input(where, says, files, tmp_path, monkeypatch, capsys):
    """pathlib's is_dir() raised ENAMETOOLONG, which ended as "File name too long: ..." and exit 1."""
    long = "z" * 300
    out = tmp_path / "out.png"
    argv = {"animation": lambda: _stylize(files, out, "--animate", str(tmp_path / f"{long}.gif")),
            "output folder": lambda: _stylize(files, tmp_path / long / "out.png"),
            "photo": lambda: ["stylize", str(tmp_path / f"{long}.jpg"), str(files[0] / "paint.png"), "-o", str(out)],
            "info": lambda: ["info", str(tmp_path / f"{long}.png")]}[where]()
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and says in err, err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("option", ["--init", "--model"])
def test_a_fifo_given_as_a_file_is_called_not_a_regular_file(option, files, tmp_path, monkeypatch, capsys):
    """A FIFO (or /dev/null) given to --init or --model was said not to exist, which it does."""
    fifo = tmp_path / "pipe.safetensors"
    os.mkfifo(fifo)
    out = tmp_path / "out.png"
    code, _, err = run_main(_stylize(files, out, option, str(fifo)), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "is not a regular file" in err, err
    assert not out.exists()


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


@pytest.mark.parametrize("dtype", ["int8", "bool"])
def test_weights_of_integer_or_boolean_values_are_refused_as_convert_refuses_them(dtype, files, tmp_path, monkeypatch,
                                                                                   capsys):
    """A --model file whose kernel held int8 or bool values was cast to float and run, garbled."""
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file

    d, model = files
    with safe_open(model, "np") as f:
        meta = {k: v for k, v in f.metadata().items() if k != "tensors_sha256"}  # as a file from before hashes
    tensors = load_file(model)
    tensors["conv1_1.kernel"] = tensors["conv1_1.kernel"].astype(dtype)
    bad = tmp_path / "bad.safetensors"
    save_file(tensors, str(bad), metadata=meta)
    out = tmp_path / "out.png"
    code, _, err = run_main([*_stylize(files, out)[:5], "--model", str(bad), "--size", "32", "--steps", "2"],
                            monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and f"conv1_1 holds {dtype} values, not floating point" in err, err
    assert not out.exists()


@pytest.mark.parametrize("suffix", [".webp", ".gif"])
def test_info_on_a_still_webp_or_gif_does_not_call_it_an_animation(suffix, tmp_path, monkeypatch, capsys):
    """Any still WebP or GIF was said to be "an animation", which misleads about what the file is."""
    from PIL import Image

    still = tmp_path / f"photo{suffix}"
    Image.new("RGB", (4, 4)).save(still)
    code, out, err = run_main(["info", str(still)], monkeypatch, capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert "animation" not in err and "has no jaxart run record" in err and "PNG and TIFF" in err, err


def test_info_command_reads_an_edited_records_dash_named_inputs_back_as_files(tmp_path, monkeypatch, capsys):
    """A record naming `-photo.jpg` printed `jaxart stylize -photo.jpg ...`, which stylize parses as an option."""
    import shlex

    import numpy as np

    from jaxart import transfer
    from jaxart.config import StyleConfig
    from jaxart.output import save_image

    d, model = write_tiny_job(tmp_path)
    (d / "photo.jpg").rename(d / "-photo.jpg")
    (d / "paint.png").rename(d / "-paint.png")
    monkeypatch.chdir(d)
    record = {"jaxart": "0.2.0", "arch": "vgg19", "model_path": model, "config": StyleConfig(size=32, steps=2).to_dict(),
              "inputs": {"content": "-photo.jpg", "styles": ["-paint.png"]}}
    save_image(d / "out.png", np.zeros((4, 4, 3)), record)
    code, out, err = run_main(["info", "out.png", "--command"], monkeypatch, capsys)
    assert code == 0, err
    seen = []
    monkeypatch.setattr("jaxart.job.stylize_files", lambda content, styles, *a, **kw: seen.append(
        (content, styles)) or transfer.Outcome(np.zeros((4, 4, 3)), dict.fromkeys(
            ("total", "content", "style", "tv"), 0.0), 2, 0.0))
    code, _, err = run_main([*shlex.split(out)[1:], "--overwrite", "-q"], monkeypatch, capsys)
    assert code == 0, err
    assert [p.resolve() for p in (seen[0][0], *seen[0][1])] == [d / "-photo.jpg", d / "-paint.png"]


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


def _raising(error):
    import typer

    app = typer.Typer()

    @app.command()
    def run():
        raise error

    @app.command()
    def other():  # two commands, as jaxart has: `run` is named on the command line
        pass

    return app


@pytest.mark.parametrize("error, code, line", [
    (InputError("photo.png is empty"), 2, "error: photo.png is empty"),
    (ValueError("size must be 16 or more"), 2, "error: size must be 16 or more"),
    (WeightsError("could not download"), 1, "error: could not download"),
    (NonFiniteLossError("the loss became NaN"), 1, "error: the loss became NaN"),
    (OSError(errno.EIO, "Input/output error", "/disk/out.png"), 1, "error: Input/output error: /disk/out.png"),
    (OSError(errno.ENAMETOOLONG, "File name too long", "/a/b"), 2, "error: /a/b: a name in this path is longer"),
    (KeyboardInterrupt(), 130, "error: interrupted"),
    (EOFError(), 130, "error: interrupted"),  # click makes it an Abort, as it does Ctrl-C at a prompt
    (Interrupted("interrupted; the image is in out.png", 143), 143, "interrupted; the image is in out.png"),
], ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else None)
def test_each_kind_of_failure_ends_with_its_exit_code_and_one_line(error, code, line, monkeypatch, capsys):
    """2 for bad input (fix the command line), 1 for a failed run or machine, 128 + N for signal N:
    scripts tell them apart by the code alone."""
    import sys

    from jaxart_cli import errors as cli_errors

    monkeypatch.setattr(sys, "argv", ["jaxart", "run"])
    with pytest.raises(SystemExit) as e:
        cli_errors.run(_raising(error))
    err = capsys.readouterr().err.strip()
    assert e.value.code == code and err.startswith(line) and len(err.splitlines()) == 1, (e.value.code, err)
