"""A sweep's region mask: every tile paints each region of the photo in its own painting, as stylize does."""

import shlex

import numpy as np
import pytest
from PIL import Image

import jaxart

from conftest import run_main, write_tiny_job
from test_controls_spatial import _halves


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d, model = write_tiny_job(tmp_path_factory.mktemp("mask"), "vgg16")
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (20, 20, 3), np.uint8)).save(d / "other.png")
    _halves(d / "m.png")  # 40x30 as the photo: red on the left, blue on the right
    return d, model


def _regions(d):
    return ["--mask", str(d / "m.png"), "--region-style", f"red={d / 'paint.png'}",
            "--region-style", f"blue={d / 'other.png'}"]


@pytest.mark.parametrize("swept", [["--style-weight", "1,100"], ["--style-weight", "1,100", "--scales", "24,32"],
                                   ["--style-scale", "1,2"]], ids=["weights", "coarse-to-fine", "style-scales"])
def test_a_masked_tile_is_stylize_with_the_mask_and_info_gives_its_command(swept, files, tmp_path, monkeypatch,
                                                                           capsys):
    """sweep refused --mask and --region-style. A tile is now stylize's run with the same mask and region
    paintings (several style scales too, each gathering its own guided Grams, and coarse to fine): its
    record and pixels; `info --command` gives the mask and regions, and the page names them."""
    d, model = files
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), *_regions(d), "-o", str(tmp_path / "g.png"),
                             "--model", model, "--size", "32", "--steps", "2", "--quiet", *swept], monkeypatch, capsys)
    assert code == 0, err
    page = (tmp_path / "g.html").read_text()
    assert "photo.jpg in the style of paint.png (red) and other.png (blue) by the regions of m.png" in page
    assert "region" not in page.split("photo.jpg in the style of")[0] and "mask " not in page  # not held twice
    code, out, err = run_main(["info", str(tmp_path / "g-01.png"), "--command"], monkeypatch, capsys)
    assert code == 0, err
    argv = shlex.split(out)
    assert argv[argv.index("--mask") + 1] == str(d / "m.png"), out
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--region-style"] == [
        f"red={d / 'paint.png'}", f"blue={d / 'other.png'}"], out
    argv[argv.index("--output") + 1] = str(tmp_path / "s.png")
    code, _, err = run_main([*argv[1:], "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    tile, alone = jaxart.read_record(tmp_path / "g-01.png"), jaxart.read_record(tmp_path / "s.png")
    assert tile["config"]["mask"] == str(d / "m.png") and tile["config"]["region_colors"] == ["red", "blue"]
    assert set(tile) == set(alone) | {"sheet", "sweep_seconds", "devices"}  # its batch's split
    for key in set(alone) - {"seconds", "finished", "loss"}:
        assert tile[key] == alone[key], key
    assert tile["loss"] == pytest.approx(alone["loss"], rel=1e-4)
    pixels = [np.asarray(Image.open(tmp_path / n), np.int16) for n in ("g-01.png", "s.png")]
    assert pixels[0].shape == (24, 32, 3) and np.abs(pixels[0] - pixels[1]).max() <= 1


@pytest.mark.parametrize("args, message", [
    (lambda d: ["--mask", str(d / "m.png"), str(d / "paint.png")], "--mask.*needs a --region-style COLOUR=PAINTING"),
    (lambda d: [str(d / "paint.png"), "--mask", str(d / "m.png"), "--region-style", f"red={d / 'paint.png'}",
                "--region-style", f"blue={d / 'other.png'}"], "STYLE: .*paint.png given with --region-style"),
    (lambda d: ["--mask", str(d / "m.png"), "--region-style", "red"], "'red' is not COLOUR=PAINTING"),
    (lambda d: ["--mask", str(d / "m.png"), "--region-style", f"red={d / 'paint.png'}",
                "--region-style", f"green={d / 'other.png'}"], "mask colour 'green' is not in"),
    (lambda d: ["--mask", str(d / "wide.png"), *_regions(d)[2:]], "is 40x10 but the photo is 40x30"),
    (lambda d: ["--mask", str(d / "gone.png"), *_regions(d)[2:]], "gone.png"),
    (lambda d: ["--region-style", f"red={d / 'paint.png'}"], "region styles need --mask"),
    (lambda d: ["--style-weight", "1,10"], "give at least one STYLE painting, or --mask"),
], ids=["no-regions", "style-args", "not-a-pair", "absent-colour", "aspect", "no-mask-file", "no-mask", "no-style"])
def test_a_bad_mask_is_one_line_before_any_weights_load_and_nothing_is_written(args, message, files, tmp_path,
                                                                              monkeypatch, capsys):
    from jaxart import model_choice

    d, model = files
    _halves(d / "wide.png", size=(40, 10))
    monkeypatch.setattr(model_choice, "resolve_model", lambda *a, **k: pytest.fail("weights loaded"))
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), *args(d), "-o", str(out / "g.png"), "--model", model,
                             "--size", "24", "--steps", "1", "--quiet"], monkeypatch, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    import re
    assert re.search(message, err), err
    assert list(out.iterdir()) == []
