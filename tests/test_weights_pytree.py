"""Weights as a jit argument: a weight set's name and hashes are not part of jit's cache key, so a
second file of the same architecture, preprocessing and shapes reuses the compiled program; its
tensors, and the results computed from them, are its own."""

from __future__ import annotations

import dataclasses
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import objective, outcome, targets
from jaxart.vgg import Weights

from conftest import TINY

CONFIG = jaxart.StyleConfig(size=32, content_layers=("relu2_1",), style_layers=("relu1_1", "relu2_1"))


def _pair() -> tuple[Weights, Weights]:
    """Two tiny VGG16 weight sets with other tensors, names and hashes, as two files would load."""
    a = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    b = jaxart.random_weights(jax.random.PRNGKey(1), "vgg16", widths=TINY)
    return (a.replace(name="tiny-a", sha256="a" * 64, content_sha256="c" * 64),
            b.replace(name="tiny-b", sha256="b" * 64, content_sha256="d" * 64))


def _images(n: int = 2, side: int = 16) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.random((side, side, 3), dtype=np.float32) for _ in range(n)]


def test_a_second_weights_file_of_the_same_shapes_compiles_nothing_again():
    a, b = _pair()
    (image,) = _images(1)
    jax.clear_caches()
    f = jax.jit(lambda w, x: jaxart.features(w, x, ["relu2_1"])["relu2_1"].sum())
    f(a, image)
    f(b, image)
    f(a.replace(name="renamed", sha256="e" * 64), image)  # `jaxart weights normalize`'s copy: another name
    assert f._cache_size() == 1


def test_weights_of_another_architecture_or_preprocessing_still_compile_apart():
    a, _ = _pair()
    (image,) = _images(1)
    torch = jaxart.Preprocess("torch", (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    jax.clear_caches()
    f = jax.jit(lambda w, x: jaxart.features(w, x, ["relu1_1"])["relu1_1"])
    caffe_out, torch_out = f(a, image), f(a.replace(preprocess=torch), image)
    assert f._cache_size() == 2
    np.testing.assert_allclose(torch_out, jaxart.features(a.replace(preprocess=torch), image, ["relu1_1"])["relu1_1"],
                               rtol=1e-5, atol=1e-5)
    assert not np.allclose(caffe_out, torch_out)


def test_jaxarts_own_target_programs_compile_once_for_both_weights():
    a, b = _pair()
    photo, painting = _images(2)
    jax.clear_caches()
    for w in (a, b):
        targets.compute_targets(w, photo, [painting], CONFIG)
    assert [p._cache_size() for p in targets._programs()] == [1, 1]


def test_shared_program_computes_each_weights_own_result():
    a, b = _pair()
    (image,) = _images(1)
    f = jax.jit(lambda w, x: jaxart.features(w, x, ["relu2_1"])["relu2_1"])
    got_a, got_b = np.asarray(f(a, image)), np.asarray(f(b, image))
    for got, w in ((got_a, a), (got_b, b)):
        with jax.disable_jit():
            np.testing.assert_allclose(got, jaxart.features(w, image, ["relu2_1"])["relu2_1"], rtol=1e-4, atol=1e-3)
    assert not np.allclose(got_a, got_b)


def test_targets_and_final_loss_are_never_one_weights_result_for_the_other():
    """jaxart's memoized programs (targets, the final loss) take the weights as an input: sharing a
    compiled program must not share a result."""
    a, b = _pair()
    photo, painting = _images(2)
    jax.clear_caches()
    got = {w.name: targets.compute_targets(w, photo, [painting], CONFIG) for w in (a, b, a)}
    for w in (a, b):
        want = targets.make_targets(w, photo, [painting], CONFIG)
        jax.tree.map(lambda x, y: np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-6), got[w.name], want)
    assert not np.allclose(got["tiny-a"].grams["relu1_1"], got["tiny-b"].grams["relu1_1"])
    image = jnp.asarray(_images(1, 16)[0])
    loss = {w.name: outcome.final_terms(objective.loss_function(w, got[w.name], CONFIG, (1.0, 1.0, 0.0)),
                                        image)["total"] for w in (a, b)}
    for w in (a, b):
        assert loss[w.name] == pytest.approx(float(objective.total_loss(w, image, got[w.name], CONFIG, (1.0, 1.0, 0.0))[0]),
                                             rel=1e-4)
    assert loss["tiny-a"] != pytest.approx(loss["tiny-b"], rel=1e-3)


def test_runs_with_two_weights_give_each_its_own_picture():
    a, b = _pair()
    photo, painting = _images(2, 24)
    config = CONFIG.replace(size=24, steps=2)
    out_a, out_b, again = (jaxart.run(photo, [painting], weights=w, config=config) for w in (a, b, a))
    np.testing.assert_array_equal(out_a.image, again.image)
    assert not np.allclose(out_a.image, out_b.image)
    assert out_a.terms["total"] != pytest.approx(out_b.terms["total"], rel=1e-3)


def test_name_and_hashes_survive_tree_operations_outside_jit():
    """What run records, checkpoints and `info` read: each weights' own name and hashes, after the
    host-side tree operations jaxart and users apply (device_put in sweeps, astype for float64)."""
    a, b = _pair()
    jax.tree.map(lambda x: x, a)  # the first weights' tree seen, as a jit cache would hold it
    for w in (b, jax.device_put(b), jax.tree.map(lambda x: x.astype(jnp.float16), b)):
        assert (w.name, w.sha256, w.content_sha256, w.arch) == ("tiny-b", "b" * 64, "d" * 64, "vgg16")
    assert dataclasses.replace(b, name="x").params is b.params


@pytest.mark.parametrize("settings, said", [
    (dict(kind="torchvision"), "unknown preprocessing 'torchvision'; use 'caffe' or 'torch'"),
    (dict(kind="torch", mean=(0.5, 0.5), std=(1, 1, 1)), "Preprocess mean must be 3 finite numbers, one per channel"),
    (dict(kind="torch", mean=(0.5, 0.5, 0.5), std=(0.2, 0, 0.2)), "Preprocess std must be 3 finite numbers, one per "
                                                                  "channel, none 0"),
    (dict(mean=None), "Preprocess mean must be 3 finite numbers")])
def test_a_preprocess_that_cannot_run_is_refused_when_made(settings, said):
    """Each was accepted, then failed at the first trace (a NumPy reshape error for a mean of two values) or,
    for a std of 0, gave NaN activations without an error."""
    with pytest.raises(ValueError, match=re.escape(said)):
        jaxart.Preprocess(**settings)


def test_a_preprocess_of_numpy_or_list_values_holds_tuples_of_floats():
    made = jaxart.Preprocess("torch", np.array([0.485, 0.456, 0.406], np.float32), [0.229, 0.224, 0.225])
    assert all(type(v) is float for v in made.mean + made.std) and isinstance(made.std, tuple)
    assert jaxart.Preprocess.from_dict(made.to_dict()) == made
