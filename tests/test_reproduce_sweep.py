"""`jaxart info --command` on a sweep's contact sheet: the `jaxart sweep` command that writes it again."""

import shlex

import numpy as np
import pytest

import jaxart
from jaxart import reproduce_sweep

from conftest import run_main, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("again"), "vgg16")


def test_the_sheets_command_writes_the_same_sweep_again(files, tmp_path, monkeypatch, capsys):
    """It said "give a tile": a sweep could be remade only tile by tile, each by stylize, not to the pixel."""
    d, model = files
    out = tmp_path / "g.png"
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(out), "--model", model,
                             "--size", "24", "--steps", "2", "--style-weight", "1,100", "--seed", "0,1", "--init",
                             "random", "--columns", "1", "--format", "png16", "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    code, printed, err = run_main(["info", str(out), "--command"], monkeypatch, capsys)
    assert code == 0 and err == "", err
    argv = shlex.split(printed)
    assert argv[:2] == ["jaxart", "sweep"] and argv[argv.index("--style-weight") + 1] == "1,100", printed
    assert argv[argv.index("--columns") + 1] == "1" and argv[argv.index("--format") + 1] == "png16", printed
    assert argv[argv.index("--output") + 1] == str(tmp_path / "g-2.png"), printed  # g.png was refused: it exists
    code, _, err = run_main([*argv[1:], "--quiet"], monkeypatch, capsys)  # as printed
    assert code == 0, err
    first, again = jaxart.read_record(out), jaxart.read_record(tmp_path / "g-2.png")
    assert again["sweep"] == first["sweep"] and again["config"] == first["config"]
    for i in range(4):  # the same batch, so the same pixels
        a, b = (jaxart.load_image(tmp_path / f"{stem}-{i:02d}.png") for stem in ("g", "g-2"))
        assert np.array_equal(a, b), i


def test_settings_that_are_no_grid_are_refused_with_the_tiles_as_the_way():
    record = {"config": jaxart.StyleConfig().to_dict(), "inputs": {"content": "/p.jpg", "styles": ["/s.jpg"]},
              "tiles": ["g-00.png", "g-01.png"],
              "sweep": [{"style_weight": 1.0, "content_weight": 1.0, "tv_weight": 10.0, "seed": 0},
                        {"style_weight": 10.0, "content_weight": 5.0, "tv_weight": 10.0, "seed": 0}]}
    with pytest.raises(jaxart.InputError, match="not every combination of their values .* `info --command` on each "
                                                "tile remakes that tile"):
        reproduce_sweep.command(record, "/x/g.png")
    record["sweep"][1] = {**record["sweep"][0], "style_scale": 2.0}  # the first keeps the config's: no --style-scale
    with pytest.raises(jaxart.InputError, match="not every combination of their values"):
        reproduce_sweep.command(record, "/x/g.png")
    record["sweep"][1] = {**record["sweep"][0], "style_weight": 10.0}
    assert reproduce_sweep.command(record, "/x/g.png") == [
        "jaxart", "sweep", "/p.jpg", "/s.jpg", "--output", "/x/g.png", "--size", "512", "--steps", "500",
        "--style-weight", "1,10"]


@pytest.mark.parametrize("sweep, says", [(None, "it has no field sweep"), ("x", "its field sweep is not a list"),
                                         ([{"bogus": 1}], "its field sweep is not a list")])
def test_an_edited_sweep_field_is_said_in_words_not_pythons(sweep, says):
    """A sheet's record whose `sweep` was a string said "(jaxart.settings.Setting() argument after ** must be a
    mapping, not str)", and one without it "('sweep')"."""
    record = {"config": jaxart.StyleConfig().to_dict(), "inputs": {"content": "/p.jpg", "styles": ["/s.jpg"]},
              "tiles": ["g-00.png"], **({} if sweep is None else {"sweep": sweep})}
    with pytest.raises(jaxart.InputError) as e:
        reproduce_sweep.command(record, "/x/g.png")
    assert str(e.value).startswith(f"the sheet's record holds no readable sweep settings ({says}"), str(e.value)
    assert "Setting()" not in str(e.value) and "argument" not in str(e.value)


@pytest.mark.parametrize("optimizer, named", [("lbfgs", "L-BFGS"), ("adam", "Adam")])
def test_a_tiles_caveat_names_the_optimizer_the_sweep_ran(optimizer, named):
    from jaxart import reproduce_checks
    from jaxart.config import StyleConfig

    record = {"sheet": "g.png", "config": StyleConfig(optimizer=optimizer).to_dict()}
    (note,) = reproduce_checks.caveats(record)
    assert named in note and ({"L-BFGS", "Adam"} - {named}).pop() not in note


@pytest.mark.parametrize("fmt", ["png16", "tiff"])
def test_a_sheet_kept_without_its_tiles_gives_their_format(fmt, tmp_path):
    """A png16 tile is named .png as an 8-bit one is: the command read the format from the first tile, so a sheet
    moved or kept alone gave a sweep that writes 8-bit tiles, not the 16-bit ones it wrote."""
    from jaxart import sheet, sweep

    record = {"inputs": {"content": "/p.jpg", "styles": ["/s.jpg"]}, "model": "vgg16-hed"}
    sheet.write(tmp_path / "g.png", np.zeros((2, 16, 16, 3), np.float32), sweep.grid([1.0, 2.0]),
                jaxart.StyleConfig(size=16, steps=2), record, fmt=fmt)
    kept = tmp_path / "paper"
    kept.mkdir()
    (tmp_path / "g.png").rename(kept / "g.png")  # the sheet alone, its tiles left behind
    record = jaxart.read_record(kept / "g.png")
    argv = reproduce_sweep.command(record, kept / "g.png")
    assert argv[argv.index("--format") + 1] == fmt, argv
    edited = reproduce_sweep.command({**record, "tile_format": [fmt]}, kept / "g.png")  # read as an older record's
    assert ("--format" in edited) == (fmt == "tiff"), edited


def test_a_damaged_tile_does_not_stop_the_sheets_command(tmp_path, monkeypatch, capsys):
    """A tile gives only the shape --conv auto chose by, which a gone tile does without: a damaged one refused the
    whole command ("cannot identify image file 'g-00.png'")."""
    held = {"content_weight": 1.0, "tv_weight": 10.0, "seed": 0}
    record = {"config": jaxart.StyleConfig(size=32).to_dict(), "inputs": {"content": "/p.jpg", "styles": ["/s.jpg"]},
              "tiles": ["g-00.png", "g-01.png"],
              "sweep": [{"style_weight": 1.0, **held}, {"style_weight": 10.0, **held}]}
    jaxart.save_image(tmp_path / "g.png", np.zeros((2, 2, 3)), record)
    (tmp_path / "g-00.png").write_bytes(b"not a png")
    code, out, err = run_main(["info", str(tmp_path / "g.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and shlex.split(out)[:4] == ["jaxart", "sweep", "/p.jpg", "/s.jpg"], err
