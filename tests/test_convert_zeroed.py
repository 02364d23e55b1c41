"""An unregistered .h5 whose values are zeroed bytes (a sparse or unfinished copy: its layout intact, its data never
written) converted without a word, into weights that see every image alike; such a set is refused, naming the layer,
at convert and at load, with what to do."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from conftest import run_main
from jaxart import vgg
from jaxart.errors import WeightsFileError
from jaxart.weights import installed, load, store
from test_weights import layer_arrays, write_h5


def test_an_h5_of_zeroed_bytes_is_refused_at_convert_with_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "weights"))
    source = tmp_path / "sparse.h5"
    write_h5(source, layer_arrays("vgg16"), "keras2")
    with h5py.File(source, "r") as f:  # where each array's bytes lie (contiguous, uncompressed)
        spans = []
        f.visititems(lambda name, item: spans.append((item.id.get_offset(), item.id.get_storage_size()))
                     if isinstance(item, h5py.Dataset) else None)
    with open(source, "r+b") as f:
        for offset, size in spans:  # the metadata kept, every value zeroed
            f.seek(offset)
            f.write(bytes(size))
    code, _, err = run_main(["weights", "convert", str(source), "--name", "mine"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err  # bad input, as a damaged file is
    assert err == (f"error: {source}: layer conv1_1 holds only zeros in its kernel; the file is damaged (zeroed bytes, "
                   "as a sparse or unfinished copy holds), so download it again"), err
    assert installed() == [] and not any((tmp_path / "weights").glob("*.safetensors"))


def test_a_set_with_a_kernel_of_zeros_converted_before_is_refused_at_load(tmp_path, monkeypatch):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    params = layer_arrays("vgg16")
    params["conv3_2"]["kernel"] = np.zeros_like(params["conv3_2"]["kernel"])
    path = store.save(params, tmp_path / "old.safetensors", arch="vgg16", preprocess=vgg.Preprocess(), name="old")
    with pytest.raises(WeightsFileError, match=r"layer conv3_2 holds only zeros in its kernel; run `jaxart weights "
                                               r"remove old`, then fetch or convert it again$"):
        load(path)
