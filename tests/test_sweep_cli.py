"""The sweep CLI: the sheet, page and tiles it writes, its one-line errors, and no partial sweep left behind
when interrupted (the sheet and page themselves, and writing them whole: test_sweep_sheet.py)."""

import os
import sys

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import cli
import jaxart
from jaxart import sweep

from conftest import run_main, unless_given, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("sweep")
    return write_tiny_job(d, "vgg16")


def _sweep_args(files, out, *extra):
    d, model = files
    return ["sweep", str(d / "photo.jpg"), str(d / "paint.png"),
            *unless_given(extra, "--output", str(out), "--model", model, "--size", "24", "--steps", "2"), *extra]


def test_cli_sweep_summary_counts_in_words(files, tmp_path, monkeypatch, capsys):
    # "1 settings on 1 device(s), 1 steps" read as a glitch in the one line a user reads
    out = tmp_path / "one.png"
    code, printed, err = run_main(_sweep_args(files, out, "--steps", "1"), monkeypatch, capsys)
    assert code == 0, err
    assert f"wrote {out}, {out.with_suffix('.html')} and 1 image (tiny, 1 setting on 1 device, 1 step, " in printed


def test_a_swept_option_given_twice_sweeps_both_values(files, tmp_path, monkeypatch, capsys):
    """`--style-weight 1 --style-weight 100` kept the last alone: silently one tile, not the two meant."""
    out = tmp_path / "g.png"
    code, _, err = run_main(_sweep_args(files, out, "--style-weight", "1", "--style-weight", "100,1000", "--quiet"),
                            monkeypatch, capsys)
    assert code == 0, err
    swept = jaxart.read_record(out)["sweep"]
    assert [s["style_weight"] for s in swept] == [1.0, 100.0, 1000.0]
    code, _, err = run_main(_sweep_args(files, tmp_path / "h.png", "--seed", "1", "--seed", "1", "--init", "random"),
                            monkeypatch, capsys)
    assert code == 2 and err.endswith("--seed: 1 is listed twice; each value makes its own tiles, so list each once")


def test_cli_sweep_writes_sheet_page_and_images(files, tmp_path):
    out = tmp_path / "grid.png"
    args = _sweep_args(files, out, "--style-weight", "1,100", "--tv-weight", "0,10", "--seed", "3", "--quiet")
    run = CliRunner().invoke(cli.app, args)
    assert run.exit_code == 0, run.output
    tiles = sorted(tmp_path.glob("grid-*.png"))
    assert [t.name for t in tiles] == [f"grid-{i:02d}.png" for i in range(4)]
    record = jaxart.read_record(out)
    assert [s["style_weight"] for s in record["sweep"]] == [1.0, 1.0, 100.0, 100.0]
    assert [s["tv_weight"] for s in record["sweep"]] == [0.0, 10.0, 0.0, 10.0]
    assert set(record["sweep"][0]) == {"style_weight", "content_weight", "tv_weight", "seed"}  # no style_scale: one
    for tile, setting in zip(tiles, record["sweep"]):
        r = jaxart.read_record(tile)
        assert r["config"]["style_weight"] == setting["style_weight"] and r["config"]["seed"] == 3
        assert r["model"] == "tiny" and set(r["loss"]) == {"total", "content", "style", "tv"}
        assert sorted(r["input_sha256"]) == sorted(str((files[0] / n).resolve()) for n in ("photo.jpg", "paint.png"))
        with Image.open(tile) as img:
            assert img.size == (24, 18)
    with Image.open(out) as img:
        assert img.width >= 2 * 24 and img.height > 2 * 18  # two columns, two rows, labels
    page = (tmp_path / "grid.html").read_text()
    assert page.count("<figure>") == 4 and 'src="grid.png"' in page
    assert "<p>photo.jpg in the style of paint.png, model tiny; size 24, steps 2</p>" in page
    for tile, label in zip(tiles, ["style 1  tv 0", "style 1  tv 10", "style 100  tv 0", "style 100  tv 10"]):
        assert f'<img src="{tile.name}" alt="{label}">' in page
    assert page.count("&quot;style_weight&quot;: 100.0") == 2 and page.count("&quot;steps&quot;: 2,") == 4
    again = CliRunner().invoke(cli.app, args)
    assert again.exit_code != 0 and "already exists" in str(again.exception)


