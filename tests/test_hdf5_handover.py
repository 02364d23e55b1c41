"""The HDF5 reader's child hands the arrays over in a temporary folder: where that folder cannot be made or
written (a full /tmp), the refusal says so and what to do, and does not call a good file damaged."""

from __future__ import annotations

import contextlib

import pytest

from jaxart.errors import WeightsError, WeightsFileError
from jaxart.weights import hdf5

from test_weights import layer_arrays, write_h5

NO_ROOM = r"no room to hand the weights' arrays over in .* set TMPDIR to a folder with room$"


@pytest.fixture
def good_file(tmp_path):
    source = tmp_path / "good.h5"
    write_h5(source, layer_arrays("vgg16", widths=(4, 8, 8, 8, 8)), "keras2")
    assert hdf5.load(source, arrays=False).layout == "keras-h5"
    return source


def test_a_temporary_folder_that_cannot_be_made_is_no_room_not_a_traceback(good_file, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(hdf5.tempfile, "TemporaryDirectory", full)
    with pytest.raises(WeightsError, match=NO_ROOM) as e:
        hdf5.read_vgg(good_file, "vgg16")
    assert "No space left on device" in str(e.value) and not isinstance(e.value, WeightsFileError)


def test_arrays_the_child_cannot_save_are_no_room_not_a_damaged_file(good_file, monkeypatch, tmp_path):
    monkeypatch.setattr(hdf5.tempfile, "TemporaryDirectory",
                        lambda **kwargs: contextlib.nullcontext(str(tmp_path / "gone")))  # np.save fails there
    with pytest.raises(WeightsError, match=NO_ROOM) as e:
        hdf5.read_vgg(good_file, "vgg16")
    assert "damaged" not in str(e.value) and not isinstance(e.value, WeightsFileError)
