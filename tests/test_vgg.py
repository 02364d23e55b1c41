"""VGG features against a float64 NumPy reference, layer names, and early stopping."""

import functools
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import vgg


def _np_conv(x, kernel, bias):
    """3x3 SAME convolution of (H, W, Cin) in float64."""
    h, w, _ = x.shape
    p = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    out = sum(np.einsum("hwi,io->hwo", p[dy:dy + h, dx:dx + w], kernel[dy, dx]) for dy in range(3) for dx in range(3))
    return out + bias


def _np_features(weights, image, pooling):
    """Every activation of `weights.arch` for an (H, W, 3) image, in float64."""
    params = jax.tree.map(lambda a: np.asarray(a, np.float64), weights.params)
    pre = weights.preprocess
    x = image.astype(np.float64)
    if pre.kind == "caffe":
        x = x[..., ::-1] * 255.0 - np.asarray(pre.mean)
    else:
        x = (x - np.asarray(pre.mean)) / np.asarray(pre.std)
    out = {}
    for name in vgg.layer_names(weights.arch):
        if name.startswith("conv"):
            x = out[name] = _np_conv(x, params[name]["kernel"], params[name]["bias"])
        elif name.startswith("relu"):
            x = out[name] = np.maximum(x, 0)
        else:
            h, w, c = x.shape
            blocks = x[: h // 2 * 2, : w // 2 * 2].reshape(h // 2, 2, w // 2, 2, c)
            x = out[name] = blocks.max((1, 3)) if pooling == "max" else blocks.mean((1, 3))
    return out


@pytest.mark.parametrize("pooling", ["max", "avg"])
@pytest.mark.parametrize("kind", ["caffe", "torch"])
def test_features_match_numpy_reference(tiny_weights, pooling, kind, rng):
    pre = jaxart.Preprocess() if kind == "caffe" else jaxart.Preprocess("torch", (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    # Non-zero biases, as real weights have: random_weights' are zero, which would hide a dropped bias.
    params = {n: {**p, "bias": rng.normal(0, 0.1, p["bias"].shape).astype(np.float32)}
              for n, p in tiny_weights.params.items()}
    weights = tiny_weights.replace(preprocess=pre, params=params)
    image = rng.random((35, 34, 3)).astype(np.float32)  # odd sizes exercise floor pooling
    names = vgg.layer_names(weights.arch)
    got = jax.jit(jaxart.features, static_argnums=(2, 3))(weights, image, names, pooling)
    want = _np_features(weights, image, pooling)
    assert set(got) == set(names)
    for name in names:
        scale = np.abs(want[name]).max() + 1e-6
        np.testing.assert_allclose(np.asarray(got[name]) / scale, want[name] / scale, atol=2e-5, err_msg=name)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_gradient_equals_flax_pooling(kind, rng):
    """pool2x2 (a reshape, for XLA CPU's speed) routes gradients exactly as flax's reduce_window pooling."""
    import flax.linen as nn

    x = rng.standard_normal((1, 9, 7, 4)).astype(np.float32)  # odd sizes: the last row and column drop
    cotangent = rng.standard_normal((1, 4, 3, 4)).astype(np.float32)
    flax_pool = nn.max_pool if kind == "max" else nn.avg_pool
    ours = jax.vjp(lambda x: vgg.pool2x2(x, kind), x)
    with jax.numpy_dtype_promotion("standard"):  # flax's avg_pool divides by an int32 window size
        want = jax.vjp(lambda x: flax_pool(x, (2, 2), (2, 2)), x)
    np.testing.assert_allclose(ours[0], want[0], rtol=1e-6)
    np.testing.assert_allclose(ours[1](cotangent)[0], want[1](cotangent)[0], rtol=1e-6, atol=1e-7)
    per_window = 1 if kind == "max" else 4  # the maximum alone, or all four inputs
    assert np.count_nonzero(ours[1](cotangent)[0]) == 4 * 3 * 4 * per_window  # windows x channels x inputs


def test_pool2x2_of_a_numpy_array_is_a_jax_array_of_the_pooled_windows(rng):
    """ArrayLike in, jax.Array out: a NumPy (5, 7, 2) array was pooled by NumPy and came back a NumPy array."""
    x = rng.standard_normal((5, 7, 2)).astype(np.float32)
    windows = x[:4, :6].astype(np.float64).reshape(2, 2, 3, 2, 2)  # odd sizes: the last row and column drop
    for kind, want in (("max", windows.max(axis=(1, 3))), ("avg", windows.mean(axis=(1, 3)))):
        got = vgg.pool2x2(x, kind)
        assert isinstance(got, jax.Array) and got.shape == (2, 3, 2) and got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_layer_names_follow_the_paper():
    assert vgg.layer_names("vgg19")[:5] == ("conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1")
    assert vgg.layer_names("vgg19")[-1] == "pool5" and "relu5_4" in vgg.layer_names("vgg19")
    assert "relu5_4" not in vgg.layer_names("vgg16") and len(vgg.conv_names("vgg16")) == 13


def test_caffe_preprocessing_takes_the_imagenet_mean_colour_to_zero_in_bgr_order():
    """Caffe's VGG (Keras' and vgg16-hed) was trained on BGR 0..255 pixels less the ImageNet mean,
    given blue first; the mean in RGB order would shift every activation of the paper's network."""
    mean_rgb = np.array([123.68, 116.779, 103.939], np.float32) / 255
    np.testing.assert_allclose(jaxart.Preprocess()(jnp.asarray(mean_rgb)), 0, atol=1e-4)
    np.testing.assert_allclose(jaxart.Preprocess()(jnp.asarray([1.0, 0.0, 0.0])), [-103.939, -116.779, 131.32],
                               rtol=1e-5)


def test_computes_only_up_to_the_deepest_layer(tiny_weights):
    image = np.zeros((32, 32, 3), np.float32)  # pool5 leaves it one pixel

    def convs(layers):
        jaxpr = jax.make_jaxpr(lambda x: jaxart.features(tiny_weights, x, layers))(image)
        return str(jaxpr).count("conv_general_dilated")

    assert convs(["relu1_1"]) == 1
    assert convs(["relu1_1", "relu3_1"]) == 5
    assert convs(["pool5"]) == len(vgg.conv_names(tiny_weights.arch))


def test_too_small_images_and_mismatched_params_are_named_not_nan():
    """A 4 px image gave relu5_1 an empty (0, 0, C) activation and NaN losses; params of another
    architecture ran the wrong network silently or failed inside Flax."""
    w19 = jaxart.random_weights(jax.random.PRNGKey(0), "vgg19", widths=(4, 8, 8, 8, 8))
    w16 = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=(4, 8, 8, 8, 8))
    small, image = np.ones((4, 4, 3), np.float32), np.ones((32, 32, 3), np.float32)
    cases = {
        "image is 4x4 px, too small for layer relu5_1, which needs at least 16 px on each side; give a larger "
        "image or shallower layers":
            lambda: jaxart.features(w19, small, ["relu5_1"]),
        "weights have layer conv3_4, which vgg16 lacks: they are vgg19's, so give arch='vgg19'":
            lambda: jaxart.features(jaxart.Weights(w19.params, "vgg16"), image, ["relu1_1"]),
        "weights lack conv3_4's kernel and bias, which relu5_1 needs: they are vgg16's, so give arch='vgg16'":
            lambda: jaxart.features(jaxart.Weights(w16.params, "vgg19"), image, ["relu5_1"]),
        "weights' conv2_1 has kernel (3, 3, 5, 8) and bias (8,); vgg19 needs (3, 3, 4, C) and (C,)":
            lambda: jaxart.features(jaxart.Weights({**w19.params, "conv2_1": {
                "kernel": np.zeros((3, 3, 5, 8)), "bias": np.zeros(8)}}, "vgg19"), image, ["relu2_1"]),
    }
    for message, call in cases.items():
        with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
            call()
    with pytest.raises(ValueError, match="too small for layer relu5_1"):  # static: under jit as well
        jax.jit(lambda x: jaxart.features(w19, x, ["relu5_1"]))(small)
    assert jaxart.features(jaxart.Weights(w16.params, "vgg19"), image, ["relu3_1"])["relu3_1"].shape == (8, 8, 8)
    # a FrozenDict, or entries that are no conv layer (a classifier's), are read as before
    from flax.core import freeze

    extra = {**w16.params, "fc6": {"kernel": np.zeros((2, 2)), "bias": np.zeros(2)}}
    for params in (freeze(w16.params), extra):
        np.testing.assert_array_equal(jaxart.features(jaxart.Weights(params, "vgg16"), image, ["relu5_1"])["relu5_1"],
                                      jaxart.features(w16, image, ["relu5_1"])["relu5_1"])


def test_batched_features_equal_single(tiny_vgg16, rng):
    images = rng.random((2, 16, 16, 3)).astype(np.float32)
    batched = jaxart.features(tiny_vgg16, images, ["relu2_1"])["relu2_1"]
    single = jaxart.features(tiny_vgg16, images[1], ["relu2_1"])["relu2_1"]
    np.testing.assert_allclose(batched[1], single, rtol=1e-5, atol=1e-5)


def test_unknown_layer_is_named(tiny_vgg16):
    with pytest.raises(ValueError, match="'relu9_1' does not exist; VGG16 has conv1_1 ... pool5"):
        jaxart.features(tiny_vgg16, np.zeros((8, 8, 3), np.float32), ["relu9_1"])
    with pytest.raises(ValueError, match="relu5_4"):
        jaxart.features(tiny_vgg16, np.zeros((8, 8, 3), np.float32), ["relu5_4"])


def test_bad_image_shape_is_explained(tiny_vgg16):
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        jaxart.features(tiny_vgg16, np.zeros((8, 8), np.float32), ["relu1_1"])


def test_the_flax_module_takes_one_image_and_names_an_unknown_last_layer(tiny_vgg16, rng):
    """VGG16(...) used directly, as its docstring says: an (H, W, 3) image failed in the first
    pooling ('not enough values to unpack'), an unknown `last` (a typo, or VGG19's relu5_4) ran the
    whole network and returned it, and an unknown pooling pooled by the mean."""
    model = functools.partial(jaxart.VGG16, widths=(4, 8, 8, 8, 8))
    x = jaxart.Preprocess()(jnp.asarray(rng.random((8, 6, 3)), jnp.float32))
    variables = {"params": tiny_vgg16.params}
    one = model(last="pool2").apply(variables, x)
    batch = model(last="pool2").apply(variables, x[None])
    assert one["pool2"].shape == (2, 1, 8) and list(one) == list(batch)
    for k in one:
        np.testing.assert_allclose(one[k], batch[k][0], rtol=1e-6)
    for last in ("relu5_4", "relu4_22"):
        with pytest.raises(ValueError, match=f"^last '{last}' is not a layer of this VGG; it has conv1_1 ... pool5"):
            model(last=last).apply(variables, x)
    with pytest.raises(ValueError, match="^pooling 'min' is not supported; use 'max' or 'avg'"):
        model(last="pool1", pooling="min").apply(variables, x)


def test_an_image_pool5_would_leave_no_pixel_and_a_misshapen_bias_are_named():
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=(4, 8, 8, 8, 8))
    with pytest.raises(ValueError, match="image is 16x16 px, too small for layer pool5, which needs at least 32 px"):
        jaxart.features(w, np.ones((16, 16, 3), np.float32), ["pool5"])
    assert jaxart.features(w, np.ones((16, 16, 3), np.float32), ["relu5_1"])["relu5_1"].shape == (1, 1, 8)
    bad = {**w.params, "conv1_1": {"kernel": np.zeros((3, 3, 3, 4)), "bias": np.zeros(5)}}
    with pytest.raises(ValueError, match=re.escape("weights' conv1_1 has kernel (3, 3, 3, 4) and bias (5,)")):
        jaxart.features(jaxart.Weights(bad, "vgg16"), np.ones((16, 16, 3), np.float32), ["relu1_1"])


def test_params_that_are_not_a_dict_of_layers_are_named():
    with pytest.raises(ValueError, match="^weights.params is a list of 1 item; give a dict of conv layers, as "
                                         "load_weights does$"):
        jaxart.features(jaxart.Weights([np.zeros((3, 3, 3, 4))], "vgg16"), np.ones((16, 16, 3), np.float32), ["relu1_1"])


def test_a_stack_of_weight_sets_given_whole_is_told_to_vmap_over_it():
    """random_weights vmapped over split keys (as its own error advises) gives stacked kernels: features of the
    stack named the shapes alone, and jax.vmap over it is what works."""
    keys = jax.random.split(jax.random.PRNGKey(0), 2)
    stack = jax.vmap(lambda k: jaxart.random_weights(k, "vgg16", widths=(4, 8, 8, 8, 8)))(keys)
    image = np.ones((8, 8, 3), np.float32)
    with pytest.raises(ValueError, match=re.escape("(3, 3, 3, C) and (C,): these are a stack of 2 weight sets, so "
                                                   "jax.vmap over them")):
        jaxart.features(stack, image, ["relu1_1"])
    assert jax.vmap(lambda w: jaxart.features(w, image, ["relu1_1"]))(stack)["relu1_1"].shape == (2, 8, 8, 4)


@pytest.mark.parametrize("sep", [".", None], ids=["safetensors", "flatten_dict"])
def test_params_of_flat_keys_as_a_safetensors_file_holds_them_are_told_to_nest_them_or_use_load_weights(sep):
    """`safetensors.numpy.load_file` gives {'conv1_1.kernel': ...}; as a Weights' params that was "weights lack
    conv1_1's kernel and bias", which a user read as a file missing its first layer."""
    from flax import traverse_util

    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=(4, 8, 8, 8, 8))
    flat = traverse_util.flatten_dict(w.params, sep=sep)
    key, how = ("'conv1_1.bias'", "params, sep='.'") if sep else ("('conv1_1', 'bias')", "params")
    with pytest.raises(ValueError, match=re.escape(
            f"weights.params has flat keys, such as {key}; nest them by layer, flax.traverse_util.unflatten_dict("
            f"{how}), or load the file with jaxart.load_weights(path), which also "
            "sets its arch and preprocessing")):
        jaxart.features(jaxart.Weights(flat, "vgg16"), np.ones((8, 8, 3), np.float32), ["relu1_1"])
    nested = jaxart.Weights(traverse_util.unflatten_dict(flat, sep=sep), "vgg16")
    assert jaxart.features(nested, np.ones((8, 8, 3), np.float32), "relu1_1")["relu1_1"].shape == (8, 8, 4)
