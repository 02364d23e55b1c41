"""Coarse to fine with --shrink-batch: each scale starts with the whole batch, so the sheet's header says at which
scale each smaller batch began ("shrank to a batch of 2 after step 40 at 128 px, ..."); it listed the shrinks of
every scale as one run of steps, which scale each was of unsaid. One scale reads as before, and so does an older
record's [step, rows], which names no scale."""

import json
import shlex

import pytest

from jaxart import StyleConfig
from jaxart.captions import held
from jaxart.image import load_image
from jaxart.image_record import read_record
from jaxart.output import save_image

from conftest import run_main, write_tiny_job

SCALED = StyleConfig(size=256, scales=(128, 256), scale_steps=(50, 50), steps=100)


@pytest.mark.parametrize("config, shrank, said", [
    (SCALED, [[40, 2, 128], [50, 2, 256], [70, 1, 256]],
     "shrank to a batch of 2 after step 40 at 128 px, 2 after step 50 at 256 px, 1 after step 70 at 256 px"),
    (StyleConfig(size=256, start_size=128, steps=100), [[70, 1, 256]], "shrank to a batch of 1 after step 70 at 256 px"),
    (StyleConfig(size=256), [[30, 2, 256]], "shrank to a batch of 2 after step 30"),  # one scale: as it read
    (SCALED, [[40, 2], [70, 1]], "shrank to a batch of 2 after step 40, 1 after step 70"),  # an older record's
    (SCALED, [], "did not shrink"),
])
def test_the_header_says_at_which_scale_the_batch_shrank(config, shrank, said):
    assert f"shrink-batch ({said})" in held(config, {"shrink_batch": True, "shrank": shrank})


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("sweep_shrink_scales"), "vgg16")


def test_a_coarse_to_fine_sweep_records_the_scale_and_info_reads_an_older_record(files, tmp_path, monkeypatch, capsys):
    """The tiny VGG16 job at 22 then 24 px, tolerance 30%: style weights 1 and 2 stop at step 20, in the last scale
    (from 20% to beyond 45% the same two do). Up to relu2_1 only: a smaller network to compile, 12 s, not 24."""
    d, model = files
    out = tmp_path / "g.png"
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(out), "--model",
                             model, "--size", "24", "--scales", "22,24", "--steps", "1,24", "--style-weight",
                             "1,2,100,200", "--tolerance", "0.3", "--style-layers", "relu1_1,relu2_1",
                             "--content-layers", "relu2_1", "--shrink-batch", "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    record = read_record(out)
    assert record["shrank"] == [[20, 2, 24]]
    assert "shrink-batch (shrank to a batch of 2 after step 20 at 24 px)" in out.with_suffix(".html").read_text()
    # A sheet an older jaxart wrote: [step, rows]. `info` prints it, and `info --command` the same sweep.
    code, command, err = run_main(["info", str(out), "--command"], monkeypatch, capsys)
    assert code == 0, err
    save_image(out, load_image(out), {**record, "shrank": [[20, 2]]})
    code, printed, err = run_main(["info", str(out)], monkeypatch, capsys)
    assert code == 0 and json.loads(printed)["shrank"] == [[20, 2]], err
    code, again, err = run_main(["info", str(out), "--command"], monkeypatch, capsys)
    assert code == 0 and shlex.split(again) == shlex.split(command), err
