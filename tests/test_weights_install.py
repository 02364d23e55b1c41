"""Installing a set with `weights convert` and `normalize`: bad options and inputs are one line before any
work, a folder in the way is named first, and a set another process installed meanwhile is kept."""

from __future__ import annotations

import os

import jax
import pytest

import jaxart
from jaxart.weights import folder, store

from conftest import TINY, run_main, write_tiny_job
import test_weights_folder
from test_weights_folder import install

weights_dir = test_weights_folder.weights_dir  # its autouse fixture: an empty folder, "test" registered to fetch


def test_a_name_ending_in_safetensors_is_refused_saying_to_drop_the_suffix(monkeypatch, capsys, tmp_path):
    (tmp_path / "x.h5").write_bytes(b"\x89HDF\r\n\x1a\n")
    code, _, err = run_main(["weights", "convert", str(tmp_path / "x.h5"), "--name", "mine.safetensors"],
                            monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "drop the suffix: 'mine'" in err, err
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("argv, message", [
    (["weights", "normalize", "test", "--images", ".", "--name", ""], "weights name '' must start with a letter or digit"),
    (["weights", "fetch", "test", "--url", "http://[::1"],
     "Invalid value for --url: 'http://[::1' is not a valid URL (Invalid IPv6 URL)"),
    (["weights", "verify", ""], "weights name '' must start"),  # verified every installed set
    # before any image is read or weights fetched: 1 would leave every filter as it was
    (["weights", "normalize", "test", "--images", ".", "--min-mean", "1"], "Invalid value for --min-mean: must be in [0, 1)"),
    (["weights", "normalize", "test", "--images", ".", "--size", "2048"],
     "Invalid value for --size: must be from 16 to 1024 pixels, got 2048"),
    # `--model test` would load the download, never this result
    (["weights", "normalize", "test", "--images", "no-such-folder", "--name", "test"],
     "test is the name of a registered weight set; give another --name"),
], ids=["normalize-empty-name", "url-bad-ipv6", "verify-empty-name", "normalize-min-mean-1", "normalize-size-2048",
        "normalize-registered-name"])
def test_bad_options_are_one_line_naming_the_option(argv, message, weights_dir, monkeypatch, capsys):
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and message in err, err
    assert not weights_dir.exists()


def test_normalizing_a_source_file_says_to_convert_it_first(weights_dir, tmp_path, monkeypatch, capsys):
    (tmp_path / "src.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))  # said "convert the weights again"
    code, _, err = run_main(["weights", "normalize", str(tmp_path / "src.h5"), "--images", str(tmp_path), "--name", "n"],
                            monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and f"convert it first: jaxart weights convert {tmp_path / 'src.h5'}" in err, err


def test_an_image_given_as_the_model_is_not_to_be_converted(weights_dir, tmp_path, monkeypatch, capsys):
    """`--model painting.jpg` said to run `jaxart weights convert painting.jpg`, which refuses an image."""
    d, _ = write_tiny_job(tmp_path)
    code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--model", str(d / "paint.png"),
                             "--size", "32", "--steps", "1", "-o", str(tmp_path / "out.png")], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "weights convert" not in err and "it is an image, not weights: give a weight set's name" in err, err
    assert not (tmp_path / "out.png").exists()


def test_normalize_names_a_folder_in_the_way_before_reading_any_image(weights_dir, monkeypatch, capsys):
    """Found only when the result is written, it would cost the whole pass over the images first."""
    (weights_dir / "n.safetensors").mkdir(parents=True)
    code, _, err = run_main(["weights", "normalize", "test", "--images", "no-such-folder", "--name", "n"],
                            monkeypatch, capsys)
    assert code != 0 and len(err.splitlines()) == 1, err
    assert f"cannot write {weights_dir / 'n.safetensors'}: a folder is in the way" in err, err


def test_a_set_installed_by_another_process_while_convert_works_is_kept(weights_dir, tmp_path, monkeypatch, capsys):
    # Two `weights convert ... --name mine` at once: both found no "mine", and the later rename replaced the other's.
    from jaxart.weights import layouts

    mine = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)

    def read_while_the_other_installs(path, layout, arch, contents):
        install("mine", source="the other process")
        return "vgg16", mine.params

    monkeypatch.setattr(layouts, "check_layout", lambda path, layout, arch: ("keras-h5", None))
    monkeypatch.setattr(layouts, "read", read_while_the_other_installs)
    (tmp_path / "mine.h5").write_bytes(b"read by the stub above")
    code, _, err = run_main(["weights", "convert", str(tmp_path / "mine.h5"), "--name", "mine"], monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "written by another jaxart process" in err, err
    assert store.read_metadata(folder.path_for("mine"))["source"] == "the other process"
    assert [p.name for p in weights_dir.iterdir() if not p.name.endswith(".lock")] == ["mine.safetensors"]


def test_a_set_installed_by_another_process_while_normalize_works_is_kept(weights_dir, tmp_path, monkeypatch, capsys):
    # As for convert: both found no "mine", and normalize's rename replaced the other process's set.
    from PIL import Image
    from jaxart.weights import normalize as N

    install("base")
    real = N.normalize

    def normalize_while_the_other_installs(*args, **kwargs):
        install("mine", source="the other process")
        return real(*args, **kwargs)

    monkeypatch.setattr(N, "normalize", normalize_while_the_other_installs)
    (tmp_path / "imgs").mkdir()
    Image.new("RGB", (20, 16), (200, 120, 40)).save(tmp_path / "imgs" / "a.png")
    code, _, err = run_main(["weights", "normalize", "base", "--images", str(tmp_path / "imgs"), "--size", "16",
                             "--name", "mine"], monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "written by another jaxart process" in err, err
    assert store.read_metadata(folder.path_for("mine"))["source"] == "the other process"

def test_convert_installs_where_the_file_system_has_no_hard_links(weights_dir, tmp_path, monkeypatch, capsys):
    # FAT and some network shares refuse os.link: the check for another process's set is then a
    # separate step, and the conversion must still install (it said "could not write").
    from jaxart.weights import layouts

    mine = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    monkeypatch.setattr(layouts, "check_layout", lambda path, layout, arch: ("keras-h5", None))
    monkeypatch.setattr(layouts, "read", lambda path, layout, arch, contents: ("vgg16", mine.params))

    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    (tmp_path / "mine.h5").write_bytes(b"read by the stub above")
    code, _, err = run_main(["weights", "convert", str(tmp_path / "mine.h5"), "--name", "mine"], monkeypatch, capsys)
    assert code == 0, err
    assert store.read_metadata(folder.path_for("mine"))["arch"] == "vgg16"
    assert [p.name for p in weights_dir.iterdir() if not p.name.endswith(".lock")] == ["mine.safetensors"]
