"""Output rules (formats, --overwrite, folders) and refused checkpoints, through the CLI."""

import json
import os
import signal
import struct
import zlib
from pathlib import Path

import jax
import numpy as np
import pytest
from PIL import Image

import cli
import jaxart
from jaxart import checkpoint, errors, job, output
from jaxart.weights import store

from conftest import TINY, run_main, write_tiny_job, stylize_argv as _stylize


def read_png16(path) -> np.ndarray:
    """The (H, W, 3) uint16 pixels of a 16-bit RGB PNG with unfiltered rows, as jaxart writes."""
    data, idat = open(path, "rb").read(), b""
    pos = 8
    while pos < len(data):
        (n,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", data[pos + 8:pos + 18])
            assert (depth, colour) == (16, 2), "not 16-bit RGB"
        idat += data[pos + 8:pos + 8 + n] if kind == b"IDAT" else b""
        pos += n + 12
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + 6 * w)
    assert not rows[:, 0].any(), "rows use PNG filters this reader does not undo"
    return rows[:, 1:].copy().view(">u2").reshape(h, w, 3).astype(np.uint16)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("reliability")
    return write_tiny_job(d)


_main = run_main


def _rewrite_meta(path, **changes):
    """Edit a checkpoint's metadata in place, as another version or machine would have written it."""
    with np.load(path, allow_pickle=False) as z:
        arrays = dict(z)
    meta = {**json.loads(str(arrays.pop("meta"))), **changes}
    with open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)


def _existing(t):
    (t / "out.png").write_bytes(b"old")
    return t / "out.png"


def _under_a_file(t):
    (t / "file").write_text("x")
    return t / "file" / "out.png"


def _folder(t):
    (t / "outdir").mkdir()
    return t / "outdir"


