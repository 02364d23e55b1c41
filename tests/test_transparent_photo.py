"""A transparent photo (a cut-out on a transparent ground) comes out as a painted cut-out: the written image, its
frames, a sweep's tiles and every format take the photo's alpha back, where they were a painted rectangle; an
opaque photo's stay RGB."""

import struct

import numpy as np
import pytest
from PIL import Image

import cli
import jaxart
from jaxart import job
from jaxart.transparency import photo_alpha

from conftest import write_tiny_job
from test_sweep_cli import _sweep_args


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d, model = write_tiny_job(tmp_path_factory.mktemp("transparent"))
    rgb = np.asarray(Image.open(d / "photo.jpg"))
    alpha = np.zeros((30, 40), np.uint8)
    alpha[:, 20:] = 255  # the right half the figure, the left half transparent
    Image.fromarray(np.dstack([rgb, alpha])).save(d / "cutout.png")
    Image.fromarray(np.dstack([rgb, np.full((30, 40), 255, np.uint8)])).save(d / "opaque.png")
    return d, jaxart.load_weights(model)


def _stylize(files, photo, out, fmt="png", **options):
    """test_job_beside's run (the program it compiles), of `photo`."""
    d, w = files
    config = jaxart.StyleConfig(size=32, steps=2, init="random")
    job.stylize_files(d / photo, [d / "paint.png"], out, config, w, fmt=fmt, **options)
    return Image.open(out)


@pytest.mark.parametrize("fmt, name", [("png", "out.png"), ("png16", "out.png"), ("tiff", "out.tif")])
def test_a_cut_out_photo_is_written_with_its_transparency(files, tmp_path, fmt, name):
    out = _stylize(files, "cutout.png", tmp_path / name, fmt)
    assert out.mode == "RGBA" and out.size == (32, 24)
    alpha = np.asarray(out.getchannel("A"), np.float32) / 255
    assert alpha[:, :14].max() < 0.02 and alpha[:, 18:].min() > 0.98  # Lanczos rings a pixel or two at the edge


def test_its_frames_are_cut_out_too(files, tmp_path):
    _stylize(files, "cutout.png", tmp_path / "out.png", save_every=1)
    frame = Image.open(tmp_path / "out_00001.png")
    assert frame.mode == "RGBA" and np.asarray(frame.getchannel("A"))[:, :14].max() < 5


def test_an_opaque_photo_gives_an_rgb_image(files, tmp_path):
    assert _stylize(files, "opaque.png", tmp_path / "out.png").mode == "RGB"
    assert _stylize(files, "photo.jpg", tmp_path / "plain.png").mode == "RGB"


@pytest.mark.parametrize("background", [(255, 255, 255), (0, 0, 0), (30, 200, 90)])
def test_the_alpha_is_read_over_any_background_and_from_a_palette_key(tmp_path, background):
    rgb = np.random.default_rng(1).integers(0, 256, (6, 8, 3), np.uint8)
    alpha = np.tile(np.linspace(0, 255, 8).round().astype(np.uint8), (6, 1))
    Image.fromarray(np.dstack([rgb, alpha])).save(tmp_path / "soft.png")
    photo = jaxart.load_image(tmp_path / "soft.png", background=background)
    got = photo_alpha(tmp_path / "soft.png", photo, background)
    np.testing.assert_allclose(got[..., 0], alpha / 255, atol=1.5 / 255)
    keyed = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    keyed.save(tmp_path / "keyed.gif", transparency=0)
    holes = np.asarray(keyed) == 0
    photo = jaxart.load_image(tmp_path / "keyed.gif", background=background)
    np.testing.assert_array_equal(photo_alpha(tmp_path / "keyed.gif", photo, background)[..., 0], ~holes)


def test_a_sweeps_tiles_are_cut_out_and_its_sheet_composited(files, tmp_path, monkeypatch):
    d, _ = files
    argv = _sweep_args((d, str(d / "tiny.safetensors")), tmp_path / "g.png", "--style-weight", "1,100", "--quiet")
    argv[1] = str(d / "cutout.png")
    monkeypatch.setattr("sys.argv", ["cli.py", *argv])
    try:
        cli.main()
    except SystemExit as e:
        assert e.code == 0, e
    for tile in ("g-00.png", "g-01.png"):
        alpha = np.asarray(Image.open(tmp_path / tile).getchannel("A"), np.float32) / 255
        assert alpha.shape == (18, 24) and alpha[:, :10].max() < 0.02 and alpha[:, 14:].min() > 0.98
    assert Image.open(tmp_path / "g.png").mode == "RGB"


def test_a_sweeps_alpha_is_the_photos_it_ran_on(files, tmp_path, monkeypatch):
    """The alpha was read again once the sweep was done: a photo replaced meanwhile (here by an opaque copy) gave
    tiles without it, and one moved away lost every tile."""
    import shutil

    from jaxart import sweep

    d, _ = files
    photo = shutil.copy(d / "cutout.png", tmp_path / "photo.png")
    real = sweep.sweep

    def replaced_meanwhile(*args, **kwargs):
        shutil.copy(d / "opaque.png", photo)
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep, "sweep", replaced_meanwhile)
    argv = _sweep_args((d, str(d / "tiny.safetensors")), tmp_path / "g.png", "--style-weight", "1,100", "--quiet")
    argv[1] = str(photo)
    monkeypatch.setattr("sys.argv", ["cli.py", *argv])
    try:
        cli.main()
    except SystemExit as e:
        assert e.code == 0, e
    alpha = np.asarray(Image.open(tmp_path / "g-00.png").getchannel("A"), np.float32) / 255
    assert alpha[:, :10].max() < 0.02 and alpha[:, 14:].min() > 0.98


def _bmp_v5(rgba: np.ndarray) -> bytes:
    """A 32-bit BMP with a BITMAPV5HEADER, BI_BITFIELDS and an alpha mask, as GIMP writes a transparent one."""
    h, w = rgba.shape[:2]
    pixels = rgba[::-1][..., [2, 1, 0, 3]].tobytes()  # bottom-up, BGRA
    header = struct.pack("<IiiHHIIiiIIIIII", 124, w, h, 1, 32, 3, len(pixels), 2835, 2835, 0, 0,
                         0xFF0000, 0xFF00, 0xFF, 0xFF000000)
    header += bytes(124 - len(header))
    return b"BM" + struct.pack("<IHHI", 14 + 124 + len(pixels), 0, 0, 14 + 124) + header + pixels


def test_a_bmps_alpha_is_kept_where_its_header_has_an_alpha_mask(tmp_path):
    """A BMP cut-out keeps its transparency where its header says it has alpha. The fourth byte of a BI_RGB one (as
    Pillow's own save of RGBA writes it) is unused by the format, and read opaque, as Pillow, GIMP and Chromium
    read it: bmpsuite's rgb32fakealpha.bmp holds noise there."""
    rgba = np.dstack([np.random.default_rng(2).integers(0, 256, (6, 8, 3), np.uint8), np.zeros((6, 8), np.uint8)])
    rgba[:, 4:, 3] = 255
    (tmp_path / "v5.bmp").write_bytes(_bmp_v5(rgba))
    Image.fromarray(rgba).save(tmp_path / "rgb.bmp")
    for name, alpha in (("v5.bmp", rgba[..., 3] / 255), ("rgb.bmp", None)):
        photo = jaxart.load_image(tmp_path / name)
        got = photo_alpha(tmp_path / name, photo, (255, 255, 255))
        assert got is None if alpha is None else np.array_equal(got[..., 0], alpha), name
