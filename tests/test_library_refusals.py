"""The library refuses what the CLI refuses: a caller of `jaxart.sweep` or `job.stylize_files` is told, in library
words, of a tolerance that can never stop the run, and `jaxart.run`, `sweep` and `stylize_files` of a style blend
of one painting (both change nothing, where a caller reads them as asking for something)."""

from __future__ import annotations

import numpy as np
import pytest

import jaxart
from jaxart import StyleConfig, job, sweep, sweep_checks, weights

from conftest import write_tiny_job

NEVER = "tolerance 0.06 can never stop this run: "


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("library_refusals"))


@pytest.mark.parametrize("config, fix", [
    (StyleConfig(size=32, steps=20), "give steps=21 or more"),
    (StyleConfig(size=32, scales=(24, 32), scale_steps=(5, 15), steps=20),
     "give steps=5,16 (or more in the last scale)"),
])
def test_sweep_refuses_a_tolerance_that_can_never_stop_it(config, fix, tiny_vgg16):
    """It ran every step of every tile and said nothing (the CLI refused it; the library took it)."""
    image = np.zeros((24, 32, 3), np.float32)
    with pytest.raises(jaxart.InputError) as e:
        sweep.sweep(image, image, tiny_vgg16, config, [sweep.Setting(10, 1, 10)], tolerance=0.06,
                    callback=lambda *a: pytest.fail("refused only after a step"))
    assert str(e.value).startswith(NEVER) and f"{fix}, or drop tolerance" in str(e.value), e.value
    assert set(e.value.settings) == {"tolerance", "steps"}


def test_stylize_files_refuses_a_tolerance_that_can_never_stop_it(files, tmp_path, monkeypatch):
    d, model = files
    monkeypatch.setattr(job.transfer, "run", lambda *a, **k: pytest.fail("refused only once the run began"))
    w = weights.load_weights(model, download=False)
    with pytest.raises(jaxart.InputError, match=f"^{NEVER}.*give steps=21 or more, or drop tolerance$"):
        job.stylize_files(d / "photo.jpg", [d / "paint.png"], tmp_path / "out.png", StyleConfig(size=32, steps=20),
                          w, tolerance=0.06)
    assert list(tmp_path.iterdir()) == []


BLEND = ("style blend 0.5 weighs the paintings into one style, and one painting is given, so it changes nothing (the "
         "weights are normalized); for less of the painting, lower style-weight, or give more paintings to blend")


def test_a_style_blend_of_one_painting_is_refused_by_each_library_entry(files, tiny_vgg16, tmp_path, monkeypatch):
    """StyleConfig(style_blend=(0.5,)) with one painting gave the very pixels of no blend (the weights are
    normalized), where it reads as "half the style": the CLI refused it, jaxart.run, sweep and stylize_files took it."""
    config = StyleConfig(size=16, steps=2, style_blend=(0.5,))
    image = np.zeros((16, 16, 3), np.float32)
    for call in (lambda: jaxart.run(image, [image], weights=tiny_vgg16, config=config),
                 lambda: sweep.sweep(image, image, tiny_vgg16, config, [sweep.Setting(10, 1, 10)]),
                 lambda: job.stylize_files(files[0] / "photo.jpg", [files[0] / "paint.png"], tmp_path / "o.png",
                                           config, tiny_vgg16)):
        with pytest.raises(jaxart.InputError) as e:
            call()
        assert str(e.value) == BLEND and set(e.value.settings) == {"style_blend", "style_weight"}
    assert list(tmp_path.iterdir()) == []
    config.replace(style_blend=(0.5, 1.0)).validate(paintings=2)  # two paintings: weighed
    config.validate()  # the paintings unknown: judged where they are


@pytest.mark.parametrize("blend, paintings", [((0.5,), 2), ((0.5,), 1), ((0.5, 0.5, 1.0), 2)])
def test_a_style_blend_beside_a_mask_is_refused_as_the_mask_s_whatever_the_count(blend, paintings, tmp_path):
    """With a mask the paintings are the regions', and any blend is refused: a sweep's one weight for two regions was
    told "give one weight per painting", which once given the mask refused all the same."""
    (tmp_path / "mask.png").write_bytes(b"")  # a file: the blend is refused before the mask is read
    config = StyleConfig(size=32, steps=2, mask=str(tmp_path / "mask.png"), region_colors=("red", "blue")[:paintings],
                         style_blend=blend)
    for call in (lambda: config.validate(paintings=paintings),
                 lambda: sweep_checks.check(config, [sweep.Setting(10, 1, 10)], paintings=paintings)):
        with pytest.raises(jaxart.InputError, match="^style blend mixes styles over the whole image; with mask each "
                                                    "region has one style$"):
            call()
