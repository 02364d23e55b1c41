"""Every StyleConfig field is said to be read by the loss or not (`objective.IN_LOSS`, `NOT_IN_LOSS`), and
`loss_config` resets only what the loss never reads: one field wrongly reset would give runs the loss of its
default (silently), one wrongly kept only compiles more."""

import dataclasses

import jax
import numpy as np
import pytest

from jaxart.config import StyleConfig
from jaxart.objective import IN_LOSS, NOT_IN_LOSS, compute_targets, loss_config, make_targets, total_loss

FIELDS = [f.name for f in dataclasses.fields(StyleConfig)]
BASE = StyleConfig(size=16, conv="direct", content_layers=("relu2_2",), style_layers=("relu1_1", "relu2_1"))
# Another value of each field than BASE's: a new field needs one here, as it needs a place in one of the tuples.
OTHER = dict(
    size=32, steps=7, content_layers=("relu1_2",), style_layers=("relu1_1",), style_layer_weights=(1.0, 3.0),
    content_weight=2.0, style_weight=3.0, tv_weight=4.0, style_blend=(1.0, 3.0), pooling="avg", optimizer="adam",
    linesearch="zoom", lbfgs_memory=3, learning_rate=0.5, loop="scan", chunk=3, init="random", seed=5, remat=True,
    conv="winograd", colors="luminance", match_luminance=False, style_scale=2.0, margin=0, scales=(16, 32),
    start_size=16, scale_steps=(3, 4), mask="mask.png", region_colors=("red", "blue"), keep_colors=("green",),
)
# Not read, but kept: each scale of a sweep has its own step (objective.IN_LOSS's comment).
KEPT_UNREAD = {"size"}

_rng = np.random.default_rng(0)
IMAGE, PHOTO = _rng.random((2, 16, 16, 3), np.float32)
PAINTINGS = list(_rng.random((2, 16, 16, 3), np.float32))  # two, so that a style blend matters


def test_every_field_is_in_exactly_one_of_the_two_tuples():
    assert sorted(IN_LOSS + NOT_IN_LOSS) == sorted(FIELDS), (
        "place each StyleConfig field in objective.IN_LOSS (the loss or its targets read it) or NOT_IN_LOSS, once")
    assert sorted(OTHER) == sorted(FIELDS), "give each StyleConfig field another value in OTHER, to test it"


_PROGRAMS = {}


def _program(weights, config: StyleConfig):
    """The loss of IMAGE against the targets of PHOTO and PAINTINGS under `config`, as traced: its jaxpr and the
    values of its constants (a blend's weights are one), which together give its value."""
    if config not in _PROGRAMS:  # the fixture's weights are the same every time
        _PROGRAMS[config] = _traced(weights, config)
    return _PROGRAMS[config]


def _traced(weights, config: StyleConfig):
    def loss(w, image, photo, paintings):
        return total_loss(w, image, make_targets(w, photo, paintings, config), config, (1.0, 1.0, 1.0))[0]

    closed = jax.make_jaxpr(loss)(weights, IMAGE, PHOTO, PAINTINGS)
    return str(closed.jaxpr), tuple(np.asarray(c).tobytes() for c in closed.consts)


@pytest.mark.parametrize("field", NOT_IN_LOSS)
def test_a_field_the_loss_does_not_read_shares_one_compiled_step(field):
    assert loss_config(BASE.replace(**{field: OTHER[field]})) == loss_config(BASE)


@pytest.mark.parametrize("field", FIELDS)
def test_loss_config_leaves_the_loss_as_it_was(field, tiny_vgg16):
    """The guard against a field wrongly in NOT_IN_LOSS: reset, the loss would read its default instead."""
    config = BASE.replace(**{field: OTHER[field]})
    assert _program(tiny_vgg16, loss_config(config)) == _program(tiny_vgg16, config), (
        f"loss_config resets {field}, which the loss reads: move it to objective.IN_LOSS")


@pytest.mark.parametrize("field", sorted(set(IN_LOSS) - KEPT_UNREAD))
def test_a_field_said_to_be_read_changes_the_loss(field, tiny_vgg16):
    """Else it belongs in NOT_IN_LOSS, where runs differing in it would share one compiled step."""
    assert _program(tiny_vgg16, BASE.replace(**{field: OTHER[field]})) != _program(tiny_vgg16, BASE)


@pytest.mark.parametrize("field", FIELDS)
def test_compute_targets_reads_what_make_targets_reads(field, tiny_vgg16):
    """compute_targets keeps only the fields its programs read (targets.py's `read`): one they read and it
    dropped would give every run the targets of that field's default."""
    config = BASE.replace(**{field: OTHER[field]})
    want = make_targets(tiny_vgg16, PHOTO, PAINTINGS, config)
    got = compute_targets(tiny_vgg16, PHOTO, PAINTINGS, config)
    # Two programs sum in different orders: under jaxlib 0.11.2 a 0.044 of `pooling` was 5.6e-6 (1.3e-4) off.
    # A dropped field's default targets are far off: with BASE's as `got`, the same 4 fields fail at atol 1e-5
    # as at 1e-6.
    jax.tree.map(lambda g, w: np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5), got, want)
