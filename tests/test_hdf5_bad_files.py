"""HDF5 files `weights convert` refuses, each in one error naming what is wrong and with nothing half-written:
wrong shapes and widths, malformed or damaged layers and heaps, values a load would refuse, other files."""

from __future__ import annotations

import re
import subprocess
import sys

import h5py
import numpy as np
import pytest

from jaxart.errors import WeightsError, WeightsFileError
from jaxart import vgg
from jaxart.weights import convert, hdf5, hdf5_child, installed

from conftest import write_tiny_job
import test_weights
from test_weights import layer_arrays, write_h5

weights_dir = test_weights.weights_dir  # its autouse fixture: every test converts into its own empty folder


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


def _values_in_another_file(f):
    """A forged file: h5py read them from any path it names, and from a FIFO there it never returned."""
    del f["block1_conv1/block1_conv1/bias:0"]
    other = f.filename + ".raw"
    np.zeros(64, np.float32).tofile(other)
    f["block1_conv1"].create_dataset("block1_conv1/bias:0", shape=(64,), dtype="f4", external=[(other, 0, 256)])


MALFORMED_H5 = {  # what an edited or foreign .h5 holds where a layer should be
    "a dataset where the group should be": ("keras2", _dataset_for_a_group),
    "values kept in another file": ("keras2", _values_in_another_file),
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


def test_a_vgg19_file_missing_a_layer_is_not_called_a_vgg16(tmp_path):
    source = tmp_path / "holed.h5"
    params = layer_arrays("vgg19")
    del params["conv3_4"]
    write_h5(source, params, "keras2")
    with pytest.raises(WeightsError, match="no layer for conv3_4 of vgg19; is it a vgg19 file"):
        convert(source, "vgg19", "holed")


def test_a_damaged_hdf5_file_is_one_error_never_a_traceback(tmp_path):
    """HDF5's C library reports a damaged header, heap or link as an OSError, RuntimeError or KeyError
    at whatever access meets it; some got through convert as a traceback. The child that reads the file
    names each of hundreds of corruptions (8 zero bytes at every 16th offset of the file's metadata) as
    damaged, malformed or of another layout, and a damaged file is one WeightsFileError line."""
    source = tmp_path / "good.h5"
    write_h5(source, layer_arrays("vgg16", widths=(4, 8, 8, 8, 8)), "keras2")
    raw, damaged, seen = source.read_bytes(), tmp_path / "bad.h5", {}
    layers = [(int(name[4]), int(name[6:])) for name in vgg.conv_names("vgg16")]
    for offset in range(0, min(len(raw), 12_000), 16):
        damaged.write_bytes(raw[:offset] + bytes(8) + raw[offset + 8:])
        facts, _ = hdf5_child.contents(str(damaged), 10 ** 6, layers)
        seen.setdefault("read" if facts.get("read") else next(iter(facts)), offset)
    assert {"unreadable", "damaged", "read"} <= set(seen)  # some corruptions are only met past the file's opening
    damaged.write_bytes(raw[:seen["damaged"]] + bytes(8) + raw[seen["damaged"] + 8:])
    with pytest.raises(WeightsFileError, match=r"^\S+bad.h5 is a damaged HDF5 file \(.*\); download .* again$"):
        hdf5.read_vgg(damaged, "vgg16")
    with pytest.raises(ValueError, match="VGG16") as e:  # the caller's mistake, not a damaged file
        hdf5.read_vgg(source, "VGG16")
    assert not isinstance(e.value, WeightsError)


def test_a_damaged_hdf5_heap_never_hangs_a_read(tmp_path):
    """HDF5 looped forever, deaf to Ctrl-C, reading Keras 2's `weight_names` strings from a damaged
    global heap (8 zero bytes at offset 3108 of this file). 8 zero or 0xff bytes at every 4th offset
    up to the end of the heap's objects must each end in facts about the file; they are read in a child
    process, because only its time limit can stop a hang."""
    source = tmp_path / "good.h5"
    write_h5(source, layer_arrays("vgg16", widths=(4, 8, 8, 8, 8)), "keras2")
    raw = source.read_bytes()
    heap = raw.index(b"GCOL")  # the global heap, of the size that follows; its objects end with
    size = int.from_bytes(raw[heap + 8:heap + 16], "little")  # the last name, then the free space's header
    end = raw.rindex(b":0", heap, heap + size) + 32
    code = f"""if True:
        from pathlib import Path
        from jaxart.weights import hdf5_child
        raw, damaged = Path({str(source)!r}).read_bytes(), Path({str(tmp_path / "bad.h5")!r})
        for offset in range(0, {end}, 4):
            for fill in (bytes(8), bytes([255]) * 8):
                damaged.write_bytes(raw[:offset] + fill + raw[offset + 8:])
                hdf5_child.contents(str(damaged), 10 ** 6, [(1, 1), (1, 2)])
    """
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("reading a damaged HDF5 file hung")
    assert done.returncode == 0, done.stderr


def _b_tree_cycle(raw: bytes, group: int, field: str) -> bytes:
    """`raw` with the B-tree node ("TREE") of the group whose header is at `group` pointing to itself: as its
    right sibling, or as its first child (made a level-1 node)."""
    tree = raw.index(b"TREE", group)
    at, level = {"right sibling": (tree + 16, raw[tree + 5]), "first child": (tree + 32, 1)}[field]
    return raw[:tree + 5] + bytes([level]) + raw[tree + 6:at] + tree.to_bytes(8, "little") + raw[at + 8:]


@pytest.mark.parametrize("field", ["right sibling", "first child"])
def test_a_b_tree_that_points_to_itself_is_one_error_not_a_hang_or_crash(field, tmp_path):
    """Listing a layer's arrays walked its group's B-tree in HDF5's C code: a node that is its own right
    sibling looped there forever, deaf to Ctrl-C; one that is its own child recursed until a segfault."""
    source = tmp_path / "good.h5"
    write_h5(source, layer_arrays("vgg16", widths=(4, 8, 8, 8, 8)), "keras2")
    with h5py.File(source, "r") as f:
        group = h5py.h5o.get_info(f["block1_conv1"].id).addr
    damaged = tmp_path / "cycle.h5"
    damaged.write_bytes(_b_tree_cycle(source.read_bytes(), group, field))
    code = f"""if True:
        from jaxart.errors import WeightsFileError
        from jaxart.weights import hdf5
        hdf5._SECONDS = 5  # the real HED file takes 0.3 s
        try:
            hdf5.read_vgg({str(damaged)!r}, "vgg16")
        except WeightsFileError as e:
            print(e)
    """
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("reading a B-tree that points to itself hung")
    assert (done.returncode, done.stderr) == (0, "")
    assert re.fullmatch(rf"{damaged} is a damaged HDF5 file \(HDF5 (was still reading it after 5 s|crashed reading it, "
                        r"signal \d+)\); download or export it again\n", done.stdout), done.stdout


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


def test_an_hdf5_file_cut_short_says_so_and_to_download_it_again(tmp_path):
    """It said "is not a readable HDF5 file (Unable to synchronously open file (truncated file: eof = ...)); give a
    Keras or HED VGG .h5 file", of a Keras .h5 whose download had stopped early."""
    source = tmp_path / "vgg16.h5"
    write_h5(source, layer_arrays("vgg16", widths=(4, 8, 8, 8, 8)), "keras2")
    whole = source.read_bytes()
    source.write_bytes(whole[:len(whole) // 2])
    with pytest.raises(WeightsError, match=rf"^{source} is cut short: it has {len(whole) // 2:,} of the {len(whole):,} "
                                           r"bytes its header says, as a download that stopped early leaves it; "
                                           r"download it again$"):
        convert(source, "vgg16", "mine")
    assert installed() == []
