"""One clear line for every bad input to `jaxart stylize`, before the weights are loaded and with nothing
written, naming a file as typed (a damaged --init image too, and to `jaxart sweep`); no input or frame replaced; no
traceback from a real process or into a closed pipe."""

import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import cli
import jaxart
from jaxart import model_choice
import test_image

from conftest import ROOT, run_main, write_tiny_job
import test_cli
from test_cli import _args
from test_image_formats import _png

files = test_cli.files  # its module fixture: tiny weights, a photo, a painting and a file that is not an image


BAD = {
    "missing file": (lambda d: ["stylize", str(d / "nope.jpg"), str(d / "paint.png")], "does not exist"),
    # Read as a painting's name: it said "-o does not exist; check the path and the current folder".
    "option after --": (lambda d: ["stylize", "--", str(d / "photo.jpg"), str(d / "paint.png"), "-o"],
                        "-o does not exist: everything after `--` is read as a file's name, options too; put options "
                        "before `--`"),
    "not an image": (lambda d: ["stylize", str(d / "notes.jpg"), str(d / "paint.png")], "not in an image format"),
    "unknown layer": (lambda d: ["--style-layers", "relu9_1"], "'relu9_1' does not exist"),
    "unknown model": (lambda d: ["--model", "vgg99"], "unknown model 'vgg99'"),
    # A file's name, not a weight set's: it said "unknown model 'junk.png'" and listed names.
    "image as model": (lambda d: ["--model", "junk.png"], "junk.png is an image, not weights: give a weight set's name"),
    "text file as model": (lambda d: ["--model", "notes.txt"], "notes.txt is not a weights file: give a weight set's "),
    "keras file as model": (lambda d: ["--model", "vgg19.h5"], "vgg19.h5 is not converted weights; convert it first"),
    "negative weight": (lambda d: ["--style-weight", "-1"], "style-weight must be a finite number >= 0"),
    "zero steps": (lambda d: ["--steps", "0"], "steps must be a positive integer"),
    "zero L-BFGS memory": (lambda d: ["--lbfgs-memory", "0"], "lbfgs-memory must be a positive integer"),
    "negative margin": (lambda d: ["--margin", "-1"], "margin must be a whole number of pixels from 0 to 64"),
    "unwritable output": (lambda d: ["--output", "/proc/jaxart/out.png"], "does not exist"),
    "bad option": (lambda d: ["--optimizer", "sgd"], "'sgd' is not one of"),
    "bad init": (lambda d: ["--init", str(d / "nope.png")], "nope.png' does not exist; give content or random, or the path of an image file"),
    "bad background": (lambda d: ["--background", "octarine"], "'octarine' is not a colour name"),
    "background with alpha": (lambda d: ["--background", "#ff00"], "'#ff00' is not a colour name"),  # was yellow
    "negative size": (lambda d: ["--size", "-5"], "size must be a positive integer"),
    "size of 400 digits": (lambda d: ["--size", "9" * 400], "size must be a positive integer up to 2147483647"),
    "steps beyond int32": (lambda d: ["--steps", str(2**31)], "steps must be a positive integer up to 2147483647"),
    "scale steps beyond int32": (lambda d: ["--start-size", "16", "--steps", f"1,{2**31}"], "up to 2147483647"),
    # Not the defaults in silence, nor weights shifted onto the wrong layers:
    "empty layer": (lambda d: ["--style-layers", "relu1_1,,relu2"], "--style-layers: 'relu1_1,,relu2' has an empty"),
    "empty weight": (lambda d: ["--style-layer-weights", "1,,2,3,4,5"], "--style-layer-weights: '1,,2,3,4,5' has an"),
    "nan blend": (lambda d: ["--style-blend", "nan"], "--style-blend must be a finite number >= 0"),
    "blend for two paintings": (lambda d: ["--style-blend", "1,1"], "--style-blend gives 2 weights for 1 painting; give"),
    "overflowing weight": (lambda d: ["--style-weight", "1e300"], "style-weight must be a finite number >= 0 (at most"),
    "seed beyond 64 bits": (lambda d: ["--seed", str(2**64)], "seed must be a whole number that fits in 64 bits"),
    "all loss weights 0": (lambda d: ["--content-weight", "0", "--style-weight", "0", "--tv-weight", "0"],
                           "--content-weight, --style-weight and --tv-weight are all 0, so nothing would change"),
    "layer weights all 0": (lambda d: ["--style-layer-weights", "0,0,0,0,0"], "--style-layer-weights are all 0"),
    "blend all 0": (lambda d: ["--style-blend", "0"], "has no weight above 0, which leaves no style"),
    "style layer twice": (lambda d: ["--style-layers", "relu1_1,relu2_1,relu1_1"], "--style-layers lists 'relu1_1' twice"),
    "content layer twice": (lambda d: ["--content-layers", "relu4_2,relu4_2"], "--content-layers lists 'relu4_2' twice"),
    "too few layer weights": (lambda d: ["--style-layer-weights", "1,2"], "--style-layer-weights has 2 weights for 5 style layers "
                              "(relu1_1, relu2_1, relu3_1, relu4_1, relu5_1); give one weight per style layer"),
    "mask without region styles": (lambda d: ["stylize", str(d / "photo.jpg"), "--mask", str(d / "paint.png")],
                                   "--mask: needs a --region-style COLOUR=PAINTING for each colour of the mask"),
    "animation over the photo": (lambda d: ["--overwrite", "--animate", str(d / "photo.jpg")],
                                 "photo.jpg is one of the inputs; choose another --animate (--overwrite never"),
    "zoom with adam": (lambda d: ["--optimizer", "adam", "--linesearch", "zoom"], "--linesearch 'zoom' is L-BFGS's; --optimizer 'adam' takes none"),
    "output over the painting": (lambda d: ["--overwrite", "--output", str(d / "paint.png")], "is one of the inputs"),
    "negative checkpoint interval": (lambda d: ["--checkpoint-every", "-1"],
                                     "--checkpoint-every: must be 0 or positive, got -1"),
    "negative frame interval": (lambda d: ["--save-every", "-3"], "--save-every: must be 0 or positive, got -3"),
    "photo without a painting": (lambda d: ["stylize", str(d / "photo.jpg")],
                                 "give the CONTENT photo and at least one STYLE painting, or --resume CHECKPOINT"),
    "photo with --resume": (lambda d: ["stylize", str(d / "photo.jpg"), "--resume", str(d / "x.ckpt.npz")],
                            "the checkpoint names the content, styles and model; give no CONTENT or STYLE with it"),
    "settings with --resume": (lambda d: ["stylize", "--resume", str(d / "x.ckpt.npz"), "--steps", "9"],
                               "the checkpoint fixes the run's settings; drop --model, --steps (or start a new run "
                               "to change them, with --init IMAGE to go on from the interrupted image)"),
    "off switch with --resume": (lambda d: ["stylize", "--resume", str(d / "x.ckpt.npz"), "--no-remat"],
                                 "drop --model, --no-remat (or"),  # was "drop --model, --remat"
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gives_one_line_and_no_output(case, files, tmp_path, monkeypatch, capsys):
    d, model = files
    out = tmp_path / "out.png"
    make, expected = BAD[case]
    extra = make(d)
    argv = extra + ["--output", str(out), "--model", model] if extra[0] == "stylize" else _args(files, out, *extra)
    monkeypatch.setattr(sys, "argv", ["cli.py", *argv])

    def loaded(*args):  # not an error cli.main reports: it fails the test
        raise AssertionError("the weights were loaded (or fetched) before the bad input was found")

    monkeypatch.setattr(model_choice, "resolve_model", loaded)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and expected in err, err
    assert not out.exists() and not list(tmp_path.iterdir())
    assert Image.open(d / "paint.png").size == (20, 20), "an input was overwritten"


def test_frames_and_checkpoint_never_replace_an_input_nor_an_existing_frame(files, tmp_path, monkeypatch, capsys):
    """`--save-every` writes OUT_00002.png and an interrupted run OUT.ckpt.npz beside the output:
    checked before any work, like the output itself."""
    d, model = files
    photo = tmp_path / "fr_00002.png"  # the name of the output's frame at step 2
    painting = tmp_path / "o.ckpt.npz"  # the name of its checkpoint: Pillow reads a PNG by its content
    shutil.copy(d / "photo.jpg", photo)
    shutil.copy(d / "paint.png", painting)
    kept = tmp_path / "k_00002.png"  # another stem than o.png's: o.ckpt.npz there is refused first, with --resume
    kept.write_bytes(b"an earlier frame")
    cases = [([str(photo), str(d / "paint.png"), "-o", str(tmp_path / "fr.png"), "--overwrite"],
              f"the --save-every frame {photo} would replace one of the inputs"),
             ([str(d / "photo.jpg"), str(painting), "-o", str(tmp_path / "o.png"), "--overwrite"],
              f"the checkpoint {painting} would replace one of the inputs"),
             ([str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "k.png")],
              f"the --save-every frame {kept} already exists; pass --overwrite")]
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    for argv, expected in cases:
        monkeypatch.setattr(sys, "argv", ["cli.py", "stylize", *argv, "--model", model, "--size", "32", "--steps",
                                          "3", "--save-every", "2"])
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
        err = capsys.readouterr().err.strip()
        assert exit_info.value.code == 2 and len(err.splitlines()) == 1 and expected in err, err
        assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing written, nothing replaced


