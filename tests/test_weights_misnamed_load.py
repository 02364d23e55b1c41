"""A file in the weights folder named no weight set's name (a browser's `vgg16-hed (1).safetensors`) is listed with
a note to rename it, and never loaded: not by `--model`, not by `jaxart.load_weights` (README, "Names and the weights
folder")."""

from __future__ import annotations

import jax
import pytest

import jaxart
from jaxart.errors import InputError
from jaxart.weights import folder, store

from conftest import TINY, run_main, write_tiny_job


@pytest.fixture
def odd(tmp_path, monkeypatch):
    """A valid tiny weights file installed under the misnamed "tiny (1).safetensors"."""
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "w"))
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    store.save(w.params, folder.path_for("tiny"), arch="vgg16", preprocess=w.preprocess, name="tiny")
    folder.path_for("tiny").rename(tmp_path / "w" / "tiny (1).safetensors")
    return tmp_path


def test_load_weights_refuses_a_misnamed_file_saying_to_rename_it(odd):
    with pytest.raises(InputError, match=r"tiny \(1\)\.safetensors is not loaded: rename it"):
        jaxart.load_weights("tiny (1)")


def test_model_names_a_misnamed_file_refused_in_one_line_before_the_run(odd, monkeypatch, capsys):
    d, _ = write_tiny_job(odd)
    out = odd / "out.png"
    code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(out),
                             "--model", "tiny (1)", "--size", "32", "--steps", "1", "--quiet"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "rename" in err, err
    assert not out.exists()
