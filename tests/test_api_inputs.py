"""What the library is handed: arrays of the wrong kind fail with one line saying what to give,
and odd corners of image files load as they look, without raw Pillow warnings."""

from __future__ import annotations

import re
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import inputs, transfer
from jaxart.errors import InputError
from jaxart.image import load_image

CONFIG = jaxart.StyleConfig(size=32, steps=2)
PHOTO = np.random.default_rng(0).random((24, 32, 3), dtype=np.float32)
PAINTING = PHOTO[::-1, ::-1].copy()


def _stylize(w, photo=PHOTO, styles=(PAINTING,), **kw):
    return transfer.run(photo, list(styles) if isinstance(styles, tuple) else styles, weights=w, config=CONFIG,
                        **kw).image


WIDE = "255 for 8-bit samples, 65535 for 16-bit ones"


def _mode_i(rgb):
    """A Pillow mode "I" image of `rgb`'s red as 16-bit grey, as Pillow reads a 16-bit PNG or TIFF's grey."""
    image = Image.fromarray((rgb[..., 0] * 65535).round().astype(np.int32))
    assert image.mode == "I"
    return image


INTEGER = {  # pixels 0..255 once gave a white picture or activations 255 times too large, with no error
    "uint8 photo": (lambda w: _stylize(w, photo=(PHOTO * 255).astype(np.uint8)), "photo is uint8", 255),
    "uint16 painting": (lambda w: _stylize(w, styles=((PAINTING * 65535).astype(np.uint16),)), "painting is uint16",
                        65535),
    # Wider than 16 bits the dtype tells no scale: int32 was told 255, as a 16-bit file's mode "I" pixels are
    "int x0": (lambda w: _stylize(w, x0=np.zeros((24, 32, 3), np.int32)), "x0 is int32", WIDE),
    "mode I photo": (lambda w: _stylize(w, photo=np.dstack([np.asarray(_mode_i(PHOTO))] * 3)), "photo is int32", WIDE),
    "features int64": (lambda w: jaxart.features(w, (PHOTO * 255).astype(np.int64), ["relu1_1"]), "image is int64",
                       WIDE),  # was named "int32", the dtype JAX converted it to
    "second painting": (lambda w: inputs.sized_inputs(PHOTO, [PAINTING, PAINTING > 0.5], CONFIG),
                        "painting 2 is bool", None),
    "features uint8": (lambda w: jaxart.features(w, (PHOTO * 255).astype(np.uint8), ["relu1_1"]), "image is uint8",
                       255),
    "features bool": (lambda w: jaxart.features(w, PHOTO > 0.5, ["relu1_1"]), "image is bool", None),
}


@pytest.mark.parametrize("case", INTEGER, ids=list(INTEGER))
def test_integer_and_bool_pixels_are_refused_with_the_scale_to_divide_by(tiny_vgg16, case):
    call, what, scale = INTEGER[case]
    advice = f"give floats in [0, 1] (divide by {scale})" if scale else "give a float array with values in [0, 1]"
    with pytest.raises(InputError) as e:
        call(tiny_vgg16)
    assert str(e.value) == f"{what}; {advice}"


def test_float64_and_bfloat16_pixels_still_work(tiny_vgg16):
    want_photo, [want_painting] = inputs.sized_inputs(PHOTO, [PAINTING], CONFIG)
    photo, [painting] = inputs.sized_inputs(PHOTO.astype(np.float64), [jnp.asarray(PAINTING, jnp.bfloat16)], CONFIG)
    np.testing.assert_array_equal(photo, want_photo)
    np.testing.assert_allclose(painting, want_painting, atol=1 / 255)
    f32 = jaxart.features(tiny_vgg16, PHOTO, ["relu2_1"])["relu2_1"]
    f64 = jaxart.features(tiny_vgg16, PHOTO.astype(np.float64), ["relu2_1"])["relu2_1"]
    np.testing.assert_array_equal(f64, f32)


def _spoilt(x, value):
    """`x` with two pixels' red set to `value`."""
    x = x.copy()
    x[0, :2, 0] = value
    return x