def test_real_process_reports_without_traceback(files, tmp_path):
    d, _ = files
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "stylize", str(d / "nope.jpg"), str(d / "paint.png"),
                           "--output", str(tmp_path / "o.png")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("argv", [["--help"], ["stylize", "--help"], ["weights", "--help"], ["info", "RECORD"],
                                  ["weights", "list"], ["stylize", "PHOTO", "PAINTING", "--model", "MODEL", "--size",
                                                        "32", "--steps", "2", "-o", "OUT"]],
                         ids=["help", "stylize help", "weights help", "info", "weights list", "stylize"])
def test_output_into_a_closed_pipe_ends_quietly(argv, files, tmp_path):
    """`jaxart info out.png | head -c1`: the reader gone, the command ends without a traceback or "Exception ignored"
    on stderr, with its own exit code: it was 1 from click, a failure under `set -o pipefail` though stylize had
    written its image and info had read its record; and `jaxart --help | head -1` too, as a command's output."""
    import os

    d, model = files
    jaxart.output.save_image(tmp_path / "r.png", np.zeros((4, 4, 3)), {"config": {"size": 32}, "note": "x" * 100_000})
    named = {"RECORD": tmp_path / "r.png", "PHOTO": d / "photo.jpg", "PAINTING": d / "paint.png", "MODEL": model,
             "OUT": tmp_path / "o.png"}
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    try:
        proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *[str(named.get(a, a)) for a in argv]],
                              stdout=write, stderr=subprocess.PIPE, text=True, timeout=120,
                              env={**os.environ, "JAXART_WEIGHTS_DIR": str(tmp_path)})
    finally:
        os.close(write)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    runs = argv[0] == "stylize" and "--help" not in argv
    assert proc.stderr == "" or runs, proc.stderr  # its progress and timing lines are on stderr
    assert (tmp_path / "o.png").exists() == runs


