"""More bad input found by trying every command with odd paths and forged files: one line on stderr,
the exit code of bad input, and nothing written."""

import os

import pytest

from conftest import run_main, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("more"))


def _stylize(files, out, *extra):
    d, model = files
    return ["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(out), "--model", model,
            "--size", "32", "--steps", "2", "--quiet", *extra]


def _loop(folder, name):
    """A symbolic link `name` in `folder` that leads back to itself through a second link."""
    a, b = folder / name, folder / f"other-{name}"
    os.symlink(b.name, a)
    os.symlink(a.name, b)
    return a


@pytest.mark.parametrize("where", ["output", "folder", "mask", "animation", "weights"])
def test_a_symlink_loop_anywhere_is_one_line_naming_it(where, files, tmp_path, monkeypatch, capsys):
    """pathlib's resolve() raised RuntimeError("Symlink loop from ...") out of the CLI as a traceback."""
    out = tmp_path / "out.png"
    argv = {"output": lambda: _stylize(files, _loop(tmp_path, "out.png")),
            "folder": lambda: _stylize(files, _loop(tmp_path, "dir") / "out.png"),
            "mask": lambda: [*_stylize(files, out)[:2], "-o", str(out), "--model", files[1], "--mask",
                             str(_loop(tmp_path, "mask.png")), "--region-style", f"red={files[0] / 'paint.png'}"],
            "animation": lambda: _stylize(files, out, "--animate", str(_loop(tmp_path, "a.gif"))),
            "weights": lambda: [*_stylize(files, out)[:5], "--model", str(_loop(tmp_path, "w.safetensors"))]}[where]()
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "leads back to itself" in err, err
    assert sorted(p.name for p in tmp_path.iterdir() if not p.is_symlink()) == []
