"""The library's weights functions given what a user may pass by mistake (a folder, a file's name for a weight set's,
an image's or a Keras file's name, a name too long, widths of no channel counts, a Weights for its arch): one
exception saying what was wrong and what to give."""

from __future__ import annotations

import jax
import pytest

import jaxart
from jaxart.errors import InputError, WeightsFileError


def test_load_weights_of_a_folder_says_it_is_a_folder(tmp_path):
    """It said the folder did not exist."""
    with pytest.raises(WeightsFileError, match="is a folder; give a .safetensors file in it"):
        jaxart.load_weights(tmp_path)


def test_load_weights_of_a_name_with_its_suffix_says_to_give_the_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WeightsFileError, match="for the weight set 'vgg19' give its name alone, without .safetensors"):
        jaxart.load_weights("vgg19.safetensors")


@pytest.mark.parametrize("kwargs, error, says", [
    ({"widths": 4}, ValueError, "widths must be 5 channel counts, one per stage, .*; got 4$"),
    ({"widths": (0, 8, 8, 8, 8)}, ValueError,
     r"^widths must be whole numbers of channels >= 1, .*; got \(0, 8, 8, 8, 8\), where 0 is not$"),
    ({"widths": (8, 8, 8.0, 8, 8)}, ValueError, r"where 8\.0 is not$"),
    ({"widths": (8, True, 8, 8, 8)}, ValueError, r"where True is not$"),  # was a 1-channel stage
    ({"preprocess": "caffe"}, TypeError, "preprocess must be a jaxart.Preprocess"),
])
def test_random_weights_misuse_is_one_clear_error(kwargs, error, says):
    """widths=4 was "object of type 'int' has no len()", five with a 0 "must be 5 channel counts"; a preprocess
    name gave weights that failed in `features`."""
    with pytest.raises(error, match=says):
        jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", **kwargs)


def test_layer_names_of_weights_says_to_give_their_arch(tiny_vgg16):
    """It was "unhashable type: 'dict'"."""
    with pytest.raises(TypeError, match="arch must be a name, 'vgg16' or 'vgg19', got a Weights; for a Weights, "
                                        "give weights.arch"):
        jaxart.layer_names(tiny_vgg16)
    assert jaxart.layer_names(tiny_vgg16.arch)[-1] == "pool5"


def test_loading_weights_by_a_name_too_long_says_what_to_do():
    """A bare name (no separator, no .safetensors) is looked up in the weights folder: a bare OSError."""
    with pytest.raises(WeightsFileError, match="^could not read installed weights .*give a shorter path$"):
        jaxart.load_weights("x" * 300)


def test_loading_weights_by_an_image_or_a_keras_files_name_says_it_is_no_weight_set():
    with pytest.raises(InputError, match=r"^junk.png is an image, not weights: give a weight set's name \(.*\) or a "
                                         r"\.safetensors file; a \.h5 or \.pth file goes through `jaxart weights convert` first$"):
        jaxart.load_weights("junk.png")
    with pytest.raises(InputError, match=r"^x.pth is not converted weights; convert it first: jaxart weights convert x.pth --name NAME$"):
        jaxart.load_weights("x.pth")
