"""What a sweep checks before any step: its grid (no two identical images, no all-zero setting, at
most 10,000 settings), a mask as a run does, and the memory a batch needs, naming a count or size that fits."""

import jax
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import footprint, sweep

from test_sweep import CONFIG, GRID


def test_sweep_checks_a_mask_as_a_run_does(tmp_path):
    """A sweep refused every mask by name; it now takes one (test_sweep_mask.py) and refuses what a run
    refuses of it, region colours without a mask here."""
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(tmp_path / "mask.png")
    sweep.check(CONFIG.replace(mask=str(tmp_path / "mask.png"), region_colors=("black",)), GRID)
    with pytest.raises(ValueError, match="region styles need mask"):
        sweep.check(CONFIG.replace(region_colors=("black",)), GRID)
    with pytest.raises(ValueError, match="grid is empty"):
        sweep.check(jaxart.StyleConfig(), [])


def test_a_sweep_refuses_settings_that_give_identical_images():
    with pytest.raises(ValueError, match="is listed twice, which would give two identical images"):
        sweep.check(CONFIG, [GRID[0], GRID[1], GRID[0]])
    zero, negative_zero = GRID[0]._replace(tv_weight=0.0), GRID[0]._replace(tv_weight=-0.0)
    with pytest.raises(ValueError, match=r"^the setting style 1, content 1, tv -0 is the same as the setting style 1, "
                                         r"content 1, tv 0, which"):
        sweep.check(CONFIG, [zero, negative_zero])  # not "tv -0 is listed twice"
    # A style scale of None is the config's: the same run as the config's scale given (two identical tiles).
    left, given = sweep.Setting(10.0, 1.0, 10.0), sweep.Setting(10.0, 1.0, 10.0, 0, CONFIG.style_scale)
    with pytest.raises(ValueError, match=r"^the setting style 10, content 1, tv 10, style scale 1 is the same as the "
                                         r"setting style 10, content 1, tv 10, which"):
        sweep.check(CONFIG, [left, given])
    sweep.check(CONFIG.replace(style_scale=2.0), [left, given])  # there None is 2: two paintings' sizes
    with pytest.raises(ValueError) as e:  # from Python: the config field to change, and the flag for the CLI
        sweep.check(CONFIG.replace(init="content"), GRID)
    assert str(e.value).startswith("seeds 0,1 would give identical images: a seed only sets a random start, and init "
                                   "is 'content'; use init='random'"), e.value
    sweep.check(CONFIG, GRID)  # with a random start each seed is its own image


def test_a_bad_setting_of_a_grid_is_named():
    """An all-zero setting refused the grid without saying which of its settings it was."""
    grid = sweep.grid([0.0, 1.0], [0.0, 1.0], [0.0])
    with pytest.raises(ValueError, match=r"^content-weight, style-weight and tv-weight are all 0"):
        sweep.check(CONFIG, grid)


def test_memory_check_scales_with_the_batch_and_names_what_fits():
    config = jaxart.StyleConfig(size=256)
    one, four = (sweep.check_memory(config, n, available=2**50) for n in (1, 4))
    # activations and optimizer state (of each image inside its margin) grow with the images per
    # device; runtime and weights do not
    seen = 256 + 2 * config.margin
    per_image = footprint.evaluation_bytes(seen, seen) + footprint.optimizer_bytes(seen, seen, config)
    assert four - one == (-(-4 // jax.local_device_count()) - 1) * per_image and four < 4 * one
    with pytest.raises(ValueError, match=r"sweep at most \d+ settings at a time, or use size=\d+ or smaller"):
        sweep.check_memory(config, 64, available=four)
    # as the 10,000-setting limit names its counts: "a sweep of 10000 settings" beside "10,100 ... more than 10,000"
    with pytest.raises(ValueError, match=r"^a sweep of 10,000 settings at 256 px needs about "):
        sweep.check_memory(config, 10_000, available=four)


def test_the_count_a_sweep_that_does_not_fit_is_told_to_use_fits_and_one_more_does_not():
    import re

    config = jaxart.StyleConfig(size=256)
    four = sweep.check_memory(config, 4, available=2**50)
    assert sweep.check_memory(config, 4, available=four) == four  # exactly the memory free fits
    with pytest.raises(ValueError) as e:
        sweep.check_memory(config, 64, available=four)
    most = int(re.search(r"sweep at most (\d+) settings", str(e.value))[1])
    sweep.check_memory(config, most, available=four)
    with pytest.raises(ValueError):
        sweep.check_memory(config, most + jax.local_device_count(), available=four)


def test_a_grid_of_max_settings_is_allowed_and_one_more_refused():
    assert len(sweep.grid(range(100), range(100))) == sweep.MAX_SETTINGS
    with pytest.raises(ValueError, match="more than 10,000"):
        sweep.grid(range(100), range(100), [1.0, 2.0])


def test_the_size_a_sweep_that_does_not_fit_is_told_to_use_fits():
    """The advice was "use a smaller --size", naming none: the user had to guess until one fitted."""
    import re

    config, free = jaxart.StyleConfig(size=256), 3 * 2**30
    with pytest.raises(ValueError, match=r"use size=\d+ or smaller$") as e:
        sweep.check_memory(config, 64, available=free, photo=(300, 400))
    side = int(re.search(r"size=(\d+) or smaller", str(e.value))[1])
    assert sweep.check_memory(config.replace(size=side), 64, available=free, photo=(300, 400)) <= free
    with pytest.raises(ValueError):
        sweep.check_memory(config.replace(size=side + 1), 64, available=free, photo=(300, 400))
