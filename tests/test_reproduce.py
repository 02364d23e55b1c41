"""`jaxart info --command`: the stylize command it prints makes the same image again and names every
setting that differs from the defaults and only those (its warnings: test_reproduce_warnings.py)."""

import dataclasses
import shlex

import numpy as np
import pytest
import typer
from PIL import Image

import cli
from jaxart import reproduce, transfer
from jaxart.config import StyleConfig
from jaxart.errors import InputError
from jaxart.image_record import read_record
from jaxart.output import save_image

from conftest import run_main, write_tiny_job


# Non-default settings a user would vary, on the tiny job: two paintings, 8 px margin changed, ...
RUN = ["--size", "32", "--steps", "3", "--seed", "5", "--init", "random", "--style-weight", "100",
       "--tv-weight", "0.5", "--style-layers", "relu1_1,relu2_1", "--colors", "luminance", "--margin", "4",
       "--style-blend", "1,3", "--conv", "direct", "--background", "#102030"]


def stylize_options():
    stylize = typer.main.get_command(cli.app).commands["stylize"]
    return {opt for p in stylize.params for opt in p.opts + p.secondary_opts}


def test_every_config_field_is_an_option_or_listed_as_not_needed():
    fields = {f.name for f in dataclasses.fields(StyleConfig)}
    assert set(reproduce.OPTIONS) | set(reproduce.NOT_NEEDED) == fields  # a new field must be placed
    assert not set(reproduce.OPTIONS) & set(reproduce.NOT_NEEDED)
    assert set(reproduce.OPTIONS.values()) <= stylize_options()  # each is a real stylize option


def test_printed_command_makes_the_same_image(tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path)
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (24, 16, 3), np.uint8)).save(d / "paint2.png")
    first, second = d / "first.png", d / "first-2.png"
    code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), str(d / "paint2.png"),
                             "--model", model, "-o", str(first), "-q", *RUN], monkeypatch, capsys)
    assert code == 0, err
    code, out, err = run_main(["info", str(first), "--command"], monkeypatch, capsys)
    assert code == 0 and err == "" and out.count("\n") == 1
    argv = shlex.split(out)
    assert argv[:2] == ["jaxart", "stylize"] and argv[argv.index("--model") + 1] == model
    assert argv[argv.index("--background") + 1] == "16,32,48" and "--format" not in argv
    # It printed first.png, where the command, run as printed, was refused: "already exists".
    assert argv[argv.index("--output") + 1] == str(second), out
    code, _, err = run_main([*argv[1:], "-q"], monkeypatch, capsys)
    assert code == 0, err
    a, b = read_record(first), read_record(second)
    assert a["config"] == b["config"] and a["inputs"] == b["inputs"] and a["model_path"] == b["model_path"]
    # One process, one machine, the same compiled programs: CPU runs repeat to the bit.
    np.testing.assert_array_equal(np.asarray(Image.open(first)), np.asarray(Image.open(second)))


def _record(config: StyleConfig, d, **extra) -> dict:
    return {"jaxart": "0.2.0", "config": config.to_dict(), "model": "vgg19",
            "inputs": {"content": str(d / "photo.jpg"), "styles": [str(d / "paint.png")], "background": [255] * 3},
            **extra}


def _install(d, monkeypatch, name="vgg19"):
    """A weights folder in `d` holding the tiny weights as `name` (records of `_record` name vgg19)."""
    (d / "weights").mkdir(exist_ok=True)
    (d / "weights" / f"{name}.safetensors").write_bytes((d / "tiny.safetensors").read_bytes())
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(d / "weights"))
    return d / "weights" / f"{name}.safetensors"


def test_default_settings_give_a_short_command(tmp_path, monkeypatch, capsys):
    d, _ = write_tiny_job(tmp_path)
    _install(d, monkeypatch)
    save_image(d / "out.png", np.zeros((4, 4, 3)), _record(StyleConfig(), d))
    code, out, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
    assert (code, err) == (0, "")
    assert shlex.split(out) == ["jaxart", "stylize", str(d / "photo.jpg"), str(d / "paint.png"),
                                "--output", str(d / "out-2.png"), "--model", "vgg19"]
    save_image(d / "out16.png", np.zeros((4, 4, 3)), _record(StyleConfig(), d), "png16")
    assert reproduce.command(read_record(d / "out16.png"), d / "out16.png", "png16")[-2:] == ["--format", "png16"]


