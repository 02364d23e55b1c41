"""A file's name or path given to a `weights` subcommand that takes a weight set's name: one line saying
what the command takes and where such a file goes, as `stylize --model` says; a set named with a dot
is still a name; an unknown name to fetch gets the nearest registered one."""

from __future__ import annotations

import jax
import pytest

import jaxart
from jaxart.weights import folder, registry, store

from conftest import TINY, run_main

NAMES = ["fetch", "verify", "remove", "path"]  # `normalize` takes a path too, `convert` a file only


@pytest.fixture(autouse=True)
def weights_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "w"))
    return tmp_path / "w"


def install(name: str) -> None:
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    store.save(w.params, folder.path_for(name), arch="vgg16", preprocess=w.preprocess, name=name)


@pytest.mark.parametrize("command", NAMES)
@pytest.mark.parametrize("given, says", [
    # They said "unknown model 'junk.png'; known models are ...", or (a path) that a name must start with a letter.
    ("junk.png", "junk.png is an image, not weights: `jaxart weights {command}` takes "),
    ("{tmp}/junk.png", "junk.png is an image, not weights: `jaxart weights {command}` takes "),
    ("vgg19.h5", "vgg19.h5 is not converted weights: `jaxart weights {command}` takes "),
    ("w.safetensors", "w.safetensors is a weights file, not a weight set's name: `jaxart weights {command}` takes "),
], ids=["image", "image-path", "keras-file", "safetensors-file"])
def test_a_file_given_for_a_weight_sets_name_says_what_the_command_takes(command, given, says, tmp_path, monkeypatch,
                                                                         capsys):
    install("mine")
    code, out, err = run_main(["weights", command, given.format(tmp=tmp_path)], monkeypatch, capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert err.startswith("error: ") and says.format(command=command) in err and "unknown model" not in err, err
    listed = {"fetch": "(vgg16, vgg16-hed, ", "path": "(mine, vgg16, "}.get(command, "(mine)")  # what it does take
    assert f"weight set's name {listed}" in err, err
    then = {"junk.png": "a .safetensors file goes to `stylize --model` as it is, a .h5 or .pth file through "
                        "`jaxart weights convert` first",
            "vgg19.h5": "convert it first: jaxart weights convert vgg19.h5 --name NAME",
            "w.safetensors": "`jaxart stylize --model w.safetensors` uses the file as it is"}[given.rpartition("/")[2]]
    assert err.endswith(then), err
    assert folder.installed() == ["mine"]


@pytest.mark.parametrize("command", ["verify", "remove", "path"])
def test_an_installed_set_given_with_its_suffix_is_told_to_drop_it(command, monkeypatch, capsys):
    install("mine")
    code, _, err = run_main(["weights", command, "mine.safetensors"], monkeypatch, capsys)
    assert code == 2 and err.endswith(f"give the name alone: jaxart weights {command} mine"), err
    assert folder.installed() == ["mine"]


def test_a_set_named_with_a_suffix_is_still_found_by_name(weights_dir, monkeypatch, capsys):
    install("style.v2")
    code, out, err = run_main(["weights", "path", "style.v2"], monkeypatch, capsys)
    assert (code, out.strip()) == (0, str(weights_dir / "style.v2.safetensors")), err
    code, out, err = run_main(["weights", "verify", "style.v2"], monkeypatch, capsys)
    assert code == 0 and out.startswith("style.v2: ok"), err
    code, out, err = run_main(["weights", "remove", "style.v2"], monkeypatch, capsys)
    assert code == 0 and folder.installed() == [], err


@pytest.mark.parametrize("command", NAMES)
def test_an_unknown_plain_name_is_one_plain_line_whichever_the_command(command, monkeypatch, capsys):
    """`weights verify junk` began "error: Invalid value for NAME: ..." (Click's wording), where fetch, remove
    and path say a plain line of what is wrong."""
    install("mine")
    code, out, err = run_main(["weights", command, "junk"], monkeypatch, capsys)
    assert code == 2 and not out and len(err.splitlines()) == 1, err
    assert err.startswith("error: ") and "Invalid value" not in err and "junk" in err, err
    if command == "verify":
        assert "'junk' is not installed (installed: mine), so nothing was verified" in err, err
        code, _, err = run_main(["weights", command, "vgg19"], monkeypatch, capsys)  # registered: how to get it
        assert code == 2 and err.rstrip().endswith("fetch it with `jaxart weights fetch vgg19`"), err


def test_fetch_of_a_set_converted_by_hand_says_it_is_installed_and_how_to_use_it(monkeypatch, capsys):
    """`weights fetch mine`, with `weights list` showing mine installed, said "unknown model 'mine'"."""
    install("mine")
    code, out, err = run_main(["weights", "fetch", "mine"], monkeypatch, capsys)
    assert code == 2 and not out and len(err.splitlines()) == 1, err
    assert "unknown model" not in err and "mine is installed" in err and "--model mine" in err, err
    assert "vgg19" in err and folder.installed() == ["mine"], err


def test_fetch_of_an_unknown_name_suggests_the_nearest_registered_one():
    """`jaxart weights fetch vgg91` (registry.get_source) listed the names and guessed none."""
    with pytest.raises(ValueError, match=r"^unknown model 'vgg91' \(did you mean vgg19\?\); known models are .+; "
                                         r"`jaxart weights list` says what each is$"):
        registry.get_source("vgg91")


def test_the_known_models_are_listed_in_one_order_by_fetch_and_by_stylize_model(monkeypatch, capsys):
    """`weights fetch vgg99` listed the registry's order (vgg19, vgg16, vgg16-hed, ...), `stylize --model vgg99`
    the sorted one (as `weights list` does): one order, sorted."""
    from jaxart.weights import unknown_model

    _, _, fetch = run_main(["weights", "fetch", "vgg99"], monkeypatch, capsys)
    listed = ", ".join(sorted(registry.SOURCES))
    assert f"known models are {listed};" in fetch, fetch
    assert f"known models are {listed};" in unknown_model("vgg99")