SHAPES = {
    "grey photo": (dict(photo=PHOTO[..., 0]), "photo has shape (24, 32), not (H, W, 3); a grey image: repeat it"),
    "batched photo": (dict(photo=PHOTO[None]), "photo has shape (1, 24, 32, 3), not (H, W, 3); a batch: give one"),
    "photo with alpha": (dict(photo=np.dstack([PHOTO, PHOTO[..., :1]])), "photo has shape (24, 32, 4), not (H, W, 3); "
                         "with alpha: composite it or drop it"),
    "photo as a path": (dict(photo="photo.jpg"), "photo is the path 'photo.jpg'; give its pixels, jaxart.load_image"),
    "grey painting alone": (dict(styles=PAINTING[..., 0]), "painting has shape (24, 32), not (H, W, 3)"),
    "no painting": (dict(styles=[]), "give at least one style image"),
    "photo as floats 0..255": (dict(photo=PHOTO * 255), "photo has values up to 25"),
    # Centred or in [-1, 1] (as many models take images) was clipped to a dark wash without a word.
    "centred photo": (dict(photo=PHOTO - 0.5), "photo has values down to -0."),
    "painting in [-1, 1]": (dict(styles=[PAINTING * 2 - 1]), "painting has values down to -"),
    # Resizing made NaN black and inf white: a finite loss of a photo that was not the one given.
    "NaN in the photo": (dict(photo=_spoilt(PHOTO, np.nan)),
                         "photo has 2 NaN or infinite values; give finite floats in [0, 1]"),
    "inf in a painting": (dict(styles=[PAINTING, _spoilt(PAINTING, np.inf)]),
                          "painting 2 has 2 NaN or infinite values; give finite floats in [0, 1]"),
    # Enlarged to `size` without a word, as the CLI refuses such a file (load_image): one flat colour.
    "1x1 photo": (dict(photo=PHOTO[:1, :1]), "photo is 1x1 pixels; use an image at least 2x2"),
    "1-pixel-wide painting": (dict(styles=[PAINTING[:, :1]]), "painting is 1x24 pixels; use an image at least 2x2"),
}


@pytest.mark.parametrize("case", SHAPES, ids=list(SHAPES))
def test_wrong_shapes_are_explained_before_any_work(tiny_vgg16, case):
    kw, message = SHAPES[case]
    multiscale = CONFIG.replace(scales=(16, 32))  # which resizes the photo before a scale's run does
    for config in (CONFIG, multiscale):
        with pytest.raises(InputError, match="^" + re.escape(message)):
            transfer.run(kw.get("photo", PHOTO), kw.get("styles", [PAINTING]), weights=tiny_vgg16, config=config)


def test_x0_starts_coarse_to_fine_too(tiny_vgg16):
    """x0 was checked and then ignored when there were several scales."""
    config = CONFIG.replace(scales=(24, 32), scale_steps=(1, 1))
    grey = np.full((24, 32, 3), 0.5, np.float32)
    plain = transfer.run(PHOTO, [PAINTING], weights=tiny_vgg16, config=config).image
    started = transfer.run(PHOTO, [PAINTING], weights=tiny_vgg16, config=config, x0=grey).image
    # two steps from flat grey stay far closer to it than two steps from the photo
    assert np.abs(np.asarray(started) - 0.5).mean() < 0.5 * np.abs(np.asarray(plain) - 0.5).mean()
    with pytest.raises(ValueError, match=r"^starting image is \(12, 16, 3\), the resized photo \(24, 32, 3\)"):
        transfer.run(PHOTO, [PAINTING], weights=tiny_vgg16, config=config, x0=grey[::2, ::2])


def test_coarse_to_fine_reports_on_multiples_of_every_with_the_scan_loop(tiny_vgg16):
    config = CONFIG.replace(scales=(24, 32), scale_steps=(3, 4), loop="scan")  # scan: the default off CPU
    seen = []
    transfer.run(PHOTO, [PAINTING], weights=tiny_vgg16, config=config, every=2, callback=lambda p: seen.append(p.step))
    assert seen == [2, 3, 4, 6, 7]  # the second scale's reports fell on 5 and 7: no frame at 4 or 6


