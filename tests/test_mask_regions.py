"""A colour mask's regions: matched block by block to the same values as matched whole, in memory
that does not grow with the mask beyond the result."""

import subprocess
import sys

import jax
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import guided, mask_regions
from jaxart.config import StyleConfig


def _reference(mask: np.ndarray, colors: np.ndarray, tolerance: float = mask_regions.TOLERANCE) -> np.ndarray:
    """The regions in float64, as `region_masks` matched a whole mask before it went by blocks."""
    x, c = np.asarray(mask, np.float64) * 255.0, np.asarray(colors, np.float64)
    d = np.linalg.norm(x[None] - c[:, None, None], axis=-1)
    r = np.arange(len(c))[:, None, None]
    hard = ((r == d.argmin(0)[None]) & (d <= tolerance)).astype(np.float64)
    off, share = np.full(d.shape[1:], np.inf), np.zeros(d.shape)
    for a, b in zip(*np.triu_indices(len(c), 1)):
        ab = c[b] - c[a]
        t = np.clip((x - c[a]) @ ab / (ab @ ab), 0.0, 1.0)
        o = np.linalg.norm(x - c[a] - t[..., None] * ab, axis=-1)
        closer = o < off
        pair = (r == a) * (1.0 - t[None]) + (r == b) * t[None]
        off, share = np.where(closer, o, off), np.where(closer[None], pair, share)
    blend = (d.min(0) > tolerance) & (off <= tolerance)
    return np.where(blend[None], share, hard)


def _soft_mask(lift=(0, 25, 50, 75, 0)) -> np.ndarray:
    """(15, 16, 3) in [0, 1]: red fading to blue along the columns, lifted off that line by `lift` of
    green along the rows (hard, blended and unmatched pixels, none within 2 of the tolerance)."""
    k, g = np.meshgrid(np.arange(16), np.repeat(lift, 3), indexing="xy")
    rgb = np.stack([255 - 17 * k, g, 17 * k], axis=-1)
    rgb[-3:, -4:] = (0, 255, 0)  # a lime corner
    return rgb.astype(np.float32) / 255.0


@pytest.mark.parametrize("names", [("red",), ("red", "blue"), ("red", "blue", "lime")])
@pytest.mark.parametrize("block", [mask_regions.BLOCK, 40])  # whole, and 2 rows at a time with a short last block
def test_regions_match_a_float64_reference_block_by_block(monkeypatch, names, block):
    monkeypatch.setattr(mask_regions, "BLOCK", block)
    mask, colors = _soft_mask(), guided.parse_colors(names)
    got, want = guided.region_masks(mask, colors), _reference(mask, colors)
    assert got.shape == want.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, want, atol=1e-6)
    kinds = [(want > 0) & (want < 1), want == 1, want.sum(0) == 0]  # blended, hard and unmatched pixels
    assert kinds[1].any() and (kinds[0].any() or len(names) == 1) and (kinds[2].any() or len(names) == 3)


def test_masks_resized_block_by_block_are_the_resized_regions(monkeypatch, tmp_path):
    """load_masks resizes each block's rows as it matches it: the same as resizing the whole regions."""
    path = tmp_path / "m.png"
    Image.fromarray(np.round(_soft_mask((0, 25, 50, 0, 0)) * 255).astype(np.uint8)).save(path)
    config = StyleConfig(mask=str(path), region_colors=("red", "blue", "lime"))
    whole = mask_regions.load_masks(config, (15, 16, 3), 3)
    monkeypatch.setattr(mask_regions, "BLOCK", 40)
    for shape in [(13, 14), (14, 15), (15, 16), (29, 31), (45, 48)]:
        want = jax.image.resize(whole, (3, *shape), "linear", antialias=True)
        np.testing.assert_allclose(mask_regions.load_masks(config, shape, 3), want, atol=1e-6)


