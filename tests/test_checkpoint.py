"""The checkpoint file on its own: a carry round-trips exactly; another optimizer layout, format, dtype,
jaxart version or weights, or a field out of range, is refused."""

import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxart import checkpoint, optimize
from jaxart.errors import InputError


def _carry(optimizer, shape=(2, 3, 3)):
    fun = jax.tree_util.Partial(lambda x: (jnp.sum(x ** 2), {"sum": jnp.sum(x)}))
    opt = optimize.make_optimizer(optimizer)
    return optimize.init_carry(fun, opt, jnp.full(shape, 0.5)), fun, opt


def test_checkpoint_round_trips_a_carry_exactly(tmp_path):
    carry, fun, opt = _carry("lbfgs")
    carry = jax.jit(optimize.make_step(opt))(carry, fun)
    path = checkpoint.save(tmp_path / "c.ckpt.npz", carry, {"step": 1})
    ckpt = checkpoint.load(path)
    back = checkpoint.restore(_carry("lbfgs")[0], ckpt)
    assert ckpt.meta["step"] == 1 and os.listdir(tmp_path) == ["c.ckpt.npz"]
    for a, b in zip(jax.tree.leaves(carry), jax.tree.leaves(back)):
        assert a.dtype == b.dtype and np.array_equal(a, b)


@pytest.mark.parametrize("optimizer,shape,expected", [("adam", (2, 3, 3), "another optimizer state layout"),
                                                      ("lbfgs", (4, 3, 3), "another optimizer or image size")])
def test_checkpoint_does_not_restore_into_another_layout(optimizer, shape, expected, tmp_path):
    path = checkpoint.save(tmp_path / "c.ckpt.npz", _carry("lbfgs")[0], {})
    with pytest.raises(InputError, match=expected):
        checkpoint.restore(_carry(optimizer, shape)[0], checkpoint.load(path))


META = {"jaxart": "1.0", "weights_sha256": "a" * 64, "model": "m", "config": {}, "output": "o.png", "format": "png",
        "step": 1, "inputs": {"content": "c.jpg", "styles": ["s.jpg"], "background": [255, 255, 255]}}


@pytest.mark.parametrize("field, value", [("step", -1), ("inputs.background", [256, 0, 0]),
                                          ("inputs.background", [0, -1, 0]), ("inputs.styles", []),
                                          ("seconds", "75 s"), ("seconds", -1.0), ("seconds", float("nan")),
                                          ("record", "some-paths"), ("record", 1)])
def test_a_checkpoint_field_out_of_range_is_refused(field, value):
    meta = json.loads(json.dumps(META))
    where, _, key = field.rpartition(".")
    (meta[where] if where else meta)[key] = value
    with pytest.raises(InputError, match=f"checkpoint field {field} has the wrong type or value"):
        checkpoint.check(checkpoint.Checkpoint(meta, []))
    checkpoint.check(checkpoint.Checkpoint(META, []))


def test_a_checkpoint_of_another_version_or_other_weights_is_refused_but_a_refetch_is_not():
    from types import SimpleNamespace

    ckpt = checkpoint.Checkpoint({**META, "weights_content_sha256": "c" * 64}, [])
    with pytest.raises(InputError, match="made by jaxart 1.0, this is jaxart 2.0"):
        checkpoint.check(ckpt, version="2.0")
    other = SimpleNamespace(sha256="b" * 64, content_sha256="d" * 64)
    with pytest.raises(InputError, match="made with other weights"):
        checkpoint.check(ckpt, version="1.0", weights=other)
    checkpoint.check(ckpt, weights=SimpleNamespace(sha256="b" * 64, content_sha256="c" * 64))  # same tensors
    untagged = SimpleNamespace(sha256="b" * 64, content_sha256="")  # neither records its tensors
    with pytest.raises(InputError, match="made with other weights"):
        checkpoint.check(checkpoint.Checkpoint({**META, "weights_content_sha256": ""}, []), weights=untagged)


def test_a_checkpoint_of_another_format_or_dtype_is_refused(tmp_path):
    carry = _carry("lbfgs")[0]
    path = checkpoint.save(tmp_path / "c.ckpt.npz", carry, {})
    with np.load(path) as z:
        arrays = dict(z)
    meta = json.loads(str(arrays["meta"]))
    arrays["meta"] = np.array(json.dumps({**meta, "checkpoint_format": checkpoint.FORMAT + 1}))
    np.savez(tmp_path / "next.ckpt.npz", **arrays)
    # It said "not 2" of a format 3, though format 1 reads too, and "format None" of a file without one.
    with pytest.raises(InputError, match=f"has checkpoint format {checkpoint.FORMAT + 1}, where this jaxart reads 1 "
                       "and 2; resume it with the jaxart that made it"):
        checkpoint.load(tmp_path / "next.ckpt.npz")
    arrays["meta"] = np.array(json.dumps({k: v for k, v in meta.items() if k != "checkpoint_format"}))
    np.savez(tmp_path / "none.ckpt.npz", **arrays)
    with pytest.raises(InputError, match="has no checkpoint format, where this jaxart reads 1 and 2"):
        checkpoint.load(tmp_path / "none.ckpt.npz")
    ckpt = checkpoint.load(path)
    wide = [a.astype(np.float64) if a.dtype == np.float32 else a for a in ckpt.leaves]
    with pytest.raises(InputError, match="float64.* where this run has float32"):
        checkpoint.restore(carry, ckpt._replace(leaves=wide))
