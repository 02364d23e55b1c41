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
