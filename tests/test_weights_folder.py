"""The weights folder as users leave it: odd file names, damaged or edited sets, a folder or a broken link
where a set or the folder should be, and where the folder is when none is given."""

from __future__ import annotations

import dataclasses
import errno
import os

import jax
import pytest
from safetensors.numpy import load_file, save_file

import jaxart
from jaxart import vgg
from jaxart.errors import WeightsError, WeightsFileError
from jaxart.weights import convert, fetch, folder, installed, load, registry, store
from jaxart.weights.registry import Source

from conftest import TINY, run_main


DEAD_URL = "http://127.0.0.1:9/dead.h5"  # nothing listens: a download would fail, never hang


@pytest.fixture(autouse=True)
def weights_dir(tmp_path, monkeypatch):
    """An empty weights folder, and "test" registered (its URL dead) as a fetchable name."""
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "w"))
    monkeypatch.setitem(registry.SOURCES, "test", Source(
        name="test", arch="vgg16", format="keras-h5", url=DEAD_URL, size=59_000_000, checksum="sha256:" + "0" * 64,
        preprocess=registry.PREPROCESS["keras-h5"], description="synthetic VGG16"))
    return tmp_path / "w"


def install(name: str, **meta: str):
    """A tiny VGG16 installed as `name`, as `weights convert` would write it."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    return store.save(w.params, folder.path_for(name), arch="vgg16", preprocess=w.preprocess, name=name, **meta)


def rewrite(path, change=None, drop_digest: bool = False) -> None:
    """Rewrite a converted file with `change(tensors)` applied and its header otherwise kept."""
    from safetensors import safe_open
    with safe_open(str(path), "np") as f:
        metadata = f.metadata()
    tensors = load_file(str(path))
    if change:
        change(tensors)
    if drop_digest:
        metadata.pop("tensors_sha256")
    save_file(tensors, str(path), metadata=metadata)


def test_a_file_named_no_valid_name_is_listed_with_advice_and_never_breaks_list_or_verify(
        weights_dir, monkeypatch, capsys):
    install("tiny")
    (weights_dir / "vgg16-hed (1).safetensors").write_bytes((weights_dir / "tiny.safetensors").read_bytes())
    (weights_dir / "._tiny.safetensors").write_bytes(b"\0" * 4096)  # macOS metadata beside a copied file
    assert installed() == ["tiny"]

    code, out, err = run_main(["weights", "list"], monkeypatch, capsys)
    assert code == 0 and err == "", err
    assert any(x.startswith("tiny ") and "installed" in x for x in out.splitlines())
    odd = [x for x in out.splitlines() if "(1)" in x]
    assert len(odd) == 1 and "not a valid weights name" in odd[0] and "rename it" in odd[0], out
    assert "._tiny" not in out

    code, out, err = run_main(["weights", "verify"], monkeypatch, capsys)
    assert code == 0 and "tiny: ok" in out and "vgg16-hed (1).safetensors: skipped" in out and "._tiny" not in out


def test_a_truncated_installed_set_is_called_damaged_with_a_remedy_that_works(weights_dir, monkeypatch, capsys):
    path = install("test")
    path.write_bytes(path.read_bytes()[:3000])
    remedy = "run `jaxart weights remove test`, then fetch or convert it again"

    code, out, _ = run_main(["weights", "list"], monkeypatch, capsys)
    line = next(x for x in out.splitlines() if x.startswith("test "))
    assert code == 0 and "damaged" in line and remedy in line and "unverified" not in line
    code, out, err = run_main(["weights", "fetch", "test"], monkeypatch, capsys)
    assert code == 2 and out == "" and err.startswith("error: ") and len(err.splitlines()) == 1, err
    assert "is not a readable safetensors file" in err and remedy in err
    with pytest.raises(WeightsFileError, match=f"not a readable safetensors file .*; {remedy}$"):
        jaxart.load_weights("test")

    code, out, _ = run_main(["weights", "remove", "test"], monkeypatch, capsys)  # the remedy's first step works
    assert code == 0 and not path.exists()


def test_finite_values_changed_on_disk_are_refused_at_load_and_by_fetch(weights_dir, monkeypatch, capsys):
    path = install("test")
    rewrite(path, lambda t: t["conv3_2.kernel"].__setitem__((0, 0, 0, 0), 0.5))  # still finite
    with pytest.raises(WeightsFileError, match=r"test.safetensors is corrupt: .* was recorded when it was written; "
                                               r"run `jaxart weights remove test`, then fetch or convert it again$"):
        jaxart.load_weights("test")
    with pytest.raises(WeightsFileError, match="is corrupt"):
        fetch("test", attempts=1, backoff=0.0)
    code, out, err = run_main(["weights", "fetch", "test"], monkeypatch, capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "is corrupt" in err, err


def test_a_set_written_before_tensors_were_hashed_still_loads(weights_dir):
    path = install("old")
    rewrite(path, drop_digest=True)
    assert "tensors_sha256" not in store.read_metadata(path)
    assert sorted(load(path).params) == sorted(vgg.conv_names("vgg16"))


def test_a_folder_where_the_set_goes_is_refused_before_any_download_or_conversion(weights_dir, tmp_path):
    (weights_dir / "test.safetensors").mkdir(parents=True)
    (weights_dir / "mine.safetensors").mkdir()
    in_the_way = r"cannot write .*/{}.safetensors: a folder is in the way; move that folder away$"
    with pytest.raises(WeightsError, match=in_the_way.format("test")):  # not "could not download" from DEAD_URL
        fetch("test", attempts=1, backoff=0.0)
    with pytest.raises(WeightsError, match=in_the_way.format("mine")):  # the file is never read: it does not exist
        convert(tmp_path / "not-read.h5", "vgg16", "mine")
    assert sorted(p.name for p in weights_dir.iterdir()) == ["mine.safetensors", "test.safetensors"]


def test_a_folder_that_appears_at_the_last_moment_gets_advice_about_that_folder(weights_dir):
    (weights_dir / "late.safetensors").mkdir(parents=True)
    with pytest.raises(WeightsError, match=r"could not write .*late.safetensors \(Is a directory\); move that folder "
                                           r"away$"):
        install("late")
    assert [p.name for p in weights_dir.iterdir()] == ["late.safetensors"]  # and no hidden temp file left


@pytest.mark.parametrize("there", ["nothing", "the folder above", "the folder", "a file in it"])
@pytest.mark.parametrize("failure", ["connection refused", "wrong size"])
def test_a_failed_fetch_removes_the_folders_it_made_and_only_those(weights_dir, tmp_path, monkeypatch, there, failure):
    deeper = weights_dir / "deeper"
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(deeper))
    if failure == "wrong size":  # as JAXART_WEIGHTS_URL_VGG19=file:///etc/passwd
        (tmp_path / "other").write_bytes(b"not weights")
        monkeypatch.setitem(registry.SOURCES, "test", dataclasses.replace(registry.SOURCES["test"],
                                                                          url=f"file://{tmp_path}/other"))
    made = {"the folder above": weights_dir, "the folder": deeper, "a file in it": deeper}.get(there)
    if made:
        made.mkdir(parents=True)
    if there == "a file in it":
        (deeper / "notes.txt").write_text("mine")
    with pytest.raises(WeightsError, match="could not download"):
        fetch("test", attempts=1, backoff=0.0)
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.name != "other")
    assert left == {"nothing": [], "the folder above": ["w"], "the folder": ["w", "w/deeper"],
                    "a file in it": ["w", "w/deeper", "w/deeper/notes.txt"]}[there]


def test_a_weights_folder_that_is_a_broken_link_is_called_one(weights_dir, tmp_path):
    os.symlink(tmp_path / "gone", weights_dir)
    with pytest.raises(WeightsError, match=rf"folder {weights_dir} \(it is a broken link to {tmp_path / 'gone'}\); "
                                           "create that folder"):
        fetch("test", attempts=1, backoff=0.0)


def test_a_file_with_a_doubled_suffix_is_misnamed_not_installed(weights_dir):
    """`--model tiny.safetensors` is taken for a path, so a set named so could never be loaded by name."""
    path = install("tiny")
    (weights_dir / "tiny.safetensors.safetensors").write_bytes(path.read_bytes())
    assert installed() == ["tiny"]
    assert [p.name for p in folder.misnamed()] == ["tiny.safetensors.safetensors"]


@pytest.mark.parametrize("xdg", ["", None])
def test_an_installed_package_keeps_weights_in_the_home_cache_when_xdg_cache_home_is_empty_or_unset(
        xdg, tmp_path, monkeypatch):
    # Not a checkout (no pyproject.toml two folders up), as a non-editable install is.
    monkeypatch.setattr(folder, "__file__", str(tmp_path / "site-packages" / "jaxart" / "weights" / "folder.py"))
    monkeypatch.delenv("JAXART_WEIGHTS_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)  # empty means unset: never a folder relative to the current one
    assert folder.weights_dir() == tmp_path / "home" / ".cache" / "jaxart" / "weights"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert folder.weights_dir() == tmp_path / "xdg" / "jaxart" / "weights"


def test_a_weights_folder_given_with_a_tilde_is_in_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", "~/weights")
    monkeypatch.chdir(tmp_path)
    path = store.save({}, folder.path_for("x"), arch="vgg16", preprocess=vgg.Preprocess())
    assert path == tmp_path / "home" / "weights" / "x.safetensors" and installed() == ["x"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]  # no ./~ folder


def test_a_relative_weights_folder_is_named_whole_in_weights_path_and_messages(tmp_path, monkeypatch, capsys):
    # Taken from the current folder once: a path printed and pasted elsewhere still names the set.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", "rel")
    install("mine")
    code, out, err = run_main(["weights", "path", "mine"], monkeypatch, capsys)
    assert code == 0 and out == f"{tmp_path / 'rel' / 'mine.safetensors'}\n", (out, err)
    code, out, err = run_main(["weights", "path", "test"], monkeypatch, capsys)
    assert code == 1 and out == f"{tmp_path / 'rel' / 'test.safetensors'}\n", (out, err)


@pytest.mark.parametrize("command", ["list", "verify"])
def test_a_weights_folder_that_is_a_file_is_warned_of(command, tmp_path, monkeypatch, capsys):
    mistyped = tmp_path / "notes.txt"
    mistyped.write_text("not a folder")
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(mistyped))
    code, _, err = run_main(["weights", command], monkeypatch, capsys)
    # was no word: every set "not installed", until a fetch or a run failed on it
    assert (code, err) == (0, f"warning: the weights folder {mistyped} is a file, so nothing is installed there nor "
                              "can be; set JAXART_WEIGHTS_DIR to a folder"), err


@pytest.mark.parametrize("error", [OSError(errno.EMFILE, "Too many open files"),
                                   Exception("I/O error: Too many open files (os error 24)")])  # safetensors' own
def test_a_write_into_the_folder_under_a_low_open_files_limit_says_to_raise_it(error):
    advice = folder.write_advice(error)
    assert "files open at once (ulimit -n); raise that limit" in advice and "writable folder" not in advice, advice
