"""The sweep CLI: its contact sheet, HTML page and tiles, its one-line errors, and no partial sweep left behind."""

import os
import sys

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import cli
import jaxart
from jaxart import captions, sheet, sweep

from conftest import run_main, write_tiny_job
from test_sweep import CONFIG, GRID


def test_contact_sheet_labels_every_tile(rng):
    labels, title = sheet.labels(sweep.grid([1.0, 100.0], [1.0], [10.0], [0, 7]))
    assert labels == ["style 1  seed 0", "style 1  seed 7", "style 100  seed 0", "style 100  seed 7"]
    assert title == "all tiles: content 1  tv 10"
    assert sheet.columns_for(sweep.grid([1.0, 10.0, 100.0], seeds=[0, 7])) == 2  # style down, seed across
    assert sheet.columns_for(sweep.grid([1.0, 10.0, 100.0])) == 3  # one row
    assert sheet.columns_for(sweep.grid([1.0, 2.0], seeds=range(7))) == 7  # capped at 6, row 2 mixed two styles
    assert sheet.columns_for(sweep.grid([float(v) for v in range(1, 9)])) == 6  # a long 1-D sweep wraps
    assert len(sweep.grid((w for w in (1.0, 2.0)), seeds=iter([0, 1]))) == 4  # generators are taken too
    with pytest.raises(jaxart.InputError, match="a sweep of 1,000,000,000,000 settings"):
        sweep.grid(range(10**6), seeds=range(10**6))  # counted, not listed (a GB, or out of memory)
    # one number alone raised a TypeError, a string was taken digit by digit, seed 1.7 became seed 1
    for bad, message in [({"style_weights": 10}, "style_weights must be a list of numbers, e.g. style_weights="),
                         ({"tv_weights": "10"}, "tv_weights must be a list of numbers"),
                         ({"seeds": [1.7]}, "seeds must be whole numbers, got 1.7"),
                         ({"content_weights": [True]}, "content_weights must be numbers, got True")]:
        with pytest.raises(ValueError, match=message):
            sweep.grid(**bad)
    assert [s.seed for s in sweep.grid(seeds=np.array([2, 3]))] == [2, 3] and sweep.grid(seeds=[4.0])[0].seed == 4
    images = np.ones((4, 40, 60, 3), np.float32)  # white tiles on an off-white sheet
    img = np.asarray(sheet.contact_sheet(images, labels, title))
    ink = img.min(axis=2) < 100
    strip = ink[sheet.GAP + 16 + 40: sheet.GAP + 16 + 40 + 16]  # below the first row of tiles
    assert ink[:16].any() and strip[:, : img.shape[1] // 2].any() and strip[:, img.shape[1] // 2:].any()
    assert not ink[16 + sheet.GAP: 16 + sheet.GAP + 40].any()  # nothing drawn over the tiles
    with pytest.raises(ValueError, match="one label per image"):
        sheet.contact_sheet(images, labels[:3])


def test_the_sheet_and_page_name_the_inputs_and_give_numbers_in_one_format():
    """Labels read "style 1e-05" beside "style 123456789.0"; neither sheet nor page said which photo,
    paintings (blended equally) or model made the tiles."""
    labels, _ = sheet.labels(sweep.grid([0.001, 1e-5, 123456789.0, 0.1 + 0.2]))
    assert labels == ["style 0.001", "style 1e-05", "style 123456789", "style 0.30000000000000004"]
    record = {"model": "vgg19", "inputs": {"content": "/p/photo.jpg", "styles": ["/s/a.png", "/s/b.png"]}}
    config = jaxart.StyleConfig()
    assert sheet.describe(record, config) == "photo.jpg in the style of a.png and b.png (blended equally), model vgg19"
    assert sheet.describe(record, config.replace(style_blend=(3.0, 1.0))).endswith("(blended 3:1), model vgg19")
    images = np.ones((2, 40, 60, 3), np.float32)
    plain, named = (np.asarray(sheet.contact_sheet(images, labels[:2], "all tiles: tv 10", header=h))
                    for h in ("", sheet.describe(record, config)))
    assert named.shape[1] == plain.shape[1] and named.shape[0] > plain.shape[0]  # wrapped, not widened
    assert (named[: named.shape[0] - plain.shape[0]].min(axis=2) < 100).any()


def test_tile_numbers_have_the_digits_the_last_needs_and_a_long_header_is_cut_at_three_lines():
    from pathlib import Path

    from PIL import ImageFont

    assert [sheet.tile_paths(Path("g.png"), n)[-1].name for n in (100, 101)] == ["g-99.png", "g-100.png"]
    font = ImageFont.load_default(size=11)
    lines = sheet._wrap(" ".join(f"painting-{i}.png" for i in range(40)), font, 200)
    assert len(lines) == 3 and lines[-1].endswith(" ...")
    assert all(font.getlength(line) <= 200 for line in lines[:2])


def test_the_sheets_record_gives_the_most_steps_a_tile_took(tmp_path):
    """A setting whose loss blew up stopped early; the sheet says how far the sweep went, each tile its own."""
    sheet.write(tmp_path / "g.png", np.zeros((2, 16, 16, 3), np.float32), sweep.grid([1.0, 2.0]), jaxart.StyleConfig(),
                {"steps": [5, 3]})
    assert jaxart.read_record(tmp_path / "g.png")["steps"] == 5
    assert [jaxart.read_record(p)["steps"] for p in sheet.tile_paths(tmp_path / "g.png", 2)] == [5, 3]


def test_a_sheet_named_in_capitals_is_a_png(tmp_path):
    sheet.check_outputs(tmp_path / "G.PNG", 2)  # as stylize takes OUT.PNG


def test_a_swept_style_scale_is_not_named_as_held_by_every_tile(tmp_path):
    settings = sweep.grid([1.0], style_scales=[0.5, 1.0])
    sheet.write(tmp_path / "g.png", np.zeros((2, 16, 16, 3), np.float32), settings, jaxart.StyleConfig(style_scale=2.0))
    assert "style-scale" not in (tmp_path / "g.html").read_text()


def test_captions_keep_numbers_whole_and_name_regions_blends_and_per_scale_steps():
    # A value :g would shorten to an exponent though it fits in 6 digits, and a seed, are written whole.
    assert [captions.number(v) for v in (123450.0, 1000000)] == ["123450", "1000000"]
    labels, title = sheet.labels(sweep.grid([10.0]))
    assert labels == ["style 10  content 1  tv 10  seed 0"] and title == ""  # one tile: its label says it all
    record = {"model": "vgg19", "inputs": {"content": "/p/photo.jpg", "styles": ["/s/a.png", "/s/b.png"]}}
    config = jaxart.StyleConfig()
    assert sheet.describe(record, config.replace(style_blend=(2.0, 2.0))).endswith("(blended equally), model vgg19")
    regions = config.replace(mask="/m/mask.png", region_colors=("red", "blue"))
    assert sheet.describe(record, regions) == ("photo.jpg in the style of a.png (red) and b.png (blue) by the regions "
                                               "of mask.png, model vgg19")
    coarse = jaxart.StyleConfig(size=256, scales=(128, 256), steps=70, scale_steps=(50, 20))
    assert sheet.held(coarse) == "size 256, steps 50,20, scales 128,256"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("sweep")
    return write_tiny_job(d, "vgg16")


def _sweep_args(files, out, *extra):
    d, model = files
    return ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(out), "--model", model,
            "--size", "24", "--steps", "2", *extra]


