"""The library refuses what the CLI refuses: a caller of `jaxart.sweep` or `job.stylize_files` is told, in library
words, of a tolerance that can never stop the run, and `jaxart.run`, `sweep` and `stylize_files` of a style blend
of one painting (both change nothing, where a caller reads them as asking for something)."""

from __future__ import annotations

import numpy as np
import pytest

import jaxart
from jaxart import StyleConfig, job, sweep, weights

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
