"""The weights folder as users leave it: odd file names, damaged or edited sets, partial downloads,
a folder where a set should go; and what `weights list`, `verify`, `fetch` and `remove` say then."""

from __future__ import annotations

import json
import os

import jax
import pytest
from safetensors.numpy import load_file, save_file

import jaxart
from jaxart import vgg
from jaxart.errors import WeightsError, WeightsFileError
from jaxart.weights import catalog, convert, fetch, folder, installed, load, registry, store
from jaxart.weights.registry import Source

from conftest import TINY, run_main, write_tiny_job

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


def test_a_name_ending_in_safetensors_is_refused_saying_to_drop_the_suffix(monkeypatch, capsys, tmp_path):
    (tmp_path / "x.h5").write_bytes(b"\x89HDF\r\n\x1a\n")
    code, _, err = run_main(["weights", "convert", str(tmp_path / "x.h5"), "--name", "mine.safetensors"],
                            monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "drop the suffix: 'mine'" in err, err
    assert not (tmp_path / "w").exists()


def test_remove_deletes_a_kept_partial_download_that_list_shows(weights_dir, monkeypatch, capsys):
    weights_dir.mkdir()
    partial = weights_dir / ".test.partial"
    partial.write_bytes(b"\0" * 2_000_000)
    code, out, _ = run_main(["weights", "list"], monkeypatch, capsys)
    line = next(x for x in out.splitlines() if x.startswith("test "))
    assert "partial download, 2 MB of 59 MB" in line and "`jaxart weights remove test` deletes it" in line

    code, out, err = run_main(["weights", "remove", "test"], monkeypatch, capsys)
    assert code == 0 and out.strip() == f"removed the partial download {partial}" and not partial.exists(), err
    code, _, err = run_main(["weights", "remove", "test"], monkeypatch, capsys)
    assert code == 2 and "'test' is not installed and has no partial download" in err


def test_remove_leaves_a_download_in_progress_alone_and_says_so(weights_dir, monkeypatch, capsys):
    weights_dir.mkdir()
    partial = weights_dir / ".test.partial"
    partial.write_bytes(b"\0" * 1000)
    with folder.lock("test"):  # what a running `weights fetch test` holds
        code, out, err = run_main(["weights", "remove", "test"], monkeypatch, capsys)
        _, listed, _ = run_main(["weights", "list"], monkeypatch, capsys)
    assert code == 2 and partial.exists() and not out, err
    line = next(x for x in listed.splitlines() if x.startswith("test "))
    assert "being fetched now" in line and "weights remove" not in line, line
    assert err == "error: test is being fetched by another jaxart process; wait for it to finish, or stop it, then run this again"
    code, _, err = run_main(["weights", "remove", "test"], monkeypatch, capsys)
    assert code == 0 and not partial.exists(), err


def test_remove_of_a_set_whose_fetch_has_not_written_a_byte_yet_says_it_is_being_fetched(weights_dir, monkeypatch,
                                                                                          capsys):
    """It said "not installed ...; nothing was removed", and a moment later the set was installed."""
    with folder.lock("test"):  # a `weights fetch test` still connecting: no partial file yet
        code, out, err = run_main(["weights", "remove", "test"], monkeypatch, capsys)
    assert code == 2 and not out and err.startswith("error: test is being fetched by another jaxart process"), err
    code, _, err = run_main(["weights", "remove", "test"], monkeypatch, capsys)
    assert code == 2 and "'test' is not installed and has no partial download" in err, err


def test_list_counts_normalized_images_whose_names_hold_commas(weights_dir):
    names = ["a, b.jpg", "c.png", "d,e,f.JPEG"]
    install("new", normalized_from="vgg16", normalized_images=json.dumps(names))
    install("old", normalized_from="vgg16", normalized_images=",".join(names))  # as an older jaxart wrote it
    for name in ("new", "old"):
        assert catalog.entry(name).checked == "normalized from vgg16 over 3 images", name


def test_list_columns_line_up_whatever_their_length(weights_dir, monkeypatch, capsys):
    install("n", normalized_from="a-weight-set-with-a-rather-long-name-indeed", normalized_images="[]")
    entries = catalog.entries()
    lines = run_main(["weights", "list"], monkeypatch, capsys)[1].splitlines()
    assert len(lines) == len(entries)
    assert len({line.index(e.checked) for e, line in zip(entries, lines)}) == 1
    assert len({line.index(e.source, line.index(e.checked) + len(e.checked)) for e, line in zip(entries, lines)}) == 1


def test_verify_with_nothing_installed_says_so(weights_dir, monkeypatch, capsys):
    code, out, _ = run_main(["weights", "verify"], monkeypatch, capsys)
    assert code == 0 and out.strip() == f"no weights are installed in {weights_dir}; nothing to verify"


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


def test_list_says_whether_a_sets_source_checksum_was_verified(weights_dir):
    install("fetched", checksum="md5:253f8cb515780f3b799900260a226db6")
    install("by-hand")
    assert catalog.entry("fetched").checked == "source md5:253f8cb51578... verified"
    assert catalog.entry("by-hand").checked == "unverified (converted by hand)"


def test_normalize_names_a_folder_in_the_way_before_reading_any_image(weights_dir, monkeypatch, capsys):
    """Found only when the result is written, it would cost the whole pass over the images first."""
    (weights_dir / "n.safetensors").mkdir(parents=True)
    code, _, err = run_main(["weights", "normalize", "test", "--images", "no-such-folder", "--name", "n"],
                            monkeypatch, capsys)
    assert code != 0 and len(err.splitlines()) == 1, err
    assert f"cannot write {weights_dir / 'n.safetensors'}: a folder is in the way" in err, err


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


def test_a_set_installed_by_another_process_while_convert_works_is_kept(weights_dir, tmp_path, monkeypatch, capsys):
    # Two `weights convert ... --name mine` at once: both found no "mine", and the later rename replaced the other's.
    from jaxart.weights import layouts

    mine = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)

    def read_while_the_other_installs(path, layout, arch):
        install("mine", source="the other process")
        return "vgg16", mine.params

    monkeypatch.setattr(layouts, "check_layout", lambda path, layout: "keras-h5")
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
    monkeypatch.setattr(layouts, "check_layout", lambda path, layout: "keras-h5")
    monkeypatch.setattr(layouts, "read", lambda path, layout, arch: ("vgg16", mine.params))

    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    (tmp_path / "mine.h5").write_bytes(b"read by the stub above")
    code, _, err = run_main(["weights", "convert", str(tmp_path / "mine.h5"), "--name", "mine"], monkeypatch, capsys)
    assert code == 0, err
    assert store.read_metadata(folder.path_for("mine"))["arch"] == "vgg16"
    assert [p.name for p in weights_dir.iterdir() if not p.name.endswith(".lock")] == ["mine.safetensors"]
