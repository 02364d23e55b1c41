"""README's "Library" and "Research use" sections as code: the example runs, the names it gives exist."""

from __future__ import annotations

import ast
import inspect
import re

import jax
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


def _inline_calls(title: str) -> list[tuple[str, set[str]]]:
    """The section's `inline code` that is a Python call expression (with the names it uses), leaving out
    elided ones (`...`)."""
    calls = []
    for span in re.findall(r"`([^`\n]+)`", _section(title)):
        try:
            tree = ast.parse(span, mode="eval")
        except SyntaxError:
            continue
        if "(" in span and "..." not in span:
            calls.append((span, {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}))
    return calls


def test_the_inline_calls_run_with_tiny_inputs(tiny_vgg16, rng):
    """Each call the prose shows, evaluated where every name it uses means what the prose says."""
    photo = rng.random((30, 40, 3), dtype=np.float32)
    painting = rng.random((20, 20, 3), dtype=np.float32)
    # random: the sweep's seeds differ. Layers up to relu2_2: each call runs as with the default ones, and the run's,
    # the sweep's and the losses' programs compile in about half the time (16.0 s -> 9.6 s at load 5).
    config = jaxart.StyleConfig(size=32, steps=2, init="random", content_layers=("relu2_2",),
                                style_layers=("relu1_1", "relu2_1"))
    x = jaxart.margin.pad(photo, 8)
    scope = {"jax": jax, "jaxart": jaxart, "weights": tiny_vgg16, "photo": photo, "content": photo,
             "style": painting, "painting": painting, "config": config, "image": x, "x": x, "i": 1,
             "total_loss": jaxart.total_loss, "lw": jaxart.LossWeights.of(config), "p": None,  # a lambda parameter
             "targets": jaxart.make_targets(tiny_vgg16, x, [painting], config),
             "settings": jaxart.sweep.grid([1, 10]), "grid": jaxart.sweep.grid([1, 10])}
    ran = {}
    for title in ["Library", "Research use"]:
        for span, names in _inline_calls(title):
            if names <= scope.keys() and span != "jax.distributed.initialize()":  # that one needs a cluster
                ran[span] = eval(span, dict(scope))
    assert len(ran) >= 10, sorted(ran)

    def one(start):  # the span's result, found by how it starts, so an edited argument is run, not missed
        (value,) = [v for k, v in ran.items() if k.startswith(start)]
        return value

    assert one("jaxart.margin.crop(").shape == photo.shape
    feats = one("jax.jit(jaxart.features,")(tiny_vgg16, photo, layers=("relu1_1",))
    assert feats["relu1_1"].shape == (30, 40, 4)
    loss = one("jax.jit(jaxart.total_loss,")
    assert np.isfinite(loss(tiny_vgg16, x, scope["targets"], config, jaxart.LossWeights.of(config))[0])
    assert np.isfinite(one("total_loss(")[0])
    fun = one("jaxart.objective.loss_function(")
    assert float(jax.jit(lambda f, x: f(x)[0])(fun, x)) == pytest.approx(float(one("total_loss(")[0]), rel=1e-6)
    outcome = one("jaxart.run(")  # its callback asks to stop at step 50; this config has 2
    assert outcome.steps == 2 and not outcome.stopped and outcome.image.shape == (24, 32, 3)
    swept = one("jaxart.sweep.sweep(")
    assert swept.images.shape == (6, 24, 32, 3) and swept.devices >= 1 and set(swept.terms) >= {"total", "style"}


def test_the_sheet_call_research_use_shows_writes_what_the_command_writes(tiny_vgg16, rng, tmp_path):
    """Run as written: `import jaxart` gave no `jaxart.sheet` (an AttributeError)."""
    (span,) = [span for span, _ in _inline_calls("Research use") if span.startswith("jaxart.sheet.write(")]
    config = jaxart.StyleConfig(size=16, steps=1, margin=0)
    photo, painting = rng.random((16, 16, 3), dtype=np.float32), rng.random((16, 16, 3), dtype=np.float32)
    result = jaxart.sweep.sweep(photo, painting, tiny_vgg16, config, jaxart.sweep.grid([1, 10]))
    files = eval(span, {"jaxart": jaxart, "path": tmp_path / "grid.png", "result": result, "config": config})
    assert [p.name for p in files] == ["grid.png", "grid.html", "grid-00.png", "grid-01.png"]
    tile = jaxart.read_record(tmp_path / "grid-01.png")
    assert tile["config"]["style_weight"] == 10 and tile["steps"] == 1 and tile["sheet"] == "grid.png"
    assert tile["loss"]["total"] == pytest.approx(float(result.terms["total"][1]))


@pytest.mark.parametrize("changes, flags", [
    ({"scales": (32, 64), "start_size": 32, "size": 64}, "give --scales or --start-size, not both"),
    ({"scale_steps": (5, 5)}, "2 step counts need --scales or --start-size; give one --steps number"),
    ({"region_colors": ("red",)}, "region styles need --mask, the image whose colours mark the regions"),
    ({"mask": __file__, "region_colors": ("red", "blue"), "style_blend": (1.0, 1.0)},
     "--style-blend mixes styles over the whole image; with --mask each region has one style"),
])
def test_validate_refuses_with_an_input_error_naming_its_settings_not_flags(changes, flags):
    """README: validate's checks are InputErrors that name settings in words or dashes and list their fields in
    `settings`; the command line's line names each by its flag (jaxart_cli.errors: `naming(FLAGS)`)."""
    from jaxart_cli.options import FLAGS
    with pytest.raises(jaxart.InputError) as caught:
        jaxart.StyleConfig(**changes).validate()
    assert "--" not in str(caught.value) and caught.value.settings
    assert caught.value.naming(FLAGS) == flags


@pytest.mark.parametrize("changes", [{"scales": 2}, {"style_blend": np.float32(1)}, {"scale_steps": np.array(100)},
                                     {"style_layer_weights": {"relu1_1": 1.0, "relu2_1": 1.0}}])
def test_a_number_or_dict_where_a_list_goes_is_a_type_error_naming_the_field(changes):
    """README: a number was "'int' object is not iterable", naming no field; a dict, as total_loss' layer_weights,
    became its keys, refused later as weights 'relu1_1' and 'relu2_1'."""
    (field,) = changes
    with pytest.raises(TypeError, match=rf"^{field} is .*; give a list or tuple, such as \("):
        jaxart.StyleConfig(**changes)
