"""What a sweep reports of itself: its closing line, its tiles' time and its inputs' digests."""

import hashlib
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

import jaxart
from jaxart import sheet, sweep

from conftest import run_main, write_tiny_job


def test_each_painting_sweep_says_what_it_made_and_reads_each_input_once(tmp_path, monkeypatch, capsys):
    """With --each-painting the closing line counted "4 settings" for two style weights and two paintings, and
    the paintings were hashed twice: once to refuse a duplicate, once more for the record (a second read of
    every painting file, after the sweep)."""
    d, model = write_tiny_job(tmp_path, "vgg16")
    Image.fromarray(np.full((20, 20, 3), (200, 40, 40), np.uint8)).save(d / "red.png")
    read, digest = Counter(), hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda f, *a: read.update([Path(f.name).name]) or digest(f, *a))
    out = tmp_path / "g.png"
    code, printed, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), str(d / "red.png"),
                                   "--each-painting", "--style-weight", "1,100", "--model", model, "--size", "24",
                                   "--steps", "2", "-o", str(out)], monkeypatch, capsys)
    assert code == 0, err
    assert "and 4 images (tiny, 2 settings for each of 2 paintings on 1 device, 2 steps, " in printed
    assert [read[n] for n in ("photo.jpg", "paint.png", "red.png")] == [1, 1, 1]
    record = jaxart.read_record(tmp_path / "g-03.png")
    assert sorted(Path(p).name for p in record["input_sha256"]) == ["photo.jpg", "red.png"]
    assert record["input_sha256"][str(d / "red.png")] == hashlib.sha256((d / "red.png").read_bytes()).hexdigest()


def test_a_tiles_seconds_are_its_share_of_the_sweep_named_beside_the_sweeps(tmp_path):
    """A tile's record gave the whole sweep's seconds as its own: `jaxart info TILE` said each of 4
    images took as long as all 4 did. The sheet keeps the sweep's; a tile its share and the sweep's by name."""
    sheet.write(tmp_path / "g.png", np.zeros((4, 8, 8, 3), np.float32), sweep.grid([1.0, 2.0, 3.0, 4.0]),
                jaxart.StyleConfig(), {"seconds": 10.0})
    assert jaxart.read_record(tmp_path / "g.png")["seconds"] == 10.0
    for tile in sheet.tile_paths(tmp_path / "g.png", 4):
        record = jaxart.read_record(tile)
        assert record["seconds"] == 2.5 and record["sweep_seconds"] == 10.0
