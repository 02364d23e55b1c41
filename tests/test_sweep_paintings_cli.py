"""`jaxart sweep --each-painting` from the command line: its tiles are stylize runs of their painting, its refusals
one line, its memory check counting each painting's Grams, and its lines naming the paintings as typed. One tiny
job, so the sweeps share their compiled program."""

import shlex

import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import sweep

from conftest import run_main, write_tiny_job
from test_sweep_paintings import _paintings


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d, model = write_tiny_job(tmp_path_factory.mktemp("paintings"), "vgg16")
    for name, painting in zip(("red.png", "blue.png"), _paintings(20)):
        Image.fromarray(np.uint8(painting * 255)).save(d / name)
    return d, model


def _common(files):
    d, model = files
    return [str(d / "photo.jpg"), str(d / "red.png"), str(d / "blue.png"), "--model", model, "--size", "24",
            "--steps", "2", "--quiet"]


def test_cli_each_painting_tiles_are_stylize_runs_of_their_painting(files, tmp_path, monkeypatch, capsys):
    """`sweep PHOTO A B` blended A and B in every tile; --each-painting gives A and B their own tiles:
    labelled by painting, each record naming its painting alone, `info --command` of a tile its stylize
    run (same pixels), of the sheet the sweep with --each-painting."""
    d, _ = files
    out = tmp_path / "g.png"
    code, _, err = run_main(["sweep", *_common(files), "-o", str(out), "--style-weight", "1,100", "--each-painting"],
                            monkeypatch, capsys)
    assert code == 0, err
    page = (tmp_path / "g.html").read_text()
    assert "style 100  painting red" in page and "style 100  painting blue" in page
    assert "red.png and blue.png (one painting per tile)" in page and "blended" not in page
    assert [s["painting"] for s in jaxart.read_record(out)["sweep"]] == [0, 1, 0, 1]
    for tile, name in enumerate(["red.png", "blue.png"] * 2):
        record = jaxart.read_record(tmp_path / f"g-{tile:02d}.png")
        assert [p.rsplit("/", 1)[-1] for p in record["inputs"]["styles"]] == [name]
        assert sorted(p.rsplit("/", 1)[-1] for p in record["input_sha256"]) == sorted(["photo.jpg", name])
    code, out_text, err = run_main(["info", str(tmp_path / "g-03.png"), "--command"], monkeypatch, capsys)
    assert code == 0, err
    argv = shlex.split(out_text)
    assert argv[:2] == ["jaxart", "stylize"] and str(d / "blue.png") in argv and str(d / "red.png") not in argv
    argv[argv.index("--output") + 1] = str(tmp_path / "alone.png")
    code, _, err = run_main([*argv[1:], "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    tile, alone = jaxart.read_record(tmp_path / "g-03.png"), jaxart.read_record(tmp_path / "alone.png")
    assert tile["config"] == alone["config"] and tile["loss"] == pytest.approx(alone["loss"], rel=1e-4)
    pixels = [np.asarray(Image.open(tmp_path / n), np.int16) for n in ("g-03.png", "alone.png")]
    assert np.abs(pixels[0] - pixels[1]).max() <= 1
    code, out_text, err = run_main(["info", str(out), "--command"], monkeypatch, capsys)
    assert code == 0, err
    argv = shlex.split(out_text)
    assert argv[:2] == ["jaxart", "sweep"] and "--each-painting" in argv
    assert argv.index(str(d / "red.png")) < argv.index(str(d / "blue.png"))
    argv[argv.index("--output") + 1] = str(tmp_path / "again.png")
    code, _, err = run_main([*argv[1:], "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    assert jaxart.read_record(tmp_path / "again.png")["sweep"] == jaxart.read_record(out)["sweep"]


@pytest.mark.parametrize("case, expected", [
    ("blend", "--style-blend weighs the paintings into one style, and each painting its own tiles (--each-painting)"),
    ("regions", "--mask and --region-style paint each region with its own painting, and each painting its own tiles "
                "(--each-painting)"),
    ("twice", "blue.png is given twice"),
    # Under another name it made a second column of the same tiles: found by its contents.
    ("copy", "copy.png is the same painting as"),
    ("link", "link.png is the same painting as"),
])
def test_cli_each_painting_refusals_are_one_line_and_write_nothing(case, expected, files, tmp_path, monkeypatch,
                                                                    capsys):
    d, model = files
    mask = Image.new("RGB", (40, 30), (255, 0, 0))
    mask.paste((0, 0, 255), (20, 0, 40, 30))
    mask.save(d / "mask.png")
    (d / "copy.png").write_bytes((d / "blue.png").read_bytes())
    if not (d / "link.png").exists():
        (d / "link.png").symlink_to(d / "blue.png")
    photo, red, blue, *options = _common(files)
    argv = {"blend": [photo, red, blue, "--style-blend", "1,2"],
            "regions": [photo, "--mask", str(d / "mask.png"), "--region-style", f"red={red}",
                        "--region-style", f"blue={blue}"],
            "twice": [photo, red, blue, blue], "copy": [photo, red, blue, str(d / "copy.png")],
            "link": [photo, red, blue, str(d / "link.png")]}[case]
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run_main(["sweep", *argv, *options, "--each-painting", "-o", str(out / "g.png")], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and expected in err, err
    assert not list(out.iterdir())


def test_the_memory_check_counts_each_settings_own_grams(files, tmp_path, monkeypatch, capsys):
    """Each painting's tiles hold their own Grams (2.3 MiB a setting at the default layers, a tenth of a
    64 px image's need), which the check left out: memory that held the images alone passed."""
    from jaxart import footprint, memory

    config = jaxart.StyleConfig(size=24, steps=2)
    alone = footprint.files_bytes(config, "vgg16", (30, 40), [(20, 20)] * 2, images=2)
    own = sweep.check_memory(config, 2, "vgg16", available=2**50, photo=(30, 40), paintings=[(20, 20)] * 2,
                             own_grams=True)
    assert own == alone + 2 * footprint.grams_bytes(config) and footprint.grams_bytes(config) > 2 * 2**20
    monkeypatch.setattr(memory, "available_bytes", lambda: alone)
    monkeypatch.setattr(memory, "held_bytes", lambda files: 0)  # as if nothing were held: test_memory_held.py
    code, _, err = run_main(["sweep", *_common(files), "-o", str(tmp_path / "g.png"), "--each-painting"],
                            monkeypatch, capsys)
    assert code == 2 and "a sweep of 2 settings at 24 px needs about" in err, err
    assert not list(tmp_path.iterdir())


def test_a_failed_tile_s_painting_is_named_by_the_link_typed(files, tmp_path, monkeypatch, capsys):
    """It said "painting blue" of waves.png, a link to blue.png the user never typed. Four settings, as the first
    test's sweep: the same program."""
    d, _ = files
    for name, target in (("starry.png", "red.png"), ("waves.png", "blue.png")):
        (tmp_path / name).symlink_to(d / target)
    real = sweep.sweep
    monkeypatch.setattr(sweep, "sweep", lambda *a, **k: real(*a, **k)._replace(ok=np.zeros(4, bool)))
    out = tmp_path / "g.png"
    photo, _, _, *options = _common(files)
    code, _, err = run_main(["sweep", photo, str(tmp_path / "starry.png"), str(tmp_path / "waves.png"), *options,
                             "-o", str(out), "--style-weight", "1,100", "--each-painting"], monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1, err
    assert "for 4 of 4 settings: g-00.png (" in err and err.count("painting starry)") == 2, err
    assert err.count("painting waves)") == 2 and "red" not in err and "blue" not in err, err
    assert "waves" in (tmp_path / "g.html").read_text()  # as the captions name it


def test_each_painting_with_one_painting_is_warned_about(files, tmp_path, monkeypatch, capsys):
    """`--each-painting` with one painting made the very tiles of the sweep without it, only their captions adding
    "painting NAME", without a word; with two it compares them, unremarked."""
    d, model = files
    for paintings, expected in ((["red.png"], "warning: --each-painting has no effect with one painting: every tile "
                                 "is painted with it, as without the option; give two paintings or more to compare "
                                 "them side by side"), (["red.png", "blue.png"], "")):
        argv = ["sweep", str(d / "photo.jpg"), *(str(d / p) for p in paintings), "--model", model, "--size", "24",
                "--steps", "2", "-o", str(tmp_path / "g.png"), "--each-painting", "--dry-run"]
        code, out, err = run_main(argv, monkeypatch, capsys)
        assert (code, err) == (0, expected) and "nothing ran" in out, err


def test_a_painting_given_twice_to_blend_is_warned_of_as_stylize_does(files, tmp_path, monkeypatch, capsys):
    """`jaxart sweep photo.jpg red.png red.png` blends a painting with itself, every tile painted as by red.png
    alone: stylize warned of it, sweep said nothing. A copy under another name is the same picture; --each-painting
    refuses either, in a line of its own."""
    import shutil

    d, _ = files
    red, copy = d / "red.png", tmp_path / "copy.png"
    shutil.copy(red, copy)
    rest = _common(files)[3:] + ["-o", str(tmp_path / "g.png"), "--dry-run"]
    said = "so the blend counts it twice (with no other painting, it paints as itself alone); give each painting once"
    for second, err_is in (
        (red, f"warning: painting {red} is given twice, {said}, and --style-blend to weigh them"),
        (copy, f"warning: painting {copy} is the same picture as {red}, {said}, and --style-blend to weigh them"),
        (d / "blue.png", ""),
    ):
        code, out, err = run_main(["sweep", str(d / "photo.jpg"), str(red), str(second), *rest], monkeypatch, capsys)
        assert (code, err) == (0, err_is) and out.startswith("dry run: "), err
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(red), str(red), *rest, "--each-painting"],
                            monkeypatch, capsys)
    assert code == 2 and "warning" not in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "g.png").exists()


def test_the_sheet_record_names_each_tiles_painting_by_its_index_into_the_inputs(files, tmp_path, monkeypatch,
                                                                                 capsys):
    """The sheet record's `sweep` says `"painting": 0` where the page says a name, which is not unique (two
    paintings named paint.png): README's join, `r["inputs"]["styles"][s["painting"]]`, is each tile's painting."""
    d, model = files
    for folder, name in (("a", "red.png"), ("b", "blue.png")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "paint.png").write_bytes((d / name).read_bytes())
    out = tmp_path / "g.png"
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(tmp_path / "a" / "paint.png"),
                             str(tmp_path / "b" / "paint.png"), "--model", model, "--size", "24", "--steps", "2",
                             "--quiet", "-o", str(out), "--style-weight", "1,100", "--each-painting"],
                            monkeypatch, capsys)
    assert code == 0, err
    r = jaxart.read_record(out)
    joined = [r["inputs"]["styles"][s["painting"]] for s in r["sweep"]]
    assert joined == [jaxart.read_record(tmp_path / t)["inputs"]["styles"][0] for t in r["tiles"]]
    assert [p.split("/")[-2] for p in joined] == ["a", "b", "a", "b"]
