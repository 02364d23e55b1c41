"""Targets know the architecture that made them (`Targets.arch`, in the tree structure, no leaf): VGG16's layers are
VGG19's first ones, of the same widths, so a VGG16 loss took VGG19's targets and measured its features against
another network's, a wrong loss silently (the photo itself far from its own content). Refused at trace time, so
total_loss stays jittable."""

import jax
import numpy as np
import pytest

import jaxart
from jaxart.objective import loss_function

IMAGE = np.random.default_rng(0).random((16, 16, 3), dtype=np.float32)
CONFIG = jaxart.StyleConfig(size=16, conv="direct", content_layers=("relu2_1",), style_layers=("relu1_1",))
SAID = ("targets were made with vgg19 weights, the loss's weights are vgg16, whose features differ; make the targets "
        "with these weights (make_targets)")


def test_a_vgg16_loss_refuses_vgg19_targets_at_trace_time(tiny_vgg16):
    w16 = tiny_vgg16
    # A VGG19 of other weights: VGG16's scaled, and the fourth convolution of stages 3-5 that VGG16 lacks.
    params = jax.tree.map(lambda a: 1.5 * a, w16.params)
    w19 = w16.replace(arch="vgg19", params={**params, **{f"conv{b}_4": params[f"conv{b}_3"] for b in (3, 4, 5)}})
    made = jax.jit(jaxart.make_targets, static_argnums=3)(w19, IMAGE, [IMAGE[::-1]], CONFIG)
    lw = jaxart.LossWeights.of(CONFIG)
    loss = jax.jit(jaxart.total_loss, static_argnums=3)
    for call in (lambda: jaxart.total_loss(w16, IMAGE, made, CONFIG, lw), lambda: loss(w16, IMAGE, made, CONFIG, lw),
                 lambda: loss_function(w16, made, CONFIG, lw)(IMAGE)):
        with pytest.raises(ValueError) as e:
            call()
        assert str(e.value) == SAID
    assert made.arch == "vgg19" and jax.tree.leaves(made.arch) == []
    assert jax.tree.map(lambda a: a * 2, made).arch == "vgg19"  # kept by tree maps (device_put, casts)
    # Built by hand (examples/feedforward.py), targets are the caller's to pair, unchecked: the photo, against these,
    # is far from its own content, where its own weights' targets put it at 0.
    by_hand = jaxart.Targets(*made[:2])
    assert by_hand.arch is None and loss(w16, IMAGE, by_hand, CONFIG, lw)[1]["content"] > 0.1