@pytest.mark.parametrize("case", sorted(test_image.BAD))
def test_every_bad_image_file_fails_the_cli_cleanly(case, files, tmp_path, monkeypatch, capsys):
    build, fragments = test_image.BAD[case]
    (tmp_path / "inputs").mkdir()
    bad = build(tmp_path / "inputs")
    out = tmp_path / "out" / "result.png"
    out.parent.mkdir()
    d, model = files
    for argv in ([str(bad), str(d / "paint.png")], [str(d / "photo.jpg"), str(bad)]):
        monkeypatch.setattr(sys, "argv", ["cli.py", "stylize", *argv, "-o", str(out), "--model", model])
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
        err = capsys.readouterr().err.strip()
        assert exit_info.value.code == 2 and len(err.splitlines()) == 1 and fragments[0] in err, err
        assert not list(out.parent.iterdir())


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_damaged_init_image_is_named_as_typed(command, tmp_path, monkeypatch, capsys):
    """It named the absolute path the CLI records (/tmp/.../bad.png), where a damaged photo's names it as typed."""
    d, model = write_tiny_job(tmp_path)
    monkeypatch.chdir(d)
    (d / "bad.png").write_bytes(b"not a png")
    code, _, err = run_main([command, "photo.jpg", "paint.png", "-o", "out.png", "--model", model, "--size", "32",
                             "--steps", "1", "--init", "bad.png"], monkeypatch, capsys)
    assert code == 2 and err == "error: bad.png is not in an image format Pillow can read; convert it to PNG or JPEG"
    assert not (d / "out.png").exists()


def test_the_cli_says_a_damaged_photo_is_damaged_in_one_line_and_writes_nothing(files, tmp_path, monkeypatch, capsys):
    d, model = files
    photo = tmp_path / "photo.png"
    photo.write_bytes(_png(False))
    out = tmp_path / "out.png"
    argv = ["stylize", str(photo), str(d / "paint.png"), "-o", str(out), "--model", model, "--size", "32"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err == f"error: {photo} starts as a PNG file but its header is damaged; re-export or " \
                                 "re-download it", err
    assert not out.exists()


@pytest.mark.slow  # a child process that loads JAX and compiles: about 5-9 s on 2 cores
@pytest.mark.parametrize("extra", [[], ["--seed", "3"]], ids=["bar first", "warning first"])
@pytest.mark.parametrize("stderr", ["closed pipe", "/dev/full"])
def test_a_run_whose_stderr_reader_is_gone_writes_its_image_and_exits_0(stderr, extra, files, tmp_path):
    """`jaxart stylize ... 2>&1 | head -1`: the reader of its progress and warnings gone, rich's bar ended the run
    with exit 1 (and a warning's line, click's echo, did too): no image where it came before the run. So did stderr
    on a full disk (`2>>job.log`, /dev/full), silently: ENOSPC is no BrokenPipeError."""
    import os

    if stderr == "/dev/full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    d, model = files
    read, write = os.pipe() if stderr == "closed pipe" else (None, os.open(stderr, os.O_WRONLY))
    if read is not None:
        os.close(read)
    try:
        proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "stylize", str(d / "photo.jpg"),
                               str(d / "paint.png"), "--model", model, "--size", "32", "--steps", "2",
                               "-o", str(tmp_path / "o.png"), *extra],
                              stdout=subprocess.PIPE, stderr=write, text=True, timeout=120)
    finally:
        os.close(write)
    assert proc.returncode == 0 and proc.stdout.startswith(f"wrote {tmp_path / 'o.png'} ("), proc.stdout
    assert (tmp_path / "o.png").stat().st_size > 0
