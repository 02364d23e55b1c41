"""`jaxart sweep --format`: 16-bit tiles with their records, a page that shows or links them, and no
tile of an earlier sweep, of either format, left looking like one of this sweep's."""

import json
import shlex

import numpy as np
import pytest
from PIL import Image

import cli
import jaxart
from jaxart import output, sheet, sweep

from conftest import run_main, write_tiny_job
from test_reliability import read_png16
from test_sweep_cli import _sweep_args
from test_sweep import CONFIG

TWO = ["--style-weight", "1,100", "--quiet"]  # two tiles, as test_sweep_cli's sweeps of 24 px, 2 steps
PIXELS = np.linspace(0, 1, 5 * 6 * 3, dtype=np.float32).reshape(5, 6, 3)


def read_tiff16(path) -> np.ndarray:
    """The (H, W, 3) uint16 pixels of an uncompressed 16-bit RGB TIFF in one strip, as jaxart writes."""
    with Image.open(path) as img:
        tags, (w, h) = img.tag_v2, img.size
    assert tags[258] == (16, 16, 16) and tags[259] == 1, "not uncompressed 16-bit RGB"
    data = open(path, "rb").read()[tags[273][0] if isinstance(tags[273], tuple) else tags[273]:]
    return np.frombuffer(data[:h * w * 6], "<u2").reshape(h, w, 3)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("sweep-formats"), "vgg16")


@pytest.fixture(scope="module")
def swept(files, tmp_path_factory):
    """{format: its folder}, each holding the same two-tile sweep to g.png, its tiles in that format."""
    folders = {}
    with pytest.MonkeyPatch.context() as mp:
        for fmt in ("png", "png16", "tiff"):
            folders[fmt] = tmp_path_factory.mktemp(fmt)
            argv = _sweep_args(files, folders[fmt] / "g.png", "--format", fmt, *TWO)
            mp.setattr("sys.argv", ["cli.py", *argv])
            try:
                cli.main()
            except SystemExit as e:
                assert e.code == 0, e
    return folders


@pytest.mark.parametrize("fmt, suffix, read", [("png16", ".png", read_png16), ("tiff", ".tif", read_tiff16)])
def test_a_16_bit_tile_holds_the_8_bit_tiles_pixels_in_16_bits_and_its_record(fmt, suffix, read, swept, monkeypatch,
                                                                             capsys):
    folder, tiles = swept[fmt], [f"g-0{i}{suffix}" for i in range(2)]
    assert sorted(p.name for p in folder.iterdir()) == sorted(["g.png", "g.html", *tiles])
    assert output.written_format(folder / "g.png") == "png"  # the sheet is for viewing: 8 bits whatever the tiles
    assert jaxart.read_record(folder / "g.png")["tiles"] == tiles
    for i, name in enumerate(tiles):
        assert output.written_format(folder / name) == fmt
        deep, shallow = read(folder / name).astype(np.float64), np.asarray(Image.open(swept["png"] / f"g-0{i}.png"))
        assert np.abs(deep / 257 - shallow).max() <= 0.5 + 0.5 / 257 + 1e-9  # the same image, rounded to 16 bits
        assert (deep % 257 != 0).mean() > 0.5  # not 8-bit levels scaled up
        code, printed, err = run_main(["info", str(folder / name)], monkeypatch, capsys)
        assert code == 0 and err == "", err
        record, flat = json.loads(printed), jaxart.read_record(swept["png"] / f"g-0{i}.png")
        assert record["sheet"] == "g.png" and record["config"] == flat["config"] and record["loss"] == flat["loss"]
    page = (folder / "g.html").read_text()
    assert 'src="g.png"' in page  # the sheet shows every tile, whatever their format
    if fmt == "png16":  # browsers show a 16-bit PNG
        assert all(f'<img src="{t}"' in page for t in tiles)
    else:  # but not a TIFF: a link to it, never a broken image
        assert all(f'<a href="{t}">{t}</a>' in page and f'src="{t}"' not in page for t in tiles)