def test_cli_sweep_summary_counts_in_words(files, tmp_path, monkeypatch, capsys):
    # "1 settings on 1 device(s), 1 steps" read as a glitch in the one line a user reads
    out = tmp_path / "one.png"
    code, printed, err = run_main(_sweep_args(files, out, "--steps", "1"), monkeypatch, capsys)
    assert code == 0, err
    assert f"wrote {out}, {out.with_suffix('.html')} and 1 image (tiny, 1 setting on 1 device, 1 step, " in printed


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
    assert "for 1 of 2 settings: g-01.png (style 100  content 1  tv 10  seed 0);" in err
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
    (["--tv-weight", "10,1e1"], "--tv-weight: 10 is listed twice"),
    (["--seed", "0,1"], "seeds 0, 1 would give identical images: a seed only sets a random start, and init is "
                        "'content'; add --init random"),
    (["--style-blend", "1,2"], "style blend gives 2 weights for 1 painting; give one weight per painting"),
    (["--style-layer-weights", "1,2"], "2 style layer weights for 5 style layers"),
    (["--style-layers", "relu1_1,,relu2_1"], "--style-layers: 'relu1_1,,relu2_1' has an empty item; give "
                                              "'relu1_1,relu2_1'"),  # the list as meant, not a numeric example
    (["--style-scale", "0.5"], "style-scale 0.5 makes the painting 12 px at size 24"),
    (["--colors", "sepia"], "'--colors': 'sepia' is not one of 'style', "),
    (["--background", "rgba(0,0,0,0)"], "is not a colour name, #rrggbb or r,g,b"),
    (["--style-weight", ",".join(map(str, range(1, 201))), "--seed", ",".join(map(str, range(60)))],
     "a sweep of 12,000 settings is more than 10,000"),  # millions were checked one by one for minutes
    # coarse to fine, checked as stylize checks it (--size 24 given)
    (["--scales", "24,32"], "the last scale 32 differs from size 24; end --scales at --size"),
    (["--scales", "32,24"], "scales [32, 24] must increase"),
    (["--scales", "16,24"], "at --scales 16 the photo is 16x12 px, too small for layer relu5_1"),
    (["--scales", "22,24", "--start-size", "22"], "give --scales or --start-size, not both"),
    (["--scales", "22,24", "--steps", "1,2,3"], "3 step counts for 2 scales [22, 24]; give one --steps number per scale"),
    (["--steps", "1,2"], "2 step counts need --scales or --start-size; give one --steps number"),
    (["--scales", "22,x"], "--scales: '22,x' is not a comma-separated list of whole numbers"),
])
def test_cli_sweep_bad_input_gives_one_line_and_no_output(extra, expected, files, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["cli.py", *_sweep_args(files, tmp_path / "g.png", *extra)])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2 and len(err.splitlines()) == 1 and expected in err, err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("failing", ["_write_text", "save_image"])
def test_a_failed_write_leaves_the_folder_as_it_was(failing, tmp_path, monkeypatch):
    """A full disk at the page or the sheet: the single images already written go too, so a rerun
    is not refused for files of a sweep that never finished; and an earlier sweep that --overwrite
    was replacing is kept whole (it lost its tiles and page, its sheet pointing at nothing)."""
    import errno

    from jaxart.errors import writing

    images = np.random.default_rng(0).random((len(GRID), 16, 16, 3)).astype(np.float32)
    real, calls = getattr(sheet, failing), []

    def full_disk(path, *args, **kwargs):
        calls.append(path)
        if failing == "_write_text" or len(calls) == len(GRID) + 1:  # the page, or the sheet (after the tiles)
            with writing(path, "file"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, *args, **kwargs)

    for folder, earlier in (("fresh", None), ("again", images[::-1])):
        (tmp_path / folder).mkdir()
        if earlier is not None:
            sheet.write(tmp_path / folder / "sheet.png", earlier, GRID, CONFIG)
        before = {p.name: p.read_bytes() for p in (tmp_path / folder).iterdir()}
        calls.clear()
        with monkeypatch.context() as m:
            m.setattr(sheet, failing, full_disk)
            with pytest.raises(jaxart.JaxartError, match="No space left on device"):
                sheet.write(tmp_path / folder / "sheet.png", images, GRID, CONFIG, overwrite=True)
        assert {p.name: p.read_bytes() for p in (tmp_path / folder).iterdir()} == before
    assert not list((tmp_path / "fresh").iterdir())


