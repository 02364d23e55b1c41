"""`--resume` of a file that is no checkpoint says in words what it is, on one line with what to give instead: it
said "... is not a jaxart checkpoint (ValueError); ...", a Python class name that tells a user nothing."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from conftest import run_main
from jaxart import checkpoint


def _saved(path):
    """A checkpoint as `checkpoint.save` writes it, of a carry of two arrays."""
    return checkpoint.save(path, {"pixels": np.zeros((8, 8, 3), np.float32), "step": np.int32(1)}, {"step": 1})


def _truncated(path):
    data = _saved(path).read_bytes()
    path.write_bytes(data[:len(data) // 2])


def _without_leaves(path):
    with np.load(_saved(path)) as z:
        arrays = {k: z[k] for k in z.files if not k.startswith("leaf_")}
    np.savez(path, **arrays)


def _bad_meta(path):
    with np.load(_saved(path)) as z:
        arrays = dict(z)
    np.savez(path, **{**arrays, "meta": np.array("{not json")})


MAKE = {  # how the file was made: what the line says it is
    "a PNG": (lambda p: Image.new("RGB", (4, 4)).save(p, format="PNG"), "it is not an .npz archive"),
    "random bytes": (lambda p: p.write_bytes(np.random.default_rng(0).bytes(500)), "it is not an .npz archive"),
    "a .npy array": (lambda p: np.save(p.with_suffix(".npy"), np.zeros(3)) or p.with_suffix(".npy").rename(p),
                     "it is not an .npz archive"),
    "empty": (lambda p: p.write_bytes(b""), "the file is empty"),
    "another .npz": (lambda p: np.savez(p, a=np.zeros(3)), "it is an .npz archive without jaxart's checkpoint fields"),
    "truncated": (_truncated, "the .npz archive is cut short or damaged"),
    "arrays removed": (_without_leaves, "it lacks some of its saved arrays (it was edited or damaged)"),
    "metadata not JSON": (_bad_meta, "its metadata is not jaxart's (it was edited or damaged)"),
}


@pytest.mark.parametrize("kind", MAKE)
def test_a_file_that_is_no_checkpoint_is_said_in_words(kind, tmp_path, monkeypatch, capsys):
    make, said = MAKE[kind]
    bad = tmp_path / "some.ckpt.npz"
    make(bad)
    code, stdout, err = run_main(["stylize", "--resume", str(bad), "--quiet"], monkeypatch, capsys)
    assert (code, stdout, len(err.splitlines()), sorted(tmp_path.iterdir())) == (2, "", 1, [bad]), err
    assert err == f"error: {bad} is not a jaxart checkpoint: {said}; give the .ckpt.npz an interrupted run wrote", err
    assert "Error" not in err, err  # no Python class name (ValueError, BadZipFile, JSONDecodeError)


def test_a_folder_or_no_file_is_said_as_such(tmp_path, monkeypatch, capsys):
    for path, said in ((tmp_path, "is not a file"), (tmp_path / "none.ckpt.npz", "does not exist")):
        code, _, err = run_main(["stylize", "--resume", str(path), "--quiet"], monkeypatch, capsys)
        assert (code, len(err.splitlines())) == (2, 1), err
        assert f"checkpoint {path} {said}; give the .ckpt.npz" in err, err


def test_a_saved_checkpoint_still_loads(tmp_path):
    ckpt = checkpoint.load(_saved(tmp_path / "c.ckpt.npz"))
    assert ckpt.meta["step"] == 1 and json.loads(json.dumps(ckpt.meta)) == ckpt.meta