def test_info_command_of_a_tiff_tile_remakes_it_as_tiff(swept, monkeypatch, capsys):
    tile = swept["tiff"] / "g-01.tif"
    code, printed, err = run_main(["info", str(tile), "--command"], monkeypatch, capsys)
    argv = shlex.split(printed)
    assert code == 0 and err.startswith("warning: this is a tile of sweep g.png;") and len(err.splitlines()) == 1, err
    again = tile.with_name("g-01-2.tif")  # beside the tile, which stays as it is
    assert argv[:2] == ["jaxart", "stylize"] and argv[argv.index("--output") + 1] == str(again)
    assert "--format" not in argv and argv[argv.index("--style-weight") + 1] == "100"  # .tif says tiff
    code, _, err = run_main([*argv[1:], "--quiet"], monkeypatch, capsys)  # as printed
    assert code == 0, err
    assert output.written_format(again) == "tiff"
    again, tiled = (read_tiff16(p).astype(np.float64) / 257 for p in (again, tile))
    assert np.abs(again - tiled).max() <= 2  # close, not identical: a batched run rounds differently


def test_tiles_of_the_other_format_are_refused_without_overwrite_and_removed_with_it(files, tmp_path, monkeypatch,
                                                                                    capsys):
    """An earlier sweep's g-00.png beside this one's g-00.tif, its record naming g.png, passed for this sweep's."""
    path = tmp_path / "g.png"
    sheet.write(path, np.stack([PIXELS] * 4), sweep.grid([1.0, 2.0, 3.0, 4.0]), CONFIG)  # 4 PNG tiles
    Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(tmp_path / "g-05.png")  # the user's own picture
    output.save_image(tmp_path / "g-07.tif", PIXELS, {"jaxart": "0.2.0", "config": {}}, "tiff")  # a stylize -o g-07.tif
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    argv = _sweep_args(files, path, "--format", "tiff", *TWO)
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err == f"error: output {path} already exists; pass --overwrite to replace it or choose " \
                                "another --output", err
    for name in ("g.png", "g.html"):  # the sheet gone, its tiles are left
        (tmp_path / name).unlink()
        del before[name]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err == (f"error: {tmp_path / 'g-00.png'} is a single image of an earlier sweep to g.png, "
                                 "which this sweep would leave beside its own; pass --overwrite to remove it or "
                                 "choose another --output"), err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    code, _, err = run_main([*argv, "--overwrite"], monkeypatch, capsys)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g-00.tif", "g-01.tif", "g-05.png", "g-07.tif", "g.html",
                                                          "g.png"]
    # and the other way round, from Python: a PNG sweep removes an earlier TIFF sweep's tiles
    assert sheet.stale_tiles(path, 2, "png") == [tmp_path / "g-00.tif", tmp_path / "g-01.tif"]
    sheet.write(path, np.stack([PIXELS] * 2), sweep.grid([1.0, 2.0]), CONFIG)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g-00.png", "g-01.png", "g-05.png", "g-07.tif", "g.html",
                                                          "g.png"]
    assert sheet.nonfinite(path, sweep.grid([1.0, 2.0]), [True, False], "tiff").startswith(
        "the loss became NaN or inf for 1 of 2 settings: g-01.tif (style 2")


@pytest.mark.parametrize("extra, expected", [
    (["--format", "jpeg"], "Invalid value for --format: 'jpeg' is not one of png, png16, tiff"),
    (["--format", "tiff", "-o", "g.tif"], "the contact sheet g.tif is a PNG (--format sets the single images' "
                                          "format); give an --output ending in .png"),
])
def test_a_bad_format_is_one_line_and_exit_2_with_nothing_written(extra, expected, files, tmp_path, monkeypatch,
                                                                  capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(_sweep_args(files, tmp_path / "g.png", *TWO, *extra), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and expected in err, err
    assert not list(tmp_path.iterdir())
