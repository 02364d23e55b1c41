"""`stylize --dry-run`: every check a run makes before its weights load, then one line of what it would do (size,
steps, memory against what is free, the files written or replaced, the weights downloaded first), and nothing run."""

from __future__ import annotations

import logging
from pathlib import Path

import jax
import pytest

from conftest import run_main, stylize_argv, write_tiny_job

GIB = 2**30


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("dry"))


@pytest.fixture
def no_run(monkeypatch):
    """Weights that load, or a program that compiles, fail the test; memory free is a fixed 20 GiB."""
    monkeypatch.setattr("jaxart.model_choice.resolve_model", lambda *a, **k: pytest.fail("weights loaded"))
    monkeypatch.setattr("jaxart.memory.available_bytes", lambda: 20 * GIB)
    monkeypatch.setattr("jaxart.memory.held_bytes", lambda files: 0)  # the line's "of 20.0 GiB free"


def test_a_dry_run_says_size_steps_memory_and_files_and_compiles_loads_and_writes_nothing(files, tmp_path, no_run,
                                                                                         monkeypatch, capsys, caplog):
    """A print-sized run said whether it fit only by starting: --dry-run says it, and what it would write."""
    out = tmp_path / "new" / "out.png"
    argv = stylize_argv(files, out, "--scales", "24,32", "--steps", "3,4", "--save-every", "2", "--animate",
                        str(tmp_path / "new" / "out.gif"), "--checkpoint-every", "5", "--dry-run")
    with jax.log_compiles(True), caplog.at_level(logging.DEBUG):
        code, printed, err = run_main(argv, monkeypatch, capsys)
        assert (code, err) == (0, "") and not [r for r in caplog.records if "Compiling" in r.getMessage()]
        jax.jit(lambda x: x * 3.5)(1.0)  # the check itself sees a compile
        assert [r for r in caplog.records if "Compiling" in r.getMessage()]
    assert printed.startswith("dry run: 32x24 px, 7 steps (24 px then 32 px), about ")  # the 40x30 photo
    assert printed.endswith(f" MiB of 20.0 GiB free; would write {out}, 3 frames {out.parent / 'out_00002.png'} to "
                            f"out_00006.png, {out.parent / 'out.gif'} and {out.parent / 'out.ckpt.npz'} (removing "
                            f"{out.parent / 'out.ckpt.npz'} once the image is written); nothing ran\n")
    assert not list(tmp_path.iterdir())  # not even the folder it would make


