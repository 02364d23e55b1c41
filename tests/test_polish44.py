"""Small refusals an audit found saying more, or less, than the user typed."""

import numpy as np
import pytest

import jaxart
from jaxart import sweep
from conftest import run_main, write_tiny_job

CONFIG = jaxart.StyleConfig(size=16, steps=4, init="random")


def test_a_setting_listed_twice_is_named_in_words():
    """It read "the setting Setting(style_weight=10, ...) is listed twice": Python's repr, not the words the other
    sweep refusals use."""
    twice = [sweep.Setting(10, 1, 10), sweep.Setting(1, 1, 10), sweep.Setting(10, 1, 10)]
    with pytest.raises(jaxart.InputError) as e:
        sweep.check(CONFIG, twice)
    assert str(e.value) == ("the setting style 10, content 1, tv 10 is listed twice, which would give two identical "
                            "images; list each setting once")


def test_a_refused_setting_names_a_seed_only_where_one_was_swept():
    """It read "the setting style -1, content 1, tv 10, seed 0: ...": a seed the user never gave."""
    with pytest.raises(jaxart.InputError, match=r"^style-weight must"):  # the value it says names the setting
        sweep.check(CONFIG, [sweep.Setting(-1, 1, 10)])
    with pytest.raises(jaxart.InputError, match=r"^style-weight must"):
        sweep.check(CONFIG, [sweep.Setting(-1, 1, 10), sweep.Setting(-1, 1, 10, 1)])


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_damaged_init_image_is_named_as_typed(command, tmp_path, monkeypatch, capsys):
    """It named the absolute path the CLI records (/tmp/.../bad.png), where a damaged photo's names it as typed."""
    d, model = write_tiny_job(tmp_path)
    monkeypatch.chdir(d)
    (d / "bad.png").write_bytes(b"not a png")
    code, _, err = run_main([command, "photo.jpg", "paint.png", "-o", "out.png", "--model", model, "--size", "32",
                             "--steps", "1", "--init", "bad.png"], monkeypatch, capsys)
    assert code == 2 and err == "error: bad.png is not in an image format Pillow can read; convert it to PNG or JPEG"
    assert not (d / "out.png").exists()


def test_a_bad_tolerance_says_library_words_to_a_library_caller(tiny_vgg16):
    """It told a caller of jaxart.sweep (or stylize_files) "e.g. --tolerance 0.001", a flag it has no use for;
    the CLI's line names the flag (jaxart_cli.errors: `naming`), as test_tolerance checks of stylize."""
    from jaxart_cli.options import FLAGS

    image = np.zeros((16, 16, 3), np.float32)
    with pytest.raises(jaxart.InputError) as e:
        sweep.sweep(image, image, tiny_vgg16, CONFIG, [sweep.Setting(10, 1, 10)], tolerance=-1)
    assert "e.g. tolerance=0.001 (stop" in str(e.value) and "--" not in str(e.value), e.value
    assert e.value.naming(FLAGS).startswith("--tolerance -1 is negative: ")
    assert "e.g. --tolerance 0.001 (stop" in e.value.naming(FLAGS)


def test_a_sweep_callback_returning_true_stops_the_sweep_there(tiny_vgg16):
    """As `jaxart.run`'s callback does (README API): it went on to the last step of the last scale."""
    rng = np.random.default_rng(0)
    photo, painting = rng.random((20, 20, 3), np.float32), rng.random((16, 16, 3), np.float32)
    config = CONFIG.replace(scales=(16, 24), size=24, steps=3)
    seen = []
    got = sweep.sweep(photo, painting, tiny_vgg16, config, sweep.grid([1.0, 10.0]),
                      callback=lambda i, carry: seen.append(i) or np.bool_(i == 2))
    assert seen == [1, 2] and got.steps.tolist() == [2, 2] and got.stopped.tolist() == [True, True]
    assert got.images.shape[1:3] == (16, 16) and got.ok.all()  # the first scale's image, as run's
    got = sweep.sweep(photo, painting, tiny_vgg16, config, sweep.grid([1.0]), callback=lambda i, carry: 1)
    assert got.steps.tolist() == [6] and not got.stopped.any()  # not True: it goes on, as run's