# Two configs that between them set every option of OPTIONS to something other than its default.
def _configs(d, mask):
    a = StyleConfig(size=48, scales=(32, 48), scale_steps=(2, 3), steps=5, optimizer="adam", learning_rate=0.07,
                    content_layers=("relu2_2",), style_layers=("relu1_1", "relu2_1"), style_layer_weights=(1.0, 0.25),
                    content_weight=2.0, style_weight=1e-5, tv_weight=0.0, mask=str(mask),
                    region_colors=("red", "#0000ff"), keep_colors=("lime",), colors="match-pca", style_scale=0.75,
                    margin=0, pooling="avg", loop="scan", remat=True, conv="direct")
    b = StyleConfig(size=48, start_size=24, steps=4, seed=9, init=str(d / "paint.png"), linesearch="zoom",
                    lbfgs_memory=3, style_blend=(2.0, 1.0), style_layers=("relu1_1",), colors="luminance",
                    match_luminance=False)
    return a, b


def test_every_option_parses_back_to_the_recorded_config(tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path)
    mask = np.zeros((30, 40, 3), np.uint8)
    mask[:, :20, 0], mask[:, 20:, 2] = 255, 255
    mask[:5] = (0, 255, 0)  # a lime stripe keeps the photo
    Image.fromarray(mask).save(d / "mask.png")
    configs = _configs(d, d / "mask.png")
    assert {f for f in reproduce.OPTIONS if any(getattr(c, f) != getattr(StyleConfig(), f) for c in configs)} \
        == set(reproduce.OPTIONS)
    seen = []
    monkeypatch.setattr("jaxart.job.stylize_files", lambda content, styles, output, config, w, **kw: seen.append(
        (content, styles, output, config, kw)) or transfer.Outcome(np.zeros((4, 4, 3)), dict.fromkeys(
            ("total", "content", "style", "tv"), 0.0), config.steps, 0.0))
    for config in configs:
        record = _record(config, d, model_path=model)
        record["inputs"]["styles"].append(str(d / "photo.jpg"))
        argv = reproduce.command(record, d / "out.tif", "tiff")
        code, _, err = run_main([*argv[1:], "-q"], monkeypatch, capsys)
        assert code == 0, err
        content, styles, output, got, kw = seen.pop()
        assert got == config and kw["fmt"] == "tiff" and output == d / "out.tif" and kw["model"] == model
        assert [str(content), *map(str, styles)] == [record["inputs"]["content"], *record["inputs"]["styles"]]
    assert "--learning-rate" not in reproduce.command(_record(StyleConfig(learning_rate=0.5), d), "x.png")
    assert "--lbfgs-memory" not in reproduce.command(_record(StyleConfig(lbfgs_memory=3, optimizer="adam"), d), "x.png")


def test_older_records_take_defaults_or_fail_in_one_line(tmp_path, monkeypatch, capsys):
    d, _ = write_tiny_job(tmp_path)
    old = _record(StyleConfig(), d)
    del old["model"], old["inputs"]["background"]
    old["config"] = {"size": 256, "steps": 100}  # fields added since take their defaults, but for the margin:
    save_image(d / "old.png", np.zeros((4, 4, 3)), old)  # 0.1 optimized the image alone, so --margin 0 remakes it
    code, out, err = run_main(["info", str(d / "old.png"), "--command"], monkeypatch, capsys)
    assert (code, err) == (0, "")
    assert shlex.split(out)[4:] == ["--output", str(d / "old-2.png"), "--size", "256", "--steps", "100",
                                    "--margin", "0"]
    for name, broken, says in [("gone.png", {**old, "config": {"size": 256, "gone_field": 1}},
                                # was "has config config fields ['gone_field'] ..."
                                "has config fields ['gone_field'] this jaxart does not know; run the jaxart that"),
                               ("bare.png", {"jaxart": "0.1.0", "config": {}}, "names no content and style"),
                               # was "has field config.scales has the wrong type this jaxart does not know"
                               ("typed.png", {**old, "config": {"size": 256, "scales": "abc"}},
                                "the run record's field config.scales has the wrong type; it was edited or damaged")]:
        save_image(d / name, np.zeros((4, 4, 3)), broken)
        code, out, err = run_main(["info", str(d / name), "--command"], monkeypatch, capsys)
        assert code == 2 and out == "" and err.count("\n") == 0 and says in err