REFUSED = {  # case: (make the output path in tmp_path, extra options, expected message)
    "existing output": (_existing, [], "already exists; pass --overwrite"),
    "folder is a file": (_under_a_file, [], "is a file, not a folder"),
    "uncreatable folder": (lambda t: Path("/proc/jaxart-no/out.png"), [],
                           "/proc/jaxart-no does not exist and cannot be created"),
    # sysfs takes no new file, even from root (tests run as root, where a 0500 folder was writable and the case skipped)
    "unwritable folder": (lambda t: Path("/sys/out.png"), [], "output folder /sys is not writable ("),
    "format mismatch": (lambda t: t / "out.png", ["--format", "tiff"], "must end in .tif or .tiff for --format tiff"),
    # Not "ends in no suffix": -o somefolder/ names a folder to write into.
    "output is a folder": (_folder, [], "outdir is a folder; give a file name in it, such as"),
    "output is a folder, with --format": (_folder, ["--format", "tiff"], os.path.join("outdir", "out.tif")),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_bad_output_is_refused_before_any_work(case, files, tmp_path, monkeypatch, capsys):
    make, extra, expected = REFUSED[case]
    out = make(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    code, _, err = _main(_stylize(files, out, *extra), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and expected in err, err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before, "nothing written"


@pytest.mark.parametrize("kind, said", [("+i", "it is immutable (chattr +i)"), ("+a", "it is append-only (chattr +a)"),
                                        ("sticky", "it belongs to another user, in a folder (sticky, as /tmp) where "
                                                   "only its owner may replace it")])
def test_overwrite_onto_a_file_that_cannot_be_replaced_is_refused_before_any_work(kind, said, files, tmp_path,
                                                                                   monkeypatch, capsys):
    """The whole run went by, then the rename failed (exit 1): a flag even root's rename obeys, or
    another user's file in a sticky folder such as /tmp."""
    import subprocess

    out = _existing(tmp_path)
    if kind == "sticky":
        tmp_path.chmod(0o1777)
        monkeypatch.setattr(os, "geteuid", lambda: out.stat().st_uid + 1)  # the file another user's
    elif subprocess.run(["chattr", kind, str(out)], capture_output=True).returncode:
        pytest.skip("chattr needs root and a file system with these flags")
    try:
        code, _, err = _main(_stylize(files, out, "--overwrite"), monkeypatch, capsys)
    finally:
        subprocess.run(["chattr", "-ia", str(out)], capture_output=True)  # so that the folder can be removed
    assert code == 2 and err == f"error: output {out} cannot be replaced: {said}; choose another --output", err
    assert out.read_bytes() == b"old" and sorted(tmp_path.iterdir()) == [out]


def test_overwrite_replaces_and_missing_folders_are_created(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "new" / "deeper" / "out.png"
    assert _main(_stylize(files, out), monkeypatch, capsys)[0] == 0
    first = out.read_bytes()
    code, _, err = _main(_stylize(files, out, "--overwrite", "--style-weight", "50"), monkeypatch, capsys)
    assert code == 0, err
    assert out.read_bytes() != first and jaxart.read_record(out)["config"]["style_weight"] == 50.0


@pytest.mark.parametrize("fmt,name", [("png16", "out.png"), ("tiff", "out.tif")])
def test_16_bit_outputs_carry_the_record_that_info_reads(fmt, name, files, tmp_path, monkeypatch, capsys):
    out = tmp_path / name
    assert _main(_stylize(files, out, "--format", fmt), monkeypatch, capsys)[0] == 0
    code, printed, _ = _main(["info", str(out)], monkeypatch, capsys)
    record = json.loads(printed)
    assert code == 0 and record == jaxart.read_record(out)
    assert record["steps"] == 2 and record["model"] == "tiny" and len(record["weights_sha256"]) == 64
    with Image.open(out) as img:  # other readers open it too
        assert img.size == (32, 24) and img.mode == "RGB"


def test_info_prints_a_tiff_record(files, tmp_path):
    from typer.testing import CliRunner

    out = output.save_image(tmp_path / "x.tif", np.zeros((3, 4, 3)), {"run": "tiff"}, "tiff")
    result = CliRunner().invoke(cli.app, ["info", str(out)])
    assert result.exit_code == 0 and json.loads(result.output) == {"run": "tiff"}


@pytest.mark.parametrize("shape", [(5, 7, 3), (1, 300, 3)])
def test_png16_round_trips_pixels_to_half_a_level(shape, tmp_path):
    x = np.random.default_rng(1).random(shape)
    path = output.save_image(tmp_path / "x.png", x, {"k": 1}, "png16")
    got = read_png16(path) / 65535.0
    assert np.abs(got - x).max() <= 0.5 / 65535 + 1e-12
    with Image.open(path) as img:  # Pillow reads the high bytes
        assert np.array_equal(np.asarray(img), (read_png16(path) >> 8).astype(np.uint8))


@pytest.fixture
def interrupted(files, tmp_path):
    """A checkpoint from a run stopped (as by SIGTERM) after its first step."""
    d, model = files
    out = tmp_path / "out.png"
    w = jaxart.load_weights(model)
    config = jaxart.StyleConfig(size=32, steps=4)
    with pytest.raises(errors.Interrupted) as e:
        job.stylize_files(d / "photo.jpg", [d / "paint.png"], out, config, w, model=model,
                          stopped=lambda: signal.SIGTERM)
    assert e.value.code == 143 and jaxart.read_record(out)["interrupted"] == "SIGTERM"
    return checkpoint.path_for(out)


def test_checkpoint_from_other_weights_is_refused(interrupted, tmp_path, monkeypatch, capsys):
    other = jaxart.random_weights(jax.random.PRNGKey(9), "vgg19", widths=TINY)
    path = store.save(other.params, tmp_path / "other.safetensors", arch="vgg19", preprocess=other.preprocess,
                      name="tiny")
    _rewrite_meta(interrupted, model=str(path))
    code, _, err = _main(["stylize", "--resume", str(interrupted), "--quiet"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "checkpoint was made with other weights" in err and "resume with the same weights file" in err


def test_checkpoint_from_another_version_is_refused(interrupted, monkeypatch, capsys):
    _rewrite_meta(interrupted, jaxart="0.0.1")
    code, _, err = _main(["stylize", "--resume", str(interrupted), "--quiet"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert f"checkpoint was made by jaxart 0.0.1, this is jaxart {jaxart.__version__}" in err


def test_a_file_that_is_not_a_checkpoint_is_refused(files, monkeypatch, capsys):
    d, _ = files
    code, _, err = _main(["stylize", "--resume", str(d / "paint.png")], monkeypatch, capsys)
    assert code == 2 and "is not a jaxart checkpoint" in err, err


def _reorder_header(path):
    """Rewrite a safetensors header with its metadata in reverse order, as the hash order of
    safetensors' writer left files written before jaxart sorted them (same length, same tensors)."""
    with open(path, "r+b") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        header["__metadata__"] = dict(reversed(header["__metadata__"].items()))
        f.seek(8)
        f.write(json.dumps(header, separators=(",", ":")).encode().ljust(n))


def test_the_same_weights_are_written_as_the_same_bytes(tmp_path):
    """Records and checkpoints name weights by the file's sha256: re-fetching must not change it."""
    w = jaxart.random_weights(jax.random.PRNGKey(3), "vgg19", widths=TINY)
    paths = [store.save(w.params, tmp_path / f"{i}.safetensors", arch="vgg19", preprocess=w.preprocess, name="tïny",
                        source="a/b\\c\t\"d\"", origin="b", layout="c") for i in range(4)]
    assert len({p.read_bytes() for p in paths}) == 1
    assert store.verify(paths[0]) and store.load(paths[0]).content_sha256


def test_checkpoint_resumes_with_the_same_weights_in_another_file(interrupted, files, tmp_path, monkeypatch, capsys):
    """A re-fetch by an older jaxart wrote the same tensors with the header in another order."""
    copy = tmp_path / "refetched.safetensors"
    copy.write_bytes(Path(files[1]).read_bytes())
    _reorder_header(copy)
    assert store.load(copy).sha256 != store.load(files[1]).sha256
    _rewrite_meta(interrupted, model=str(copy))
    code, _, err = _main(["stylize", "--resume", str(interrupted), "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    assert jaxart.read_record(tmp_path / "out.png")["steps"] == 4