@pytest.mark.parametrize("overwrite", [False, True])
def test_ctrl_c_while_the_files_are_placed_leaves_the_folder_as_it_was(overwrite, tmp_path, monkeypatch):
    """Placing is renames, one per file: a Ctrl-C between two left this sweep's first tile beside
    the earlier sweep's page and sheet (or, without --overwrite, a tile that refused the rerun)."""
    images = np.random.default_rng(0).random((len(GRID), 16, 16, 3)).astype(np.float32)
    if overwrite:
        sheet.write(tmp_path / "s.png", images[::-1], GRID, CONFIG)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    name = "replace" if overwrite else "link"
    real, placed = getattr(os, name), []

    def second_is_interrupted(src, dst, *args, **kwargs):
        if not os.path.basename(dst).startswith(".jaxart-"):  # a file put in its place, not staged
            placed.append(dst)
            if len(placed) == 2:
                raise KeyboardInterrupt
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, name, second_is_interrupted)
    with pytest.raises(KeyboardInterrupt):
        sheet.write(tmp_path / "s.png", images, GRID, CONFIG, overwrite=overwrite)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_file_that_appears_during_the_sweep_is_kept_and_nothing_is_placed(tmp_path, monkeypatch):
    images = np.random.default_rng(0).random((len(GRID), 16, 16, 3)).astype(np.float32)
    real = sheet.contact_sheet

    def meanwhile(*args, **kwargs):  # another run writes the page while this one draws its sheet
        (tmp_path / "sheet.html").write_text("theirs")
        return real(*args, **kwargs)

    monkeypatch.setattr(sheet, "contact_sheet", meanwhile)
    with pytest.raises(jaxart.JaxartError, match=r"sheet.html was created by something else .* nothing else was written"):
        sheet.write(tmp_path / "sheet.png", images, GRID, CONFIG, overwrite=False)
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.html"]
    assert (tmp_path / "sheet.html").read_text() == "theirs"


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
    assert code == 2 and len(err.splitlines()) == 1 and "g-00.png already exists; pass --overwrite" in err, err
    assert [p.name for p in tmp_path.iterdir()] == ["g-00.png"]