def test_float_pixels_are_not_rounded_to_8_bits():
    """Inputs were resized through 8-bit Pillow images, even at their own size: a 16-bit source,
    or a finer float, lost its precision without a word."""
    fine = np.clip(PHOTO + 0.0013, 0.0, 1.0)
    at_size, [painting] = inputs.sized_inputs(fine, [fine], CONFIG)  # already 32 px on its long side
    np.testing.assert_array_equal(at_size, fine)
    np.testing.assert_array_equal(painting, fine)
    ramp = np.broadcast_to(np.linspace(0.2, 0.3, 64, dtype=np.float32)[None, :, None], (48, 64, 3))
    half, _ = inputs.sized_inputs(ramp, [PAINTING], CONFIG)
    assert half.shape == (24, 32, 3) and half.dtype == np.float32
    np.testing.assert_allclose(half[0], np.linspace(0.2, 0.3, 32)[:, None].repeat(3, 1), atol=2e-3)
    assert np.abs(half * 255 - np.round(half * 255)).max() > 0.1  # between the 8-bit levels
    over, _ = inputs.sized_inputs(np.clip(PHOTO * 1.05 - 0.02, -0.02, 1.03), [PAINTING], CONFIG)
    assert over.min() == 0.0 and over.max() == 1.0  # clipped at its own size as well as resized
    seen = []  # a NumPy count of steps is a count of steps
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=(4, 8, 8, 8, 8))
    transfer.run(PHOTO, [PAINTING], weights=w, config=CONFIG, every=np.int64(1), callback=lambda p: seen.append(p.step))
    assert seen == [1, 2]


def test_one_painting_array_is_one_painting_and_a_stack_is_several(tiny_vgg16):
    _, alone = inputs.sized_inputs(PHOTO, PAINTING, CONFIG)  # once each of its 24 rows was a "painting"
    _, listed = inputs.sized_inputs(PHOTO, [PAINTING], CONFIG)
    _, stacked = inputs.sized_inputs(PHOTO, np.stack([PAINTING, PHOTO]), CONFIG)
    _, nested = inputs.sized_inputs(PHOTO, PAINTING.tolist(), CONFIG)  # nested lists: once its rows
    _, several = inputs.sized_inputs(PHOTO, [PAINTING, PHOTO[:20]], CONFIG)  # of different sizes
    assert len(alone) == len(nested) == 1 and len(stacked) == len(several) == 2
    np.testing.assert_array_equal(alone[0], listed[0])
    np.testing.assert_array_equal(nested[0], listed[0])
    np.testing.assert_array_equal(stacked[0], listed[0])
    shallow = CONFIG.replace(size=16, steps=1, content_layers=("relu1_2",), style_layers=("relu1_1",))
    np.testing.assert_array_equal(jaxart.stylize(PHOTO, PAINTING, weights=tiny_vgg16, config=shallow),
                                  jaxart.stylize(PHOTO, [PAINTING], weights=tiny_vgg16, config=shallow))


def test_layers_may_be_one_name_but_not_none(tiny_vgg16):
    one = jaxart.features(tiny_vgg16, PHOTO, "relu1_1")  # once read as the layers 'r', 'e', 'l', ...
    assert list(one) == ["relu1_1"]
    np.testing.assert_array_equal(one["relu1_1"], jaxart.features(tiny_vgg16, PHOTO, ["relu1_1"])["relu1_1"])
    jitted = jax.jit(lambda x: jaxart.features(tiny_vgg16, x, "relu1_1")["relu1_1"])(PHOTO)
    np.testing.assert_allclose(jitted, one["relu1_1"], rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match=r"^layers is empty; name at least one, such as \['relu4_2'\]$"):
        jaxart.features(tiny_vgg16, PHOTO, [])
    with pytest.raises(InputError, match="^image is uint8"):  # the check is static: it holds under jit too
        jax.jit(lambda x: jaxart.features(tiny_vgg16, x, ["relu1_1"]))(np.zeros((8, 8, 3), np.uint8))



