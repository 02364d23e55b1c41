"""`features`' `layers` given as a NumPy array: a 1-D array of names is those names, as a list of them is; any
other array, or a number, is refused naming what it is, where a 2-D one failed on NumPy's "truth value of an
array with more than one element is ambiguous" and a 0-D one on "iteration over a 0-d array". StyleConfig takes
its layers as `features` does, as plain str, and names what else it is given."""

import numpy as np
import pytest

import jaxart
from jaxart import layers
from jaxart.config import StyleConfig

PHOTO = np.linspace(0, 1, 16 * 12 * 3, dtype=np.float32).reshape(16, 12, 3)
SEQUENCE = r"give (them|the layer names) as a list, tuple or 1-D array, such as \['relu4_2'\]$"


def test_a_1d_array_of_names_gives_what_the_list_gives_keyed_by_plain_names(tiny_vgg16):
    names = ["relu1_1", "relu2_1"]
    listed = jaxart.features(tiny_vgg16, PHOTO, names)
    arrayed = jaxart.features(tiny_vgg16, PHOTO, np.array(names))
    assert list(arrayed) == names and all(type(k) is str for k in arrayed), "keys of np.str_, printed as such"
    for name in names:
        np.testing.assert_array_equal(arrayed[name], listed[name])
    assert layers.as_layers(np.array(names, dtype=object)) == tuple(names)
    layers.check_layers("vgg16", np.array(names))  # accepted as the sequence it is


@pytest.mark.parametrize("given, said", [
    (np.array([["relu1_1", "relu2_1"]]), r"^layers is a 2-D NumPy array, shape \(1, 2\); "),  # was: ambiguous
    (np.array([["relu1_1"], ["relu2_1"]]), r"^layers is a 2-D NumPy array, shape \(2, 1\); "),  # was: IndexError
    (np.array("relu1_1"), r"^layers is a 0-D NumPy array, shape \(\); "),
    (3, "^layers is the int 3, not layer names; "),
])
def test_any_other_array_or_a_number_is_refused_by_name(tiny_vgg16, given, said):
    with pytest.raises(TypeError, match=said + SEQUENCE):
        jaxart.features(tiny_vgg16, PHOTO, given)


@pytest.mark.parametrize("given, said", [
    ([3], "the int 3"),  # was: "layer 3 does not exist"
    (np.array([1, 2]), "the int64 1"),
    ([b"relu1_1"], "the bytes b'relu1_1'"),
])
def test_an_entry_that_is_no_name_is_refused_as_such(tiny_vgg16, given, said):
    with pytest.raises(ValueError, match=rf"^a layer is {said}, not a layer name; give names \(str\) such as "
                                         r"'relu4_2'$"):
        jaxart.features(tiny_vgg16, PHOTO, given)


def test_a_config_with_a_number_for_a_layer_says_so():
    with pytest.raises(ValueError, match=r"^a style layer is the int 3, not a layer name; give names \(str\) such "
                                         r"as 'relu4_2'"):
        jaxart.StyleConfig(content_layers=("relu1_1",), style_layers=(3,)).validate("vgg16")


def test_config_takes_layers_as_features_does_and_names_the_rest(tiny_vgg16):
    names = np.array(["relu1_1", "relu2_1"])  # a 1-D array of names, as features takes it
    config = StyleConfig(content_layers=np.array(["relu2_2"]), style_layers=names).validate("vgg16")
    assert config.content_layers == ("relu2_2",) and config.style_layers == ("relu1_1", "relu2_1")
    assert all(type(n) is str for n in config.style_layers)  # plain str: hashable, JSON round-trips
    assert StyleConfig.from_json(config.to_json()) == config and hash(config) == hash(config.replace())
    assert set(config.style_layers) <= set(jaxart.features(tiny_vgg16, np.zeros((16, 16, 3), np.float32), names))
    assert StyleConfig(content_layers=(), content_weight=0).content_layers == ()  # none: no content loss, as before
    for field, kind in (("content_layers", "content"), ("style_layers", "style")):
        with pytest.raises(TypeError, match=f"^{kind} layers is a 2-D NumPy array, shape \\(1, 1\\); give the layer names"):
            StyleConfig(**{field: np.array([["relu4_2"]])})  # was "unhashable type: 'numpy.ndarray'" in validate
        with pytest.raises(ValueError, match=f"^a {kind} layer is the bytes b'relu4_2', not a layer name"):
            StyleConfig(**{field: [b"relu4_2"]})
        with pytest.raises(TypeError, match=f"^{kind} layers is None; .* or \\(\\) to leave that loss out$"):
            StyleConfig(**{field: None})


def test_a_layer_passed_traced_through_jit_is_told_to_be_static(tiny_vgg16):
    import jax

    static = r"; layer names choose the program, so give them as static Python strings \(jax.jit\(\.\.\., " \
             r"static_argnames='layers'\), or close over them\), such as 'relu4_2'"
    one = jax.jit(lambda w, x, layer: jaxart.features(w, x, [layer]))
    with pytest.raises(ValueError, match=r"^a layer is traced \(int32\[\]\)" + static):  # was "JitTracer(int32[])"
        one(tiny_vgg16, PHOTO, 3)
    with pytest.raises(TypeError, match=r"^layers is traced \(int32\[2\]\)" + static):
        jax.jit(jaxart.features)(tiny_vgg16, PHOTO, np.arange(2, dtype=np.int32))
    out = jax.jit(jaxart.features, static_argnames="layers")(tiny_vgg16, PHOTO, layers=("relu1_1",))
    assert list(out) == ["relu1_1"]  # what the message says to do works
