"""README's "Library" and "Research use" sections as code: the example runs, the names it gives exist."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

import jaxart

from conftest import ROOT


def _section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def _python_blocks(title: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", _section(title), re.S)


def test_the_library_example_runs_and_gives_what_its_comments_say(tiny_vgg16, tmp_path, monkeypatch):
    """Run as written, but with tiny weights and a 32 px, 2-step config, so it takes seconds."""
    from PIL import Image

    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (30, 40, 3), np.uint8)).save(tmp_path / "photo.jpg")
    Image.fromarray(rng.integers(0, 255, (20, 20, 3), np.uint8)).save(tmp_path / "painting.jpg")
    monkeypatch.chdir(tmp_path)
    real_load, real_config = jaxart.load_weights, jaxart.StyleConfig

    def load_weights(*args, **kwargs):
        inspect.signature(real_load).bind(*args, **kwargs)  # the README's call must fit the real one
        return tiny_vgg16

    monkeypatch.setattr(jaxart, "load_weights", load_weights)
    monkeypatch.setattr(jaxart, "StyleConfig", lambda **kw: real_config(**{**kw, "size": 32, "steps": 2}))
    (block,) = _python_blocks("Library")
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)

    photo, image, feats, grams = scope["photo"], scope["image"], scope["feats"], scope["grams"]
    assert photo.shape == (30, 40, 3) and photo.dtype == np.float32 and 0 <= photo.min() <= photo.max() <= 1
    assert isinstance(image, np.ndarray) and image.shape == (24, 32, 3) and 0 <= image.min() <= image.max() <= 1
    assert sorted(feats) == ["relu1_1", "relu4_2"]
    channels = feats["relu1_1"].shape[-1]
    assert grams.shape == (channels, channels) and np.isfinite(grams).all()


@pytest.mark.parametrize("title", ["Library", "Research use"])
def test_every_jaxart_name_the_section_gives_exists(title):
    """`jaxart.x.y` in prose or code is a promise to JAX users; a renamed function must not leave it stale."""
    names = set(re.findall(r"\bjaxart(?:\.[A-Za-z_]\w*)+", _section(title)))
    assert names, f"no jaxart names found in {title!r}"
    missing = []
    for name in sorted(names):
        obj = jaxart
        for part in name.split(".")[1:]:
            if not hasattr(obj, part):
                missing.append(name)
                break
            obj = getattr(obj, part)
    assert not missing, f"README's {title!r} names {missing}, which jaxart does not have"
