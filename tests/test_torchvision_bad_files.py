"""Hostile and damaged `.pth` files: pickles that would run code, truncated or garbled files, odd values, no torch."""

from __future__ import annotations

import builtins
import io
import os
import pickle
import re
import sys
import warnings
import zipfile

import pytest
import torch

import test_torchvision
from jaxart.errors import WeightsError, WeightsFileError
from jaxart.weights import convert, installed
from test_torchvision import torchvision_state
from test_weights import layer_arrays

weights_dir = test_torchvision.weights_dir  # the same autouse fixture: an empty weights folder per test


class _Trap:
    """Unpickling this calls `call` (a function and its arguments): code a malicious .pth would run."""

    call = None

    def __reduce__(self):
        return self.call


@pytest.mark.parametrize("code", ["open", "os.system"])
@pytest.mark.parametrize("writer", ["torch-zip", "legacy-pickle"])
def test_a_pth_whose_pickle_would_run_code_is_refused_and_the_code_never_runs(writer, code, tmp_path):
    marker = tmp_path / "code-ran"
    _Trap.call = (builtins.open, (str(marker), "w")) if code == "open" else (os.system, (f"touch {marker}",))
    state = {"features.0.weight": _Trap(), "features.0.bias": torch.zeros(64)}
    source = tmp_path / "evil.pth"
    if writer == "torch-zip":
        torch.save(state, source)
    else:
        with open(source, "wb") as f:
            pickle.dump(state, f, protocol=2)
        with open(source, "rb") as f:  # the trap is real: a plain unpickle runs it
            pickle.load(f)
        assert marker.exists()
        marker.unlink()

    with pytest.raises(WeightsError, match=r"refused .*evil.pth: its pickle holds code .*it calls .*(open|system)"):
        convert(source, "vgg16", "evil")
    assert not marker.exists() and installed() == []


TINY = (4, 8, 8, 8, 8)


def _rezip(archive: bytes, change) -> bytes:
    """A copy of a torch zip whose members' bytes are `change(name, data)`; None drops the member."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            if (data := change(item.filename, old.read(item))) is not None:
                new.writestr(item, data)
    return out.getvalue()


DAMAGED_PTH = {  # (written in the legacy format, damage): what a cut-off download or a bad disk leaves
    "legacy, first 30 bytes": (True, lambda b: b[:30]),
    "legacy, first 1000 bytes": (True, lambda b: b[:1000]),
    "legacy, first half": (True, lambda b: b[: len(b) // 2]),
    "a pickle of garbage": (True, lambda b: b'\x801e\xe2\x8c"\xa8\xd7'),  # torch also warns of "protocol 49"
    "zip, first half": (False, lambda b: b[: len(b) // 2]),
    "zip, first 100 bytes": (False, lambda b: b[:100]),
    "zip, data.pkl garbage": (False, lambda b: _rezip(b, lambda n, d: b"\x80\x02\xb7..." if n.endswith(".pkl") else d)),
    "zip without data.pkl": (False, lambda b: _rezip(b, lambda n, d: None if n.endswith(".pkl") else d)),
}


@pytest.mark.parametrize("case", sorted(DAMAGED_PTH))
def test_a_damaged_pth_is_one_error_saying_to_download_it_again_and_no_warning(case, tmp_path):
    legacy, damage = DAMAGED_PTH[case]
    whole = tmp_path / "whole.pth"
    state = torchvision_state(layer_arrays("vgg16", TINY), "vgg16")
    torch.save(state, whole, _use_new_zipfile_serialization=not legacy)
    source = tmp_path / "vgg16.pth"
    source.write_bytes(damage(whole.read_bytes()))
    with warnings.catch_warnings(record=True) as caught:  # a warning would be more lines on stderr
        warnings.simplefilter("always")
        with pytest.raises(WeightsFileError, match=rf"^{re.escape(str(source))} is a damaged or truncated PyTorch "
                                                   r"file \(.+\); download it again$"):
            convert(source, None, "tv")
    assert [str(w.message) for w in caught] == [] and installed() == []


@pytest.mark.parametrize("change, message", [(lambda k: k / 0, "holds NaN or infinite values in its kernel"),
                                             (lambda k: k.to(torch.int64), "holds int64 values in its kernel"),
                                             (lambda k: k.to(torch.complex64), "holds complex64 values in its kernel")],
                         ids=["inf", "int64", "complex64"])
def test_a_pth_of_values_a_load_would_refuse_is_refused_at_convert_naming_the_layer(change, message, tmp_path):
    state = torchvision_state(layer_arrays("vgg16"), "vgg16")  # real widths, which the reader checks
    state["features.10.weight"] = change(state["features.10.weight"])  # conv3_1
    source = tmp_path / "odd.pth"
    torch.save(state, source)
    with warnings.catch_warnings(record=True) as caught:  # torch warns when it casts complex to float
        warnings.simplefilter("always")
        with pytest.raises(WeightsFileError, match=rf"odd.pth: layer conv3_1 {message}"):
            convert(source, None, "odd")
    assert [str(w.message) for w in caught] == [] and installed() == []


def test_without_torch_a_pth_gives_one_error_naming_the_extra(tmp_path, monkeypatch):
    source = tmp_path / "vgg16.pth"
    torch.save({"features.0.weight": torch.zeros(64, 3, 3, 3)}, source)
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(WeightsError, match=r"needs torch; run `pip install 'jaxart\[torch\]'`"):
        convert(source, "vgg16", "tv")


def test_a_pth_declaring_a_tensor_larger_than_any_vgg_layer_is_refused_before_it_is_allocated(tmp_path):
    """One float16 value saved with zero strides is a tensor of 2**40 values in a small file: widening it to
    float32 asked the allocator for all 4 TiB (a forged shape of a few GiB was allocated and filled)."""
    source = tmp_path / "forged.pth"
    state = torchvision_state(layer_arrays("vgg16", TINY), "vgg16")
    state["features.0.weight"] = torch.zeros((), dtype=torch.float16).expand(2**10, 2**10, 2**10, 2**10)
    torch.save(state, source)
    with pytest.raises(WeightsFileError, match=r"forged.pth: features.0.weight declares a tensor of shape \(1024, "
                                               r"1024, 1024, 1024\), larger than any VGG layer's; .* download it again"):
        convert(source, None, "tv")
    assert installed() == []


def test_a_pth_whose_records_inflate_to_more_than_any_vgg_holds_is_refused_before_torch_reads_them(tmp_path):
    """A compressed record unpacks to what its zip entry declares: 2 GiB from a file of kilobytes (a zip bomb)."""
    whole, source = tmp_path / "whole.pth", tmp_path / "bomb.pth"
    torch.save(torchvision_state(layer_arrays("vgg16", TINY), "vgg16"), whole)
    with zipfile.ZipFile(whole) as old, zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, old.read(item))
        bomb = next(item for item in new.infolist() if "/data/" in item.filename)
        bomb.file_size = 2**31 - 1  # what the central directory declares, as a forger would write it
    with pytest.raises(WeightsFileError, match=r"bomb.pth declares 2.0 GiB of compressed tensors, more than any VGG "
                                               r"state dict holds; .* download it again"):
        convert(source, None, "tv")
    assert installed() == []
