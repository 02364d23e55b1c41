"""HDF5 links `weights convert` refuses at once, and one child process per conversion.

Keras 2, Keras 3 and HED weights files hold hard links only. A forged link to another file made the child that
reads the file open that one too: a FIFO there blocked it until the 60 s limit, and elsewhere it read any file."""

from __future__ import annotations

import os
import time

import h5py
import pytest

from jaxart.errors import WeightsError
from jaxart.weights import convert, hdf5, installed

from conftest import run_main
import test_weights
from test_weights import layer_arrays, write_h5

weights_dir = test_weights.weights_dir  # its autouse fixture: every test converts into its own empty folder

LINKED = {  # where a forged file puts a link to a FIFO: (layout, the link's path)
    "a layer's group": ("keras2", "block1_conv1"),
    "a Keras 2 layer's array": ("keras2", "block1_conv1/block1_conv1/bias:0"),
    "a Keras 3 layer's array": ("keras3", "layers/block1_conv1/vars/1"),
}


def _linked_to_a_fifo(tmp_path, case: str):
    layout, where = LINKED[case]
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it to read blocks until someone writes
    source = tmp_path / "linked.h5"
    write_h5(source, layer_arrays("vgg16", widths=(4, 8, 8, 8, 8)), layout)
    with h5py.File(source, "a") as f:
        del f[where]
        f[where] = h5py.ExternalLink(str(fifo), "/weights")
    return source, f"/{where} names /weights in {fifo}"


@pytest.mark.parametrize("case", sorted(LINKED))
def test_a_link_to_a_fifo_is_refused_at_once_naming_it(case, tmp_path, weights_dir):
    source, link = _linked_to_a_fifo(tmp_path, case)
    start = time.monotonic()
    with pytest.raises(WeightsError) as e:
        convert(source, "vgg16", "mine")
    assert time.monotonic() - start < 15, "a hang until the child's 60 s limit, not a refusal"
    assert str(e.value) == (f"{source} links to another file ({link}), which a Keras or HED weights file never "
                            "does; give the VGG .h5 file that holds the weights themselves")
    assert installed() == []


def test_the_cli_refuses_a_link_to_a_fifo_in_one_line_at_once(tmp_path, weights_dir, monkeypatch, capsys):
    source, link = _linked_to_a_fifo(tmp_path, "a layer's group")
    start = time.monotonic()
    code, out, err = run_main(["weights", "convert", str(source), "--name", "mine"], monkeypatch, capsys)
    assert time.monotonic() - start < 15, "a hang until the child's 60 s limit, not a refusal"
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert f"links to another file ({link})" in err and "Traceback" not in err, err
    assert not weights_dir.exists() or not any(weights_dir.iterdir())


@pytest.mark.parametrize("target", ["/nowhere", "/block1_conv1/block1_conv1/bias:0"], ids=["missing", "itself"])
def test_a_soft_link_to_nothing_is_a_damaged_file_not_a_missing_bias(target, tmp_path):
    """Listing a Keras 2 layer's arrays skipped the link: "has arrays of shapes [(3, 3, 3, 64)]"."""
    source = tmp_path / "dangling.h5"
    write_h5(source, layer_arrays("vgg16", widths=(4, 8, 8, 8, 8)), "keras2")
    with h5py.File(source, "a") as f:
        del f["block1_conv1/block1_conv1/bias:0"]
        f["block1_conv1/block1_conv1/bias:0"] = h5py.SoftLink(target)
    with pytest.raises(WeightsError, match=rf"^{source} is a damaged HDF5 file \(its link "
                                           rf"/block1_conv1/block1_conv1/bias:0 names {target}, which is not in the "
                                           r"file\); download or export it again$"):
        convert(source, "vgg16", "mine")
    assert installed() == []


@pytest.mark.parametrize("arch", ["vgg16", None])
def test_a_convert_starts_one_child_to_read_the_file(arch, tmp_path, monkeypatch):
    """Detecting the layout and reading the arrays each started one (about 0.15 s each)."""
    source = tmp_path / "vgg16.h5"
    write_h5(source, layer_arrays("vgg16"), "hed")
    started, run = [], hdf5.subprocess.run

    def counted(command, **kwargs):
        if hdf5._CHILD in command:
            started.append(command)
        return run(command, **kwargs)

    monkeypatch.setattr(hdf5.subprocess, "run", counted)
    convert(source, arch, "mine")
    assert len(started) == 1, started
    assert installed() == ["mine"]