@pytest.mark.parametrize("signum, after", [(15, 1), (2, 1), (2, 2)])
def test_an_interrupted_sweep_says_so_in_one_line(signum, after, files, tmp_path, monkeypatch, capsys):
    """SIGTERM killed a sweep with exit 143 and nothing on stderr; Ctrl-C said only "interrupted".
    A signal from the `after`-th check on: at step 1 of 2 nothing is written; at the last step the
    sweep is finished, written, and then reported."""
    import contextlib
    import signal

    from jaxart import job

    calls = []

    @contextlib.contextmanager
    def signal_from_check():
        yield lambda: (calls.append(1), signum if len(calls) >= after else None)[1]

    monkeypatch.setattr(job, "stop_signals", signal_from_check)
    out = tmp_path / "g.png"
    code, _, err = run_main(_sweep_args(files, out, "--style-weight", "1,100", "--quiet"), monkeypatch, capsys)
    name = signal.Signals(signum).name
    assert code == 128 + signum and len(err.splitlines()) == 1, err
    if after == 1:
        assert err == (f"interrupted by {name} at step 1 of 2; nothing was written (a sweep cannot be resumed); "
                       "run the command again")
        assert not list(tmp_path.iterdir())
    else:
        assert err.startswith(f"interrupted by {name} as the sweep finished; wrote {out}")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["g-00.png", "g-01.png", "g.html", "g.png"]