def test_params_alone_no_layers_and_rgba_into_the_flax_module_are_named(tiny_vgg16):
    """Flax habits: `features(w.params, ...)` failed on "'dict' object has no attribute 'arch'", layers=None
    on "'NoneType' object is not iterable", and an RGBA batch into `VGG16(...).apply` with Flax's
    ScopeParamShapeError about conv1_1's kernel; each now says what to give, before any work."""
    with pytest.raises(TypeError, match=r"^weights must be a jaxart.Weights \(load_weights or random_weights\), got "
                                        r"a dict of 'conv1_1', 'conv1_2', 'conv2_1', ...$"):
        jaxart.features(tiny_vgg16.params, PHOTO, ["relu1_1"])
    with pytest.raises(TypeError, match=r"^layers is None; name at least one, such as \['relu4_2'\]$"):
        jaxart.features(tiny_vgg16, PHOTO, None)
    module = jaxart.VGG16(widths=(4, 8, 8, 8, 8), last="relu1_1")
    rgba = np.zeros((1, 24, 32, 4), np.float32)
    with pytest.raises(ValueError, match=r"VGG takes \(N, H, W, 3\) or \(H, W, 3\) pixels, got shape \(1, 24, 32, 4\)"):
        module.apply({"params": tiny_vgg16.params}, rgba)
    out = module.apply({"params": tiny_vgg16.params}, tiny_vgg16.preprocess(jnp.asarray(PHOTO)[None]))
    np.testing.assert_allclose(out["relu1_1"][0], jaxart.features(tiny_vgg16, PHOTO, "relu1_1")["relu1_1"],
                               rtol=1e-5, atol=1e-5)


def test_random_weights_of_an_int_seed_names_the_key_to_give():
    # JAX said "invalid PRNG key data: expected key_data.ndim >= 1; got ndim=0", from inside a jitted draw.
    with pytest.raises(TypeError, match=r"^key is the int 0; give a PRNG key, jax.random.PRNGKey\(0\) or "):
        jaxart.random_weights(0, "vgg16", widths=(4, 8, 8, 8, 8))

def test_16_bit_grey_png_keeps_its_transparent_colour_key(tmp_path):
    grey = np.full((2, 2), 1000, np.uint16)
    grey[0, 0] = 30000  # the key: transparent; 30000 // 256 = 117 must not match it as well
    grey[0, 1] = 117 * 256 + 5
    path = tmp_path / "k.png"
    Image.fromarray(grey).save(path, transparency=30000)
    assert Image.open(path).mode == "I;16" and b"tRNS" in path.read_bytes()
    rgb = load_image(path, background=(0, 255, 0))
    np.testing.assert_array_equal(rgb[0, 0], (0, 1, 0))  # was grey 0.46, drawn as if opaque
    np.testing.assert_allclose(rgb[0, 1], (117 * 256 + 5) / 65535, atol=1 / 255)
    np.testing.assert_allclose(rgb[1], 1000 / 65535, atol=1 / 255)


def test_jpeg_with_corrupt_exif_loads_without_a_raw_warning(tmp_path):
    path = tmp_path / "c.jpg"
    # An EXIF block whose directory claims 5 entries and holds 2 bytes: Pillow warns "Corrupt EXIF data".
    Image.new("RGB", (4, 6), (200, 100, 50)).save(path, exif=b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x05\x00\x12\x01",
                                                  quality=100)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rgb = load_image(path)
    assert [str(w.message) for w in caught] == []
    assert rgb.shape == (6, 4, 3)  # the orientation is unreadable, so none is applied
    np.testing.assert_allclose(rgb, np.broadcast_to(np.array((200, 100, 50)) / 255, rgb.shape), atol=3 / 255)


@pytest.mark.parametrize("kw, message", [
    (lambda w: dict(weights=w.params),
     "weights must be a jaxart.Weights (load_weights or random_weights), got a dict of 'conv1_1', "),
    (lambda w: dict(config={"size": 32}),
     "config must be a jaxart.StyleConfig, got a dict of 'size'; for a dict of settings, StyleConfig.from_dict(d)"),
    (lambda w: dict(config=None), "config must be a jaxart.StyleConfig, got None;"),
    (lambda w: dict(callback="print"), "callback must be a function of a Progress, or None, got the str 'print'"),
    (lambda w: dict(resume="out.ckpt.npz"), "resume must be a checkpoint.Checkpoint, got the str 'out.ckpt.npz'; "
                                            "for a file, jaxart.checkpoint.load(path)"),
], ids=["params alone", "config dict", "config None", "callback a string", "resume a path"])
def test_run_names_weights_config_or_callback_of_the_wrong_type_before_any_work(tiny_vgg16, kw, message):
    """Each was an AttributeError from deep inside (a callback's TypeError came only after the first step)."""
    kw = {"weights": tiny_vgg16, "config": CONFIG, **kw(tiny_vgg16)}
    with pytest.raises(TypeError, match="^" + re.escape(message)):
        transfer.run(PHOTO, [PAINTING], **kw)
