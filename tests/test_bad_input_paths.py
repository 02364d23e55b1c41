"""Odd paths anywhere a command takes one: a symbolic link loop, a name longer than the file system allows, a
FIFO given as a file or where a checkpoint or frame goes, a folder where the checkpoint goes; an output (image,
animation or a sweep's sheet, page or tile) that is a device, FIFO or socket, or a link to one, refused with
--overwrite too (the rename put a PNG in its place); an output below a link to nothing, and `-o -`. One line on
stderr, nothing written."""

import errno
import os
import socket
import stat

import pytest

from jaxart import checkpoint
from jaxart.errors import BAD_PATH

from conftest import run_main, write_tiny_job, stylize_argv as _stylize
from test_bad_input import _main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("bad-paths"))


def test_a_folder_where_a_checkpoint_goes_gives_one_line(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.png"
    checkpoint.path_for(out).mkdir()
    code, err = _main(_stylize(files, out, "--checkpoint-every", "1"), monkeypatch, capsys)
    assert code == 2 and err == (f"error: a folder, {checkpoint.path_for(out)}, is where this run keeps its "
                                 "checkpoint; move that folder away or choose another --output"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ckpt.npz"]  # before the run: no image


def test_info_on_a_fifo_does_not_hang(tmp_path, monkeypatch, capsys):
    os.mkfifo(tmp_path / "pipe.png")
    code, err = _main(["info", str(tmp_path / "pipe.png")], monkeypatch, capsys)
    pipe = tmp_path / "pipe.png"
    assert code == 2 and err == f"error: {pipe} is not a regular file; give a PNG or TIFF jaxart wrote", err


def _loop(folder, name):
    """A symbolic link `name` in `folder` that leads back to itself through a second link."""
    a, b = folder / name, folder / f"other-{name}"
    os.symlink(b.name, a)
    os.symlink(a.name, b)
    return a


@pytest.mark.parametrize("where", ["output", "folder", "mask", "animation", "weights", "checkpoint", "init"])
def test_a_symlink_loop_anywhere_is_one_line_naming_it(where, files, tmp_path, monkeypatch, capsys):
    """pathlib's resolve() raised RuntimeError("Symlink loop from ...") out of the CLI as a traceback. The
    checkpoint beside the output (OUT.ckpt.npz) said "already exists" on Python 3.13, and on 3.11 not
    what the other paths say; --init's "does not exist"."""
    out = tmp_path / "out.png"
    if where == "checkpoint":  # where a run to out.png keeps its checkpoint
        _loop(tmp_path, "out.ckpt.npz")
    argv = {"output": lambda: _stylize(files, _loop(tmp_path, "out.png")),
            "checkpoint": lambda: _stylize(files, out),
            "folder": lambda: _stylize(files, _loop(tmp_path, "dir") / "out.png"),
            "mask": lambda: [*_stylize(files, out)[:2], "-o", str(out), "--model", files[1], "--mask",
                             str(_loop(tmp_path, "mask.png")), "--region-style", f"red={files[0] / 'paint.png'}"],
            "animation": lambda: _stylize(files, out, "--animate", str(_loop(tmp_path, "a.gif"))),
            "weights": lambda: [*_stylize(files, out)[:5], "--model", str(_loop(tmp_path, "w.safetensors"))],
            "init": lambda: _stylize(files, out, "--init", str(_loop(tmp_path, "start.png")))}[where]()
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "leads back to itself" in err, err
    assert sorted(p.name for p in tmp_path.iterdir() if not p.is_symlink()) == []
    if where == "checkpoint":
        assert err == f"error: {tmp_path / 'out.ckpt.npz'}: {BAD_PATH[errno.ELOOP]}", err


@pytest.mark.parametrize("where, says", [("animation", "choose a shorter --animate"),
                                         ("output folder", "300 bytes, more than the 255 its file system allows; choose a shorter --output"),
                                         *((w, "give a shorter path") for w in ("photo", "info", "init", "mask"))])
def test_a_name_longer_than_the_file_system_allows_is_bad_input(where, says, files, tmp_path, monkeypatch, capsys):
    """pathlib's is_dir() raised ENAMETOOLONG ("File name too long: ...", exit 1); --init, --mask: "does not exist"."""
    long = "z" * 300
    out = tmp_path / "out.png"
    argv = {"animation": lambda: _stylize(files, out, "--animate", str(tmp_path / f"{long}.gif")),
            "output folder": lambda: _stylize(files, tmp_path / long / "out.png"),
            "photo": lambda: ["stylize", str(tmp_path / f"{long}.jpg"), str(files[0] / "paint.png"), "-o", str(out)],
            "info": lambda: ["info", str(tmp_path / f"{long}.png")],
            "init": lambda: _stylize(files, out, "--init", str(tmp_path / f"{long}.png")),
            "mask": lambda: [*_stylize(files, out)[:2], "-o", str(out), "--model", files[1], "--mask",
                             str(tmp_path / f"{long}.png"), "--region-style", f"red={files[0] / 'paint.png'}"]}[where]()
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
    argv = _stylize(files, tmp_path / "o.png", *extra, *(["--overwrite"] if overwrite else []))
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert (code, out) == (2, "") and err == (f"error: {what} {fifo} is a FIFO, not a file; jaxart never replaces "
                                              "one: choose another --output"), err
    assert [p.name for p in tmp_path.iterdir()] == [name] and fifo.is_fifo()


def _special(kind: str, path) -> None:
    """Make a FIFO, a socket or (as root) a character device like /dev/null at `path`."""
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(path))
    elif os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    else:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))


def _is(kind: str, path) -> bool:
    mode = os.lstat(path).st_mode
    return {"fifo": stat.S_ISFIFO, "socket": stat.S_ISSOCK, "device": stat.S_ISCHR}[kind](mode)