def test_a_sweep_blends_its_paintings_as_style_blend_says(files, tmp_path, monkeypatch, capsys):
    """sweep had no --style-blend: a sweep of two paintings could only blend them equally."""
    d, _ = files
    args = _sweep_args(files, tmp_path / "g.png", "--quiet", "--style-blend", "3,1")
    args.insert(args.index(str(d / "paint.png")) + 1, str(d / "paint.png"))
    code, _, err = run_main(args, monkeypatch, capsys)
    assert code == 0, err
    assert jaxart.read_record(tmp_path / "g-00.png")["config"]["style_blend"] == [3.0, 1.0]
    assert "(blended 3:1)" in (tmp_path / "g.html").read_text()


def test_a_setting_whose_loss_blew_up_is_named_by_its_tile_and_values(files, tmp_path, monkeypatch, capsys):
    """Weights are capped at 1e30, so a NaN is forced: the message used to list indices ("settings [1]")."""
    real = sweep.sweep

    def one_fails(*args, **kwargs):
        r = real(*args, **kwargs)
        return r._replace(ok=np.array([True, False]))

    monkeypatch.setattr(sweep, "sweep", one_fails)
    out = tmp_path / "g.png"
    code, _, err = run_main(_sweep_args(files, out, "--style-weight", "1,100", "--quiet"), monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1, err
    # Not "seed 0": from the photo a seed changes nothing, and none was given (as the sheet's title, test_sweep_sheet)
    assert "for 1 of 2 settings: g-01.png (style 100  content 1  tv 10);" in err
    assert (tmp_path / "g-01.png").is_file() and out.is_file()  # the last finite images are kept
    # and are marked as failed: the tile's record (it said nothing), the sheet's and the page's labels
    good, bad = jaxart.read_record(tmp_path / "g-00.png"), jaxart.read_record(tmp_path / "g-01.png")
    assert "error" not in good and "NaN or inf" in bad["error"]
    assert good["steps"] == 2 and good["inputs"]["background"] == [255, 255, 255]  # as a stylize record has
    page = (tmp_path / "g.html").read_text()
    assert page.count("(failed)") == 2 and "style 100 (failed)" in page  # the figure's alt and caption


@pytest.mark.parametrize("extra, expected", [
    (["--style-weight", "1,-1"], "style-weight must be a finite number >= 0"),
    (["--seed", "0,x"], "not a comma-separated list of whole numbers"),
    (["--seed", f"-1,{2**64}"], "seed must be a whole number that fits in 64 bits"),
    (["--tv-weight", ""], "--tv-weight: '' has an empty item"),
    # two identical tiles, silently: a value twice, or seeds that only set a random start
    (["--style-weight", "1,1"], "--style-weight: 1 is listed twice"),
    (["--tv-weight", "10,1e1"], "--tv-weight: 10 and 1e1 are the same value"),
    (["--tv-weight", "0,-0"], "--tv-weight: 0 and -0 are the same value; each value makes its own tiles"),  # "-0 is listed twice"
    (["--seed", "0,1"], "--seed 0,1 would give identical images: a seed only sets a random start, and --init is "
                        "'content'; use --init random"),
    (["--style-blend", "1,2"], "--style-blend gives 2 weights for 1 painting; give one weight per painting"),
    (["--style-layer-weights", "1,2"], "--style-layer-weights has 2 weights for 5 style layers"),
    (["--style-layers", "relu1_1,,relu2_1"], "--style-layers: 'relu1_1,,relu2_1' has an empty item (item 2 of 3); "
                                              "put a name there or drop a comma"),  # not a numeric example
    (["--style-scale", "0.5"], "--style-scale 0.5 makes the painting 12 px at --size 24"),
    (["--colors", "sepia"], "--colors: 'sepia' is not one of style, "),
    (["--background", "rgba(0,0,0,0)"], "is not a colour name, #rrggbb or r,g,b"),
    (["--style-weight", ",".join(map(str, range(1, 201))), "--seed", ",".join(map(str, range(60)))],
     "a sweep of 12,000 settings is more than 10,000"),  # millions were checked one by one for minutes
    # coarse to fine, checked as stylize checks it (--size 24 given)
    (["--scales", "24,32"], "the last scale 32 differs from --size 24; end --scales at --size"),
    (["--scales", "32,24"], "--scales 32,24 must increase"),
    (["--scales", "16,24"], "at --scales 16 the photo is 16x12 px, too small for layer relu5_1"),
    (["--scales", "8,24"], "at --scales 8 the photo is 8x6 px, too small for layer relu5_1, which needs at least 16 "
                           "px on the short side; give --scales values of 21 or more"),  # not "at least 16"
    (["--scales", "22,24", "--start-size", "22"], "give --scales or --start-size, not both"),
    (["--scales", "22,24", "--steps", "1,2,3"], "3 step counts for 2 scales 22,24; give one --steps number per scale"),
    (["--steps", "1,2"], "2 step counts need --scales or --start-size; give one --steps number"),
    (["--scales", "22,x"], "--scales: '22,x' is not a comma-separated list of whole numbers (item 2 of 2, 'x', is"),
    (["--style-weight", "1,1O,100"], "--style-weight: '1,1O,100' is not a comma-separated list of numbers (item 2 of "
                                     "3, '1O', is not a number)"),  # which: 1O reads as 10 at a glance
])
def test_cli_sweep_bad_input_gives_one_line_and_no_output(extra, expected, files, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["cli.py", *_sweep_args(files, tmp_path / "g.png", *extra)])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2 and len(err.splitlines()) == 1 and expected in err, err
    assert not list(tmp_path.iterdir())


def test_an_init_image_is_recorded_by_its_absolute_path_as_in_stylize(files, tmp_path, monkeypatch, capsys):
    d, _ = files
    monkeypatch.chdir(d)
    code, _, err = run_main(_sweep_args(files, tmp_path / "g.png", "--init", "paint.png", "--quiet"), monkeypatch, capsys)
    assert code == 0, err
    record = jaxart.read_record(tmp_path / "g-00.png")
    assert record["config"]["init"] == str(d / "paint.png") and str(d / "paint.png") in record["input_sha256"]


def test_a_name_that_is_not_utf8_is_refused_before_any_work(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / os.fsdecode(b"sheet-\xff.png")
    code, _, err = run_main(_sweep_args(files, out, "--quiet"), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "is not valid UTF-8" in err, err
    assert not list(tmp_path.iterdir())


def test_a_dangling_link_where_a_tile_goes_is_refused_before_any_work(files, tmp_path, monkeypatch, capsys):
    (tmp_path / "g-00.png").symlink_to(tmp_path / "nowhere.png")
    code, _, err = run_main(_sweep_args(files, tmp_path / "g.png", "--style-weight", "1,2", "--quiet"),
                            monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "g-00.png is a symbolic link to " in err, err
    assert "nowhere.png, which does not exist; pass --overwrite" in err, err
    assert [p.name for p in tmp_path.iterdir()] == ["g-00.png"]


@pytest.mark.parametrize("signum, after", [(15, 1), (2, 1), (2, 2)])
def test_an_interrupted_sweep_says_so_in_one_line(signum, after, files, tmp_path, monkeypatch, capsys):
    """SIGTERM killed a sweep with exit 143 and nothing on stderr; Ctrl-C said only "interrupted".
    A signal from the `after`-th check on: at step 1 of 2 nothing is written; at the last step the
    sweep is finished, written, and then reported."""
    import contextlib
    import signal

    from jaxart import signals

    calls = []

    @contextlib.contextmanager
    def signal_from_check():
        yield lambda: (calls.append(1), signum if len(calls) >= after else None)[1]

    monkeypatch.setattr(signals, "stop_signals", signal_from_check)
    out = tmp_path / "g.png"
    code, _, err = run_main(_sweep_args(files, out, "--style-weight", "1,100", "--quiet"), monkeypatch, capsys)
    said = "interrupted" if signum == signal.SIGINT else f"interrupted by {signal.Signals(signum).name}"
    assert code == 128 + signum and len(err.splitlines()) == 1, err
    if after == 1:
        ckpt = tmp_path / "g.ckpt.npz"
        assert err == (f"{said} at step 1 of 2; kept the sweep in {ckpt}, no tiles or sheet written; "
                       f"continue with: jaxart sweep --resume {ckpt}")
        assert [p.name for p in tmp_path.iterdir()] == ["g.ckpt.npz"]  # test_sweep_resume.py continues one
    else:
        assert err.startswith(f"{said} as the sweep finished; wrote {out}")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["g-00.png", "g-01.png", "g.html", "g.png"]
