"""A region mask's size in the memory estimate: a mask is often drawn larger than the photo it covers."""

import pytest

from jaxart import footprint, memory, model_choice
from jaxart.config import StyleConfig

from conftest import run_main, stylize_argv, write_tiny_job
from test_controls_spatial import _halves

PHOTO = (768, 1024)  # tubingen.jpg, and each region's painting as read: starry_night, shipwreck, the_scream
PAINTINGS = {"red": (640, 1024), "blue": (662, 960), "lime": (1528, 1200)}


def _estimate(size, regions, mask, scales=None):
    colors = ("red", "blue", "lime")[:regions]
    config = StyleConfig(size=size, mask="m.png", region_colors=colors, **({"scales": scales} if scales else {}))
    return footprint.files_bytes(config, "vgg16", PHOTO, [PAINTINGS[c] for c in colors], mask=mask)


def test_a_mask_read_before_the_run_compiles_does_not_add_to_its_peak():
    """Reading and matching a mask is done, and freed, before the run's targets: a 512 px run peaked at
    1247 MiB with a 1024x768 mask and 1288 with a 4000x3000 one, yet the estimate added the mask's 12
    megapixels to the run's, ~300 MiB more (BENCHMARKS.md, "Region masks in the memory estimate")."""
    assert _estimate(512, 3, (3000, 4000)) == _estimate(512, 3, PHOTO)


def test_a_mask_large_enough_to_set_the_peak_counts_at_its_own_size():
    """files_bytes took the mask to be the photo's size: a mask of a camera's 108 megapixels over a
    1024x768 photo was counted as 0.8 megapixels, not the 2 GiB and more that decoding it holds."""
    photo_sized, small, huge = (_estimate(512, 2, m) for m in [PHOTO, (192, 256), (9000, 12000)])
    assert small == photo_sized  # the run, not the mask, sets these
    assert huge >= (334 << 20) + 20 * 9000 * 12000  # measured: Python, jaxlib, the weights, 19-21 bytes a pixel


# Peak RSS (MiB) of 3-step vgg16-hed runs of tubingen.jpg, one painting per region (red=starry_night,
# blue=shipwreck, lime=the_scream), cold or warm compile cache, on a 2-core machine under load 5-19: (size, regions,
# the mask's (height, width), --scales) -> the most of the runs (2026-12-06; BENCHMARKS.md, "Region masks in the
# memory estimate"). At 6000x4500 reading the mask set the peak.
MASK_PEAKS_MIB = {(256, 2, (768, 1024), None): 764, (256, 3, (768, 1024), None): 852,
                  (256, 2, (1500, 2000), None): 750, (256, 3, (1500, 2000), None): 816,
                  (256, 2, (3000, 4000), None): 761, (256, 3, (3000, 4000), None): 845,
                  (256, 2, (4500, 6000), None): 916, (256, 3, (4500, 6000), None): 875,
                  (512, 3, (768, 1024), None): 1247, (512, 3, (3000, 4000), None): 1288,
                  (512, 3, (4500, 6000), None): 1250, (256, 3, (3000, 4000), (128, 256)): 926,
                  (256, 3, (4500, 6000), (128, 256)): 911}


@pytest.mark.parametrize("case", list(MASK_PEAKS_MIB))
def test_the_estimate_covers_each_masked_runs_peak_and_not_needlessly_far(case):
    # Under, a run the check let through can crash; far over, it refuses runs that would fit.
    peak = MASK_PEAKS_MIB[case] * 2**20
    estimate = _estimate(*case)
    assert peak <= estimate <= 1.4 * peak, (estimate / 2**20, peak / 2**20)


def test_the_cli_refuses_a_run_that_fits_only_if_the_mask_were_the_photos_size(tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path)
    _halves(d / "m.png", size=(1600, 1200))  # the photo's 40x30, 1600 times the pixels
    # A mask this small sets no real run's peak; the bytes a pixel raised so that it sets this one's, a check
    # that the CLI passes the mask's own size, not the photo's, with no 100-megapixel file to write.
    monkeypatch.setattr(footprint, "MASK_PIXEL_BYTES", 1000)
    config = StyleConfig(size=32, mask=str(d / "m.png"), region_colors=("red", "blue"))
    photo_sized = footprint.files_bytes(config, model_choice.model_arch(model), (30, 40), [(20, 20)] * 2)
    monkeypatch.setattr(memory, "available_bytes", lambda: photo_sized + 8 * 2**20)
    argv = stylize_argv((d, model), tmp_path / "out.png")
    argv = [a for a in argv if a != str(d / "paint.png")]
    code, _, err = run_main([*argv, "--mask", str(d / "m.png"), "--region-style", f"red={d / 'paint.png'}",
                             "--region-style", f"blue={d / 'paint.png'}"], monkeypatch, capsys)
    assert code == 2 and "needs about" in err and "is free" in err, err
    assert not (tmp_path / "out.png").exists()
