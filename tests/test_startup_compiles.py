"""What a run compiles before its first step: loading weights nothing, the targets of one painting their
two programs alone. Each small program compiled once per shape (0.005-0.1 s each): the Quick start's first
run compiled 40 programs where 20 do (the others: BENCHMARKS.md, "What a run compiles").
The weights' widths here are odd, so that no other test has compiled programs of these shapes."""

import logging

import jax
import numpy as np
import pytest

import jaxart
from jaxart import losses, targets, vgg
from jaxart.weights import store
from test_weights import layer_arrays

WIDTHS = (3, 5, 6, 7, 9)


def _compiled(fn) -> tuple[object, list[str]]:
    """`fn()` and the names of the programs XLA compiled (or found in the persistent cache) meanwhile."""
    names = []

    class Names(logging.Handler):
        def emit(self, record):
            if (text := record.getMessage()).startswith("Finished XLA compilation of "):
                names.append(text.split()[4])

    handler, log = Names(), logging.getLogger("jax._src.dispatch")
    log.addHandler(handler)
    try:
        with jax.log_compiles():
            return fn(), names
    finally:
        log.removeHandler(handler)


def test_loading_weights_compiles_nothing(tmp_path):
    """Every layer's kernel and bias went to the device by `jnp.asarray`: a program per shape, 14 of them
    for VGG16, compiled again by every run."""
    path = tmp_path / "odd.safetensors"
    store.save(layer_arrays("vgg16", WIDTHS), path, arch="vgg16", preprocess=vgg.Preprocess())
    w, compiled = _compiled(lambda: store.load(path))
    assert compiled == []
    kernel = w.params["conv2_1"]["kernel"]
    assert isinstance(kernel, jax.Array) and kernel.dtype == np.float32
    np.testing.assert_array_equal(kernel, layer_arrays("vgg16", WIDTHS)["conv2_1"]["kernel"])


@pytest.mark.parametrize("blend, widths", [(None, WIDTHS), ((2.0,), (3, 5, 6, 7, 10))], ids=["default", "given"])
def test_one_paintings_targets_compile_their_two_programs_and_keep_its_grams(blend, widths, rng):
    """One painting's Grams were blended as 1 x G + 0 by single operations, two programs compiled per
    layer's shape (0.1 s of the Quick start's first run on a quiet 2-core machine, up to 0.8 s on a busy one),
    for Grams equal to the painting's own."""
    w = jaxart.random_weights(jax.random.PRNGKey(2), "vgg16", widths=widths)
    photo, painting = (rng.random((40, 36, 3), dtype=np.float32) for _ in range(2))
    config = jaxart.loss_config(jaxart.StyleConfig(size=40, conv="direct", style_blend=blend))
    out, compiled = _compiled(lambda: targets.compute_targets(w, photo, [painting], config))
    assert sorted(compiled) == ["jit(_content_features)", "jit(_style_grams)"]
    read = jaxart.StyleConfig(content_layers=config.content_layers, style_layers=config.style_layers,
                              pooling=config.pooling, conv="direct")
    own = targets._programs()[1](w, painting, read)  # the painting's Grams, by the program that took them
    assert set(out.grams) == set(own)
    for k in own:
        np.testing.assert_array_equal(out.grams[k], own[k])


def test_several_paintings_are_still_blended_by_their_shares(rng):
    grams = [{"g": rng.random((4, 4), dtype=np.float32)} for _ in range(2)]
    blended = losses.blend_grams(grams, (3.0, 1.0))["g"]
    np.testing.assert_allclose(blended, 0.75 * grams[0]["g"] + 0.25 * grams[1]["g"], rtol=1e-6)