def test_a_dry_run_names_what_it_would_replace_and_download(files, tmp_path, no_run, monkeypatch, capsys):
    from jaxart.weights import SOURCES

    out = tmp_path / "out.png"
    out.write_bytes(b"mine")
    code, _, err = run_main(stylize_argv(files, out, "--dry-run"), monkeypatch, capsys)
    assert code == 2 and "already exists; pass --overwrite" in err  # refused as the run would be
    code, printed, err = run_main(stylize_argv(files, out, "--overwrite", "--dry-run"), monkeypatch, capsys)
    assert code == 0 and printed.endswith(f"; would write {out} (replacing {out}); nothing ran\n"), err
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "w"))  # empty
    argv = stylize_argv(files, tmp_path / "b.png", "--dry-run", "--model", "vgg16-hed")
    code, printed, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and printed.endswith(  # sweep's wording (jaxart_cli.dry_run.line)
        f"; would write {tmp_path / 'b.png'}; vgg16-hed is not installed, so a run would first download it "
        f"({SOURCES['vgg16-hed'].size / 2**20:.0f} MiB); nothing ran\n"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"] and out.read_bytes() == b"mine"


def test_a_run_too_large_is_refused_under_dry_run_with_the_same_line(files, tmp_path, no_run, monkeypatch, capsys):
    monkeypatch.setattr("jaxart.memory.available_bytes", lambda: 2**20)  # 1 MiB free
    said = [run_main(stylize_argv(files, tmp_path / "out.png", *extra), monkeypatch, capsys)
            for extra in ((), ("--dry-run",))]
    assert said[0] == said[1] and said[0][0] == 2 and "needs about" in said[0][2] and "is free; use" in said[0][2]
    assert not list(tmp_path.iterdir())


def test_a_dry_run_counts_the_frames_it_would_replace_and_remove(files, tmp_path, no_run, monkeypatch, capsys):
    from jaxart import output
    from test_outputs import PIXELS

    out = tmp_path / "out.png"
    for step in (2, 6):  # 2 this run writes again; 6 an earlier, longer run's, which --overwrite removes
        output.save_png(tmp_path / f"out_0000{step}.png", PIXELS, {"jaxart": "test", "output": str(out.resolve())})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    code, printed, err = run_main(stylize_argv(files, out, "--steps", "5", "--save-every", "2", "--overwrite",
                                               "--dry-run"), monkeypatch, capsys)
    assert code == 0 and printed.endswith(
        f"would write {out} and 2 frames {tmp_path / 'out_00002.png'} to out_00004.png (replacing 1 frame, removing "
        "1 frame of an earlier run); nothing ran\n"), err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before



def test_a_resumed_dry_run_says_where_it_would_resume_and_refuses_as_the_run_would(tmp_path, monkeypatch, capsys,
                                                                                 signal_at, request):
    """`stylize --resume OUT.ckpt.npz --dry-run` was refused ("drop --dry-run"), where `sweep --resume` took it."""
    job = write_tiny_job(tmp_path)
    ckpt, out = tmp_path / "out.ckpt.npz", tmp_path / "out.png"
    signal_at(3)
    code, _, err = run_main(stylize_argv(job, out, "--steps", "5", "--save-every", "2"), monkeypatch, capsys)
    assert code == 143 and ckpt.is_file(), err
    request.getfixturevalue("no_run")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    dry = ["stylize", "--resume", str(ckpt), "--dry-run"]
    code, printed, err = run_main(dry, monkeypatch, capsys)
    assert (code, err) == (0, "") and printed.startswith(
        f"dry run: would resume {ckpt} from step 3 of 5, 32x24 px, about "), printed
    assert printed.endswith(f"; would write {out} and 2 frames {tmp_path / 'out_00002.png'} to out_00004.png "
                            f"(replacing {out}, removing {ckpt} once the image is written); nothing ran\n"), printed
    # Refused as the resumed run is: its image replaced by another file, an edited photo, other weights.
    for path, edit, says in (
            (out, lambda b: b"mine", f"{out} already exists; pass --overwrite"),
            (tmp_path / "photo.jpg", lambda b: b + b"\0", "photo.jpg has changed since the checkpoint was made"),
            (Path(job[1]), lambda b: _other_weights(tmp_path), "checkpoint was made with other weights than ")):
        path.write_bytes(edit(before[path.name]))
        code, _, err = run_main(dry, monkeypatch, capsys)
        assert code == 2 and len(err.splitlines()) == 1 and says in err, err
        path.write_bytes(before[path.name])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def _other_weights(d) -> bytes:
    """A tiny weights file's bytes, of other tensors than `write_tiny_job`'s."""
    import jaxart
    from conftest import TINY
    from jaxart.weights import store

    w = jaxart.random_weights(jax.random.PRNGKey(9), "vgg19", widths=TINY)
    path = store.save(w.params, d / "other.safetensors", arch="vgg19", preprocess=w.preprocess, name="tiny")
    data = path.read_bytes()
    path.unlink()
    return data


def test_a_dry_run_over_an_interrupted_checkpoint_names_it_once(files, tmp_path, no_run, monkeypatch, capsys):
    """`--overwrite --checkpoint-every 1` over an interrupted run's out.ckpt.npz said "(replacing out.ckpt.npz,
    removing out.ckpt.npz once the image is written)": one file named twice, as if there were two, where the
    sweep's dry run names it once."""
    import numpy as np

    from jaxart import checkpoint

    out, ckpt = tmp_path / "out.png", tmp_path / "out.ckpt.npz"
    checkpoint.save(ckpt, [np.zeros(1)], {"step": 1})
    argv = stylize_argv(files, out, "--steps", "4", "--checkpoint-every", "1", "--overwrite", "--dry-run")
    code, printed, err = run_main(argv, monkeypatch, capsys)
    assert (code, err) == (0, "")
    assert printed.endswith(f"would write {out} and {ckpt} (replacing {ckpt}, and removing its own once the image is "
                            "written); nothing ran\n"), printed
    assert printed.count(str(ckpt)) == 2  # the file it writes, and the one there now


def test_a_dry_run_with_overwrite_names_the_interrupted_checkpoint_the_run_removes(files, tmp_path, monkeypatch,
                                                                                    capsys):
    """--overwrite over an interrupted run's out.ckpt.npz, without --checkpoint-every, removes that checkpoint once
    the image is written; its dry run said only "would write out.png", the checkpoint unnamed."""
    import numpy as np

    from jaxart import checkpoint

    out, ckpt = tmp_path / "out.png", tmp_path / "out.ckpt.npz"
    checkpoint.save(ckpt, [np.zeros(1)], {"step": 1})
    argv = stylize_argv(files, out, "--steps", "2", "--overwrite")
    code, printed, err = run_main([*argv, "--dry-run"], monkeypatch, capsys)
    assert (code, err) == (0, "")
    assert printed.endswith(f"would write {out} (removing {ckpt} once the image is written); nothing ran\n"), printed
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and out.is_file() and not ckpt.exists(), err
