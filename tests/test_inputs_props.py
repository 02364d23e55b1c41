"""A run's inputs, checked on the arrays alone (no run): the size each is brought to, the photo's
least size, and the pixels the optimizer starts from, seeded as documented."""

import jax
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import inputs
from jaxart.errors import InputError

PHOTO = np.random.default_rng(0).random((24, 32, 3), dtype=np.float32)
PAINTING = np.random.default_rng(1).random((30, 40, 3), dtype=np.float32)


def test_the_photo_is_checked_at_its_size_and_style_scale_sizes_the_paintings():
    photo, (painting,) = inputs.sized_inputs(PHOTO, [PAINTING], jaxart.StyleConfig(size=32, style_scale=2.0))
    assert photo.shape == (24, 32, 3) and painting.shape == (48, 64, 3)
    with pytest.raises(InputError, match="too small for layer relu5_1"):  # 16 px of 4:3 is 16x12
        inputs.sized_inputs(PHOTO, [PAINTING], jaxart.StyleConfig(size=16))


def test_the_start_has_the_photos_shape_and_an_init_file_is_stretched_to_it(tmp_path):
    path = tmp_path / "start.png"
    Image.new("RGB", (10, 10), (255, 0, 0)).save(path)
    start = inputs.initial_image(PHOTO, jaxart.StyleConfig(size=32, init=str(path)))
    assert start.shape == PHOTO.shape
    np.testing.assert_allclose(start[..., 0], 1.0)
    with pytest.raises(ValueError, match="starting image is"):
        inputs.starting_image(PHOTO, jaxart.StyleConfig(size=32), x0=PHOTO[..., :1])


def test_random_starts_follow_the_seed_as_prngkey_does_for_every_64_bit_seed():
    noise = lambda seed: np.asarray(inputs.initial_image(PHOTO, jaxart.StyleConfig(init="random", seed=seed)))  # noqa: E731
    assert not np.array_equal(noise(1), noise(2))
    np.testing.assert_array_equal(noise(7), noise(7))
    for seed in (0, 5, 2**32 - 1):
        np.testing.assert_array_equal(jax.random.key_data(inputs.seed_key(seed)), jax.random.PRNGKey(seed))
    data = lambda seed: tuple(np.asarray(jax.random.key_data(inputs.seed_key(seed))))  # noqa: E731
    assert data(2**32) != data(0) and data(-1) != data(2**32 - 1) and data(2**32 + 3) == (1, 3)


def test_sizing_a_large_photo_never_copies_it_whole():
    """A phone's 12-megapixel photo is 145 MB as float32: the run holds it as read, and checking it (a second
    copy, held for the run) and resizing it (a NaN-free copy, its masks and each channel's) lifted a 64 px run's
    peak from 415 to 1058 MB (load_image's own peak aside). One channel's copy at a time is 1/3 of it."""
    import tracemalloc

    photo = np.random.default_rng(2).random((600, 800, 3), dtype=np.float32)
    tracemalloc.start()
    try:
        sized, _, (painting,) = inputs.prepared_inputs(photo, [PAINTING], jaxart.StyleConfig(size=32))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sized.shape == (24, 32, 3) and painting.shape[1] == 32
    assert peak < 0.6 * photo.nbytes, peak / photo.nbytes