@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
@pytest.mark.parametrize("overwrite", [True, False])
def test_an_output_that_is_a_device_fifo_or_socket_is_kept_and_refused(kind, overwrite, files, tmp_path,
                                                                       monkeypatch, capsys):
    out = tmp_path / "out.png"
    _special(kind, out)
    argv = _stylize(files, out, *(["--overwrite"] if overwrite else []))
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "not a file" in err, err
    assert "pass --overwrite" not in err  # the old advice, which would have replaced it
    assert _is(kind, out) and sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_a_link_to_a_device_is_refused_as_the_device_is(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.png"
    out.symlink_to("/dev/null")
    code, _, err = run_main(_stylize(files, out, "--overwrite"), monkeypatch, capsys)
    assert code == 2 and "is a device, not a file" in err, err
    assert out.is_symlink() and os.readlink(out) == "/dev/null"


def test_an_animation_that_is_a_fifo_is_refused_with_overwrite_too(files, tmp_path, monkeypatch, capsys):
    anim = tmp_path / "a.gif"
    os.mkfifo(anim)
    argv = _stylize(files, tmp_path / "out.png", "--animate", str(anim), "--save-every", "1", "--overwrite")
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "animation" in err and "is a FIFO" in err, err
    assert stat.S_ISFIFO(os.lstat(anim).st_mode) and not (tmp_path / "out.png").exists()


@pytest.mark.parametrize("which", ["sheet", "page", "tile"])
def test_a_sweeps_file_that_is_a_fifo_is_refused_with_overwrite_too(which, files, tmp_path, monkeypatch, capsys):
    d, model = files
    sheet = tmp_path / "s.png"
    fifo = {"sheet": sheet, "page": tmp_path / "s.html", "tile": tmp_path / "s-01.png"}[which]
    os.mkfifo(fifo)
    argv = ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(sheet), "--model", model, "--size", "32",
            "--steps", "1", "--style-weight", "1,2", "--overwrite", "--quiet"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "is a FIFO, not a file" in err, err
    assert [p.name for p in tmp_path.iterdir()] == [fifo.name] and stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("below", ["out.png", "new/out.png"])
def test_an_output_below_a_link_to_nothing_says_so_not_that_it_is_a_file(below, files, tmp_path, monkeypatch, capsys):
    """`-o gone/out.png`, `gone` a dangling link (to an unmounted disk, say), was refused as "gone is a file"."""
    gone = tmp_path / "gone"
    gone.symlink_to(tmp_path / "unmounted" / "photos")
    code, _, err = run_main(_stylize(files, gone / below), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and f"{gone} is a link to nothing, not a folder" in err, err
    assert [p.name for p in tmp_path.iterdir()] == ["gone"] and gone.is_symlink()


@pytest.mark.parametrize("command, option, example", [("stylize", "-o", "out.png"), ("sweep", "-o", "sweep.png"),
                                                      ("stylize", "--animate", "out.gif")])
def test_a_dash_for_an_output_says_it_is_not_standard_output(command, option, example, files, tmp_path, monkeypatch,
                                                             capsys):
    """`-o -` said "- has no suffix; give a file name such as -.png, or -/out.png to write into a folder -"."""
    d, model = files
    argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, option, "-"]
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err.endswith(f": - is not standard output here; give a file name, such as {example}"), err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("command", ["stylize photo", "stylize painting", "sweep photo", "info", "weights convert"])
def test_a_dash_for_an_input_says_it_is_not_standard_input(command, files, tmp_path, monkeypatch, capsys):
    """`jaxart stylize - paint.png` (a photo piped in, as other tools read `-`) said "- does not exist; check the path
    and the current folder", which said nothing of stdin."""
    d, model = files
    photo, paint = str(d / "photo.jpg"), str(d / "paint.png")
    argv = {"stylize photo": ["stylize", "-", paint, "--model", model, "-o", "o.png"],
            "stylize painting": ["stylize", photo, "-", "--model", model, "-o", "o.png"],
            "sweep photo": ["sweep", "-", paint, "--model", model, "-o", "s.png"],
            "info": ["info", "-"], "weights convert": ["weights", "convert", "-", "--name", "x"]}[command]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "weights"))
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.endswith("- is not standard input here; give a file's path (save what you would pipe in to a file "
                        "first)"), err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("option, says", [
    # Not "(check the path and the current folder)": a '-' is no path mistyped.
    ("--init", "--init '-' is not standard input here; give content or random, or the path of an image file (save what "
               "you would pipe in to a file first)"),
    ("--mask", "--mask '-' is not standard input here; give the path of an image file (save what you would pipe in to "
               "a file first)"),
    ("stylize --resume", "checkpoint - is not standard input here; give the .ckpt.npz an interrupted run wrote"),
    ("sweep --resume", "checkpoint - is not standard input here; give the .ckpt.npz an interrupted run wrote")])
def test_a_dash_for_an_options_file_says_it_is_not_standard_input(option, says, files, tmp_path, monkeypatch, capsys):
    """As for the photo: `--init -`, `--mask -` and `--resume -` said "'-' does not exist"."""
    d, model = files
    photo, paint = str(d / "photo.jpg"), str(d / "paint.png")
    argv = {"--init": ["stylize", photo, paint, "--init", "-"],
            "--mask": ["stylize", photo, "--mask", "-", "--region-style", f"red={paint}"],
            "stylize --resume": ["stylize", "--resume", "-"], "sweep --resume": ["sweep", "--resume", "-"]}[option]
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main([*argv, *(["--model", model, "-o", "o.png"] if "resume" not in option else [])],
                            monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and err.endswith(says), err
    assert not list(tmp_path.iterdir())