def test_a_sweep_tile_gives_the_stylize_command_of_its_setting(tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path)
    tile = 1  # style weight 100
    sheet = d / "grid.png"
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--style-weight", "1,100",
                             "--size", "32", "--steps", "2", "--style-layers", "relu1_1,relu2_1", "--model", model,
                             "-o", str(sheet), "-q"], monkeypatch, capsys)
    assert code == 0, err
    code, out, err = run_main(["info", str(d / f"grid-{tile:02d}.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and "a tile of sweep grid.png" in err and err.count("\n") == 0
    argv = shlex.split(out)
    assert argv[argv.index("--style-weight") + 1] == "100" and argv[argv.index("--size") + 1] == "32"
    assert argv[argv.index("--output") + 1] == str(d / f"grid-{tile:02d}-2.png"), out
    code, _, err = run_main([*argv[1:], "-q"], monkeypatch, capsys)  # as printed
    assert code == 0, err
    assert read_record(d / "grid-01-2.png")["config"] == read_record(d / f"grid-{tile:02d}.png")["config"]
    code, out, err = run_main(["info", str(sheet), "--command"], monkeypatch, capsys)  # the sheet: the sweep's
    assert code == 0 and shlex.split(out)[:2] == ["jaxart", "sweep"] and "--style-weight 1,100" in out, err


def test_other_weights_at_the_path_or_under_the_name_are_named_in_one_warning(tmp_path, monkeypatch, capsys):
    import jax

    import jaxart
    from jaxart.weights import store

    d, model = write_tiny_job(tmp_path)
    code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "-o",
                             str(d / "out.png"), "-q", "--size", "32", "--steps", "2", "--style-layers",
                             "relu1_1,relu2_1"], monkeypatch, capsys)  # the sweep tile's run above: compiles nothing
    assert code == 0, err
    tiny = store.load(model)
    # The same weights written again (another header, so another file hash) are still the run's.
    store.save(tiny.params, model, arch=tiny.arch, preprocess=tiny.preprocess, name="tiny", source="a copy")
    code, out, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
    assert (code, err) == (0, "")
    other = jaxart.random_weights(jax.random.PRNGKey(7), tiny.arch, widths=[w.shape[-1] for w in (
        tiny.params[f"conv{b}_1"]["bias"] for b in range(1, 6))])
    store.save(other.params, model, arch=tiny.arch, preprocess=tiny.preprocess, name="tiny")
    code, again, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and again == out and err.count("\n") == 0
    assert err.startswith(f"warning: {model} holds other weights than the run's") and "not make the same" in err
    # An interrupted run's image names the file as "model", as its checkpoint does.
    stopped = _record(StyleConfig(), d, model=model, interrupted="SIGINT", step=1,
                      weights_content_sha256=tiny.content_sha256)
    save_image(d / "stopped.png", np.zeros((4, 4, 3)), stopped)
    code, out, err = run_main(["info", str(d / "stopped.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and f"warning: {model} holds other weights than the run's" in err.splitlines()[-1]
    # A registered name whose installed file holds other weights than the recorded ones.
    installed = _install(d, monkeypatch)
    save_image(d / "named.png", np.zeros((4, 4, 3)), _record(StyleConfig(), d, weights_sha256=tiny.sha256,
                                                             weights_content_sha256=tiny.content_sha256))
    code, out, err = run_main(["info", str(d / "named.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and shlex.split(out)[-2:] == ["--model", "vgg19"] and err.count("\n") == 0
    assert err.startswith(f"warning: the installed vgg19 ({installed}) holds other weights than the run's")


def test_the_command_keeps_every_digit_and_leaves_out_a_size_the_scales_give(tmp_path):
    # `--size` defaults to the last scale, so a coarse-to-fine command needs none; a weight of 17
    # digits printed as :g (6 digits) would make another image.
    config = StyleConfig(size=48, scales=(32, 48), steps=5, scale_steps=(2, 3), style_weight=0.1 + 0.2)
    argv = reproduce.command(_record(config, tmp_path), "x.png")
    assert "--size" not in argv and argv[argv.index("--style-weight") + 1] == "0.30000000000000004"


def test_a_sheets_record_or_one_naming_no_painting_gives_no_command(tmp_path):
    # The command would have had no painting, which stylize refuses; a sheet's is not one run.
    record = _record(StyleConfig(), tmp_path)
    with pytest.raises(InputError, match="this is a sweep's contact sheet; each tile beside it"):
        reproduce.command({**record, "tiles": ["g-00.png", "g-01.png"]}, "x.png")
    record["inputs"]["styles"] = []
    with pytest.raises(InputError, match="names no content and style images"):
        reproduce.command(record, "x.png")
