"""`jaxart info --command` on a `--save-every` frame: the command makes that frame again, not the run's
last image under the frame's name."""

import shlex

import numpy as np
from PIL import Image

from conftest import run_main, write_tiny_job


def test_a_frames_command_writes_that_frame_again(tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path)
    run = ["--model", model, "--size", "32", "--steps", "3", "-q"]
    code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(d / "first.png"),
                             "--save-every", "1", *run], monkeypatch, capsys)
    assert code == 0, err
    code, out, err = run_main(["info", str(d / "first_00001.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and "frame at step 1 of the run that wrote" in err and len(err.splitlines()) == 1, err
    argv = shlex.split(out)
    assert argv[argv.index("--output") + 1] == str(d / "first.png"), out  # the frame's name is the run's to give
    argv[argv.index("--output") + 1] = str(d / "again.png")
    code, _, err = run_main([*argv[1:], "-q"], monkeypatch, capsys)
    assert code == 0, err
    np.testing.assert_array_equal(np.asarray(Image.open(d / "first_00001.png")),
                                  np.asarray(Image.open(d / "again_00001.png")))
