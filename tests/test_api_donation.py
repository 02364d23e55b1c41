"""The optimizer's steps donate their carry (one set of image-sized buffers, not two): what a run hands a
library user must not be one of those buffers, or it is deleted a step later ("Array has been deleted")."""

import numpy as np

import jaxart

PHOTO = np.random.default_rng(0).random((16, 16, 3), dtype=np.float32)
PAINTING = np.random.default_rng(1).random((16, 16, 3), dtype=np.float32)


def test_a_callback_may_keep_the_images_it_is_given_without_a_margin(tiny_vgg16):
    """With margin 0 (and no colours or kept region) `p.image` was the carry's own pixels: every image a
    callback kept but the last was deleted by the next step, as a frames list read after the run found."""
    config = jaxart.StyleConfig(size=16, steps=2, margin=0, conv="direct", content_layers=("relu1_1",),
                                style_layers=("relu1_1",), loop="python")
    kept = []
    outcome = jaxart.run(PHOTO, [PAINTING], weights=tiny_vgg16, config=config,
                         callback=lambda p: kept.append((p.step, p.image)))
    assert [step for step, _ in kept] == [1, 2]
    frames = [np.asarray(image) for _, image in kept]  # raised RuntimeError: Array has been deleted
    np.testing.assert_array_equal(frames[-1], outcome.image)
    assert not np.array_equal(frames[0], frames[-1])  # each its own step's, not one buffer seen twice


def test_a_result_whose_carry_a_later_minimize_consumed_says_so():
    import jax
    import jax.numpy as jnp
    import pytest

    from jaxart import optimize

    def fun(x):
        return jnp.sum((x - 1.0) ** 2), None

    adam = optimize.make_optimizer("adam")
    first = optimize.minimize(fun, jnp.zeros(4, jnp.float32), adam, 2, loop="python")
    kept = jax.tree.map(jnp.copy, first.carry)  # what the message says to do
    later = optimize.minimize(fun, None, adam, 4, loop="python", carry=first.carry)
    consumed = r"^this Result's arrays \((params|carry)\) were consumed: a later minimize\(carry=result.carry\) donated"
    for read in (lambda: np.asarray(first.params), lambda: float(first.carry.value)):
        with pytest.raises(RuntimeError, match=consumed):  # was JAX's "Array has been deleted with shape=float32[4]"
            read()
    assert first.value == float(kept.value) and later.steps == 4 and np.asarray(kept.params).shape == (4,)