def test_matching_a_large_mask_holds_little_beyond_its_regions():
    """A 4000x3000 mask over a phone photo took ~120 bytes a pixel to match (1.3 GiB with 3 colours):
    here a 1600x1200 one may lift peak memory by its (3, H, W) float32 result and 32 MiB, not 220 MiB."""
    code = """if True:
        import resource
        import numpy as np
        from jaxart import guided
        x = np.zeros((1200, 1600, 3), np.float32)
        x[:, :500, 0] = x[:, 500:1000, 2] = x[:, 1000:, 1] = 1.0
        x[:, 480:520] = np.linspace([1, 0, 0], [0, 0, 1], 40, dtype=np.float32)  # a soft edge
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        regions = guided.region_masks(x, guided.parse_colors(["red", "blue", "lime"]))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert np.allclose(regions.sum(0), 1)
        print((after - before) * 1024 - regions.nbytes)
    """
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) < 32 * 2**20


def test_a_pixel_near_two_similar_colours_belongs_to_the_nearer_alone():
    """Region colours 55 apart (red and a dark red) leave pixels within the tolerance of both: such a
    pixel counted in both regions, so both paintings pulled at it and the regions summed to 2."""
    mask = np.array([[[230, 0, 0], [210, 0, 0], [255, 0, 0]]], np.float32) / 255
    regions = guided.region_masks(mask, [[255, 0, 0], [200, 0, 0]])
    np.testing.assert_array_equal(regions[:, 0], [[1, 0, 1], [0, 1, 0]])


@pytest.mark.parametrize("mask", ["finer", "noise"])
def test_masks_of_float_or_many_colours_match_the_reference_too(mask):
    """Each distinct colour is matched once and looked up: a float mask's colours, finer than the
    lookup's 16 bits a channel, and a mask of more colours than the lookup holds are matched pixel by pixel."""
    x = (_soft_mask() + np.float32(3e-7) * np.arange(16, dtype=np.float32)[:, None] if mask == "finer" else
         np.random.default_rng(0).random((300, 300, 3), np.float32))
    colors = guided.parse_colors(["red", "blue", "lime"])
    np.testing.assert_allclose(guided.region_masks(x, colors), _reference(x, colors), atol=1e-6)


def test_every_scale_of_a_run_or_a_sweep_takes_its_regions_from_one_read_of_the_mask(monkeypatch, tmp_path,
                                                                                      tiny_vgg16):
    """Coarse to fine read and matched the mask again at every scale, and a sweep once more for each
    further painting scale: 1.2-1.7 s and ~300 MiB a time for a 12-megapixel mask. One read gives
    every scale the regions a read at that scale gave."""
    path = tmp_path / "m.png"
    Image.fromarray(np.round(_soft_mask((0, 25, 50, 0, 0)) * 255).astype(np.uint8)).save(path)
    config = StyleConfig(mask=str(path), region_colors=("red", "blue", "lime"))
    reads, load_image = [], mask_regions.load_image
    monkeypatch.setattr(mask_regions, "load_image", lambda *a, **k: reads.append(a[0]) or load_image(*a, **k))
    rng = np.random.default_rng(0)
    photo, paintings = rng.random((30, 32, 3), np.float32), list(rng.random((3, 8, 8, 3), np.float32))
    config = config.replace(size=32, scales=(16, 32), steps=1, optimizer="adam", content_layers=("relu1_1",),
                            style_layers=("relu1_1",))  # shallow and short: what is counted is the reads
    jaxart.run(photo, paintings, weights=tiny_vgg16, config=config)
    assert reads == [str(path)]
    jaxart.sweep.sweep(photo, paintings, tiny_vgg16, config, jaxart.sweep.grid(style_scales=(1.0, 2.0)))
    assert reads == [str(path)] * 2
    shapes = [(13, 14), (29, 31), (45, 48, 3)]
    each = [mask_regions.load_masks(config, s, 3) for s in shapes]
    for once, alone in zip(mask_regions.scaled_masks(config, shapes, 3), each):
        np.testing.assert_array_equal(once, alone)
