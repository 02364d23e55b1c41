"""Targets know the size of the photo that made them (`Targets.size`, in the tree structure, no leaf): a smaller or
larger image can give the content layers the same shape (21 and 20 px both give 10x10 at relu2_1), and total_loss
then measured it against the photo's activations position by position, a wrong content loss silently. Refused at
trace time, so total_loss stays jittable; checkpoints hold no targets, so those from before still resume."""

import jax
import numpy as np
import pytest

import jaxart
from jaxart import checkpoint, optimize
from jaxart.objective import loss_function
from jaxart.targets import compute_targets

RNG = np.random.default_rng(0)
PHOTO = RNG.random((20, 20, 3), dtype=np.float32)
IMAGE = RNG.random((21, 21, 3), dtype=np.float32)  # relu2_1 10x10, as the photo's
CONFIG = jaxart.StyleConfig(size=20, conv="direct", content_layers=("relu2_1",), style_layers=("relu1_1",))
SAID = ("the image is 21x21 px, the photo the targets were made of 20x20 px; give an image of the photo's size, or "
        "make the targets of a photo of this size")


def test_an_image_of_another_size_with_the_photos_content_shape_is_refused_at_trace_time(tiny_vgg16):
    w, lw = tiny_vgg16, jaxart.LossWeights.of(CONFIG)
    made = jax.jit(jaxart.make_targets, static_argnums=3)(w, PHOTO, [PHOTO[::-1]], CONFIG)
    loss = jax.jit(jaxart.total_loss, static_argnums=3)
    for call in (lambda: jaxart.total_loss(w, IMAGE, made, CONFIG, lw), lambda: loss(w, IMAGE, made, CONFIG, lw),
                 lambda: loss_function(w, made, CONFIG, lw)(IMAGE)):
        with pytest.raises(ValueError) as e:
            call()
        assert str(e.value) == SAID
    assert made.size == (20, 20) and jax.tree.leaves(made.size) == []
    assert jax.tree.map(lambda a: a * 2, made).size == (20, 20)  # kept by tree maps (device_put, casts)
    assert compute_targets(w, PHOTO, [PHOTO[::-1]], CONFIG).size == (20, 20)  # a run's targets
    # The photo's own size is measured as before: the photo against its own targets has no content loss.
    assert float(loss(w, PHOTO, made, CONFIG, lw)[1]["content"]) == 0.0
    # Built by hand (examples/feedforward.py), targets are the caller's to pair, unchecked.
    assert jaxart.Targets(*made[:2]).size is None and loss(w, IMAGE, jaxart.Targets(*made[:2]), CONFIG, lw)


def test_style_only_targets_without_masks_fit_any_size(tiny_vgg16):
    """A painting's Grams compare no positions: texture of any size against them is the paper's style loss."""
    config = CONFIG.replace(content_layers=())
    made = jaxart.make_targets(tiny_vgg16, PHOTO, [PHOTO[::-1]], config)
    total, terms = jaxart.total_loss(tiny_vgg16, IMAGE, made, config, (1.0, 1.0, 1.0))
    assert made.size == (20, 20) and float(terms["style"]) > 0


def test_a_checkpoint_from_before_targets_held_the_size_resumes(tiny_vgg16, tmp_path):
    """A run saves its optimizer's carry, not its targets: one of a loss whose targets had no size (as every run's
    before) restores into a run whose targets have one, to the same pixels."""
    w, lw, opt = tiny_vgg16, jaxart.LossWeights.of(CONFIG), optimize.make_optimizer("lbfgs")
    made = jaxart.make_targets(w, PHOTO, [PHOTO[::-1]], CONFIG)
    before = optimize.init_carry(loss_function(w, made._replace(size=None), CONFIG, lw), opt, PHOTO[::-1])
    path = checkpoint.save(tmp_path / "run.ckpt.npz", before, {"step": 0})
    restored = checkpoint.restore(optimize.init_carry(loss_function(w, made, CONFIG, lw), opt, PHOTO),
                                  checkpoint.load(path), finite=False)  # a fresh carry's aux is NaN
    np.testing.assert_array_equal(restored.params, PHOTO[::-1])
