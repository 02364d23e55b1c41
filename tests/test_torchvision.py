"""torchvision `.pth` weights: layout mapping, the registered download, and agreement with the Keras layout."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

import cli
import jaxart
from jaxart import vgg
from jaxart.errors import WeightsError
from jaxart.weights import convert, folder, installed, load, registry, store
from test_download import Server
from test_weights import assert_same_params, layer_arrays, write_h5


@pytest.fixture(autouse=True)
def weights_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "weights"))
    return tmp_path / "weights"


# The state dicts are built here with real VGG shapes (the reader checks them) and written with
# torch.save, so the files are what torchvision itself writes.
def torchvision_state(params: dict, arch: str, batch_norm: bool = False,
                      running_stats: bool = True) -> dict[str, torch.Tensor]:
    """`params` as torchvision's VGG state dict: features.N (conv, [BN,] ReLU, pools) + classifier; a
    BatchNorm2d made with track_running_stats=False keeps only its 1-D weight and bias."""
    state, index = {}, 0
    for b, n in enumerate(vgg.STAGES[arch], 1):
        for i in range(1, n + 1):
            p = params[f"conv{b}_{i}"]
            state[f"features.{index}.weight"] = torch.from_numpy(np.ascontiguousarray(p["kernel"].transpose(3, 2, 0, 1)))
            state[f"features.{index}.bias"] = torch.from_numpy(p["bias"])
            if batch_norm:
                state[f"features.{index + 1}.weight"] = torch.ones(p["bias"].shape)
                state[f"features.{index + 1}.bias"] = torch.zeros(p["bias"].shape)
                if running_stats:
                    state[f"features.{index + 1}.running_mean"] = torch.zeros(p["bias"].shape)
                    state[f"features.{index + 1}.running_var"] = torch.ones(p["bias"].shape)
            index += 3 if batch_norm else 2
        index += 1  # the max pool
    state["classifier.0.weight"] = torch.zeros(8, 16)  # the classifier is dropped, whatever its shape
    state["classifier.6.bias"] = torch.zeros(1000)
    return state


def random_params(arch: str, seed: int) -> dict:
    """Full-size He-initialised parameters with non-zero biases, as float32 NumPy."""
    rng, params, cin = np.random.default_rng(seed), {}, 3
    for name in vgg.conv_names(arch):
        cout = vgg.CHANNELS[int(name[4]) - 1]
        kernel = rng.normal(0, (2 / (9 * cin)) ** 0.5, (3, 3, cin, cout)).astype(np.float32)
        params[name] = {"kernel": kernel, "bias": rng.normal(0, 0.1, cout).astype(np.float32)}
        cin = cout
    return params


@pytest.mark.parametrize("arch", ["vgg16", "vgg19"])
def test_torchvision_state_dict_converts_with_arch_detected_and_torch_preprocessing(arch, tmp_path):
    params = layer_arrays(arch)
    source = tmp_path / f"{arch}-0123abcd.pth"
    torch.save(torchvision_state(params, arch), source)

    weights = load(convert(source, None, "tv"))

    assert_same_params(weights, params)  # kernels OIHW -> HWIO, distinct per layer, classifier gone
    assert weights.arch == arch
    assert weights.preprocess == vgg.Preprocess("torch", registry.TORCH_MEAN_RGB, registry.TORCH_STD_RGB)


def test_a_file_of_the_other_depth_or_with_batch_norm_is_refused(tmp_path):
    source = tmp_path / "vgg16.pth"
    torch.save(torchvision_state(layer_arrays("vgg16"), "vgg16"), source)
    with pytest.raises(WeightsError, match="has 13 convolutions, but vgg19 has 16; it is a vgg16"):
        convert(source, "vgg19", "tv")
    for running_stats in (True, False):  # without running stats, only its 1-D scales tell batch norm apart
        bn = tmp_path / f"vgg16_bn_{running_stats}.pth"
        torch.save(torchvision_state(layer_arrays("vgg16"), "vgg16", batch_norm=True, running_stats=running_stats), bn)
        with pytest.raises(WeightsError, match="batch-norm VGG"):
            convert(bn, None, "tv")
    assert installed() == []


@pytest.mark.parametrize("wrap", ["training checkpoint", "DataParallel"])
def test_a_checkpoint_or_data_parallel_state_dict_converts_to_the_same_weights(wrap, tmp_path):
    """Training scripts save {"state_dict": ..., "epoch": ...}, and nn.DataParallel prefixes every
    key with "module."; both hold the same network."""
    params = layer_arrays("vgg16")
    state = torchvision_state(params, "vgg16")
    state = ({"state_dict": state, "epoch": 90} if wrap == "training checkpoint"
             else {f"module.{k}": v for k, v in state.items()})
    source = tmp_path / "vgg16.pth"
    torch.save(state, source)
    assert_same_params(load(convert(source, None, "tv")), params)


def test_a_bias_of_another_width_is_refused_at_convert_naming_the_layer(tmp_path):
    params = layer_arrays("vgg16")
    params["conv2_1"]["bias"] = np.zeros(64, np.float32)
    source = tmp_path / "vgg16.pth"
    torch.save(torchvision_state(params, "vgg16"), source)
    with pytest.raises(WeightsError, match=r"features.5 \(conv2_1\) .* needs \(128, 64, 3, 3\) and \(128,\)"):
        convert(source, None, "tv")
    assert installed() == []


@pytest.mark.parametrize("shape", [(64, 27), (64, 3, 9), (64, 3, 3, 3, 1)], ids=["2-D", "3-D", "5-D"])
def test_a_kernel_of_another_rank_is_refused_at_convert_naming_the_layer(shape, tmp_path):
    """A flattened conv1_1 kernel was left out of the count: "has 12 convolutions; a VGG16 has 13"."""
    state = torchvision_state(layer_arrays("vgg16"), "vgg16")
    state["features.0.weight"] = torch.zeros(shape)
    source = tmp_path / "vgg16.pth"
    torch.save(state, source)
    with pytest.raises(WeightsError, match=r"features.0 \(conv1_1\) has shapes \[\(" + ", ".join(map(str, shape))):
        convert(source, None, "tv")
    assert installed() == []


def test_a_pth_of_one_convolution_says_so_in_the_singular(tmp_path):
    source = tmp_path / "one.pth"
    torch.save({"features.0.weight": torch.zeros(64, 3, 3, 3), "features.0.bias": torch.zeros(64)}, source)
    with pytest.raises(WeightsError, match=r"one.pth has 1 convolution; a VGG16 has 13"):
        convert(source, None, "tv")


@pytest.mark.parametrize("asked, found, flag", [("keras-h5", "PyTorch .pth file", "torchvision"),
                                                ("torchvision", "Keras VGG HDF5 file", "keras-h5")])
def test_cli_names_the_layout_a_file_looks_like(asked, found, flag, tmp_path):
    params = layer_arrays("vgg16", widths=(4, 8, 8, 8, 8))
    source = tmp_path / "weights.bin"  # the name says nothing; the contents decide
    if flag == "torchvision":
        torch.save(torchvision_state(params, "vgg16"), source)
    else:
        write_h5(source, params, "keras2")
    result = CliRunner().invoke(cli.app, ["weights", "convert", str(source), "--name", "x", "--format", asked])
    assert result.exit_code != 0 and installed() == []
    message = str(result.exception)
    assert "\n" not in message and f"looks like a {found}" in message and f"--format {flag}" in message


def test_keras_and_torchvision_files_of_one_network_give_the_same_features(tmp_path, monkeypatch):
    """One random VGG16 written as torchvision would (RGB, mean/std) and as Keras would (BGR, x255).

    With the caffe mean equal to 255 x torchvision's mean (BGR), both preprocessings send a pixel
    to the same point up to a per-channel scale, which the Keras file's first kernel absorbs, and
    zero padding means the same colour in both; so every activation must agree.
    """
    params = random_params("vgg16", seed=3)
    torch_file = tmp_path / "vgg16-syn.pth"
    torch.save(torchvision_state(params, "vgg16"), torch_file)
    std = np.asarray(registry.TORCH_STD_RGB, np.float32)
    keras = dict(params, conv1_1={"kernel": params["conv1_1"]["kernel"][:, :, ::-1, :] / (255 * std[::-1, None]),
                                  "bias": params["conv1_1"]["bias"]})
    keras_file = tmp_path / "vgg16-syn.h5"
    write_h5(keras_file, keras, "keras2")
    caffe = vgg.Preprocess("caffe", tuple(255 * m for m in registry.TORCH_MEAN_RGB[::-1]))
    digest = hashlib.md5(keras_file.read_bytes()).hexdigest()
    monkeypatch.setitem(registry.SOURCES, "syn-keras", dataclasses.replace(
        registry.SOURCES["vgg16"], name="syn-keras", checksum=f"md5:{digest}",
        size=keras_file.stat().st_size, preprocess=caffe))

    runner = CliRunner()
    for path, name in ((torch_file, "syn-torch"), (keras_file, "syn-keras")):
        result = runner.invoke(cli.app, ["weights", "convert", str(path), "--name", name])
        assert result.exit_code == 0, result.output
    from_torch, from_keras = jaxart.load_weights("syn-torch"), jaxart.load_weights("syn-keras")
    assert (from_torch.preprocess.kind, from_keras.preprocess.kind) == ("torch", "caffe")

    image = np.random.default_rng(0).uniform(0, 1, (2, 32, 32, 3)).astype(np.float32)
    layers = [n for n in vgg.layer_names("vgg16") if n.startswith("relu")]
    a, b = jaxart.features(from_torch, image, layers), jaxart.features(from_keras, image, layers)
    for layer in layers:
        scale = float(np.abs(a[layer]).max())
        assert scale > 0, layer
        np.testing.assert_allclose(np.asarray(b[layer]), np.asarray(a[layer]), rtol=1e-4, atol=1e-4 * scale,
                                   err_msg=layer)


def test_a_registered_torchvision_source_downloads_verifies_its_prefix_and_converts(tmp_path, monkeypatch):
    params = layer_arrays("vgg16")
    source = tmp_path / "vgg16-test.pth"
    torch.save(torchvision_state(params, "vgg16"), source)
    body = source.read_bytes()
    server = Server(body, ["ok"])
    try:
        monkeypatch.setitem(registry.SOURCES, "tv-test", dataclasses.replace(
            registry.SOURCES["vgg16-torchvision"], name="tv-test", url=server.url, size=len(body),
            checksum="sha256:" + hashlib.sha256(body).hexdigest()[:8]))
        weights = jaxart.load_weights("tv-test")
    finally:
        server.close()
    assert_same_params(weights, params)
    assert weights.preprocess.kind == "torch" and store.verify(folder.path_for("tv-test"))
    assert store.read_metadata(folder.path_for("tv-test"))["layout"] == "torchvision"
