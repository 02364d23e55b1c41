"""What `weights list`, `verify` and `remove` say of the weights folder: partial downloads and fetches in
progress, normalized and fetched sets, columns that line up, an empty folder."""

from __future__ import annotations

import json

from jaxart.weights import catalog, folder

from conftest import run_main
import test_weights_folder
from test_weights_folder import install

weights_dir = test_weights_folder.weights_dir  # its autouse fixture: an empty folder, "test" registered to fetch


def test_remove_deletes_a_kept_partial_download_that_list_shows(weights_dir, monkeypatch, capsys):
    weights_dir.mkdir()
    partial = weights_dir / ".test.partial"
    partial.write_bytes(b"\0" * 2_000_000)
    code, out, _ = run_main(["weights", "list"], monkeypatch, capsys)
    line = next(x for x in out.splitlines() if x.startswith("test "))
    assert "partial download, 2 MiB of 56 MiB" in line and "`jaxart weights remove test` deletes it" in line

    code, out, err = run_main(["weights", "remove", "test"], monkeypatch, capsys)
    assert code == 0 and out.strip() == f"removed the partial download {partial}" and not partial.exists(), err
    code, _, err = run_main(["weights", "remove", "test"], monkeypatch, capsys)
    assert code == 2 and "'test' is not installed and has no partial download" in err


def test_a_whole_download_left_unconverted_is_listed_as_such(weights_dir, monkeypatch, capsys):
    """A conversion that failed (a full disk) keeps the verified download: it read "partial download, 1 kB of 1 kB",
    which `jaxart weights fetch` "resumes"; it converts it."""
    import dataclasses

    from jaxart.weights import registry

    monkeypatch.setitem(registry.SOURCES, "test", dataclasses.replace(registry.SOURCES["test"], size=1000))
    weights_dir.mkdir()
    (weights_dir / ".test.partial").write_bytes(b"\0" * 1000)
    code, out, _ = run_main(["weights", "list"], monkeypatch, capsys)
    line = next(x for x in out.splitlines() if x.startswith("test "))
    assert code == 0 and "downloaded, not converted, 1,000 bytes" in line, line
    assert "`jaxart weights fetch test` verifies and converts it, `jaxart weights remove test` deletes it" in line


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


def test_list_says_whether_a_sets_source_checksum_was_verified(weights_dir):
    install("fetched", checksum="md5:253f8cb515780f3b799900260a226db6")
    install("by-hand")
    assert catalog.entry("fetched").checked == "source md5:253f8cb51578... verified"
    assert catalog.entry("by-hand").checked == "unverified (converted by hand)"


def test_weights_path_refuses_an_unknown_name_as_model_does(weights_dir, monkeypatch, capsys):
    """`weights path vgg91` left out what every other refusal of a name ends with: how to list the weight sets."""
    from jaxart.weights import unknown_model

    code, out, err = run_main(["weights", "path", "vgg91"], monkeypatch, capsys)
    assert code == 2 and not out and err == f"error: {unknown_model('vgg91')}", err
    assert err.endswith("; `jaxart weights list` says what each is"), err
