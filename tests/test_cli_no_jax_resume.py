"""A dry run of `--resume` answers without importing JAX where only the CPU is there, each from a fresh `import cli`
(test_cli_no_jax.py's `_fresh`): stylize's and sweep's, the latter refusing a checkpoint of other weights too."""

from __future__ import annotations

import shutil

import pytest

from test_cli_no_jax import _fresh, _installed


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    """A weights folder holding an installed weight set, beside the photo and painting."""
    return _installed(tmp_path_factory.mktemp("job"))


def test_a_resumed_dry_run_answers_without_importing_jax_where_only_the_cpu_is_there(job, tmp_path):
    """It asks which scale the checkpoint's image is of, which coarse_to_fine answered with JAX loaded."""
    import signal

    from jaxart import errors, job as run, load_weights
    from jaxart.config import StyleConfig
    from jaxart import devices

    model = str(job / "weights" / "tiny.safetensors")
    with pytest.raises(errors.Interrupted):
        run.stylize_files(job / "photo.jpg", [job / "paint.png"], tmp_path / "cut.png",
                          StyleConfig(size=32, scales=(24, 32), steps=2), load_weights(model), model=model,
                          stopped=lambda: signal.SIGTERM)
    (code, out, loaded), = _fresh({"resumed": ["stylize", "--resume", str(tmp_path / "cut.ckpt.npz"), "--dry-run"]},
                                  job / "weights", tmp_path / "answers").values()
    assert code == 0 and out.startswith(f"dry run: would resume {tmp_path / 'cut.ckpt.npz'} from step 1 of 4 (24 px "
                                        "then 32 px), 32x24 px, about "), out
    assert loaded == [] or (loaded is not None and not devices.cpu_only()), loaded


def test_a_resumed_sweeps_dry_run_refuses_other_weights_without_importing_jax(job, tmp_path, monkeypatch, capsys,
                                                                             signal_at):
    """It reads the weights file's header, as stylize's does; it took other weights, which the run refused."""
    from conftest import run_main
    from jaxart import devices
    from test_sweep_resume import _edit

    ckpt, model = tmp_path / "g.ckpt.npz", str(job / "weights" / "tiny.safetensors")
    signal_at(1)
    code, _, err = run_main(["sweep", str(job / "photo.jpg"), str(job / "paint.png"), "--model", model, "--size", "24",
                             "--steps", "2", "--style-weight", "1,10", "-q", "-o", str(tmp_path / "g.png")],
                            monkeypatch, capsys)
    assert code == 143, err
    other = tmp_path / "other" / ckpt.name  # the same checkpoint, but for the weights it names
    other.parent.mkdir()
    shutil.copy(ckpt, other)
    _edit(other, weights_sha256="0" * 64, weights_content_sha256="0" * 64)
    said = _fresh({"same": ["sweep", "--resume", str(ckpt), "--dry-run"],
                   "other": ["sweep", "--resume", str(other), "--dry-run"],
                   "info": ["info", str(other)]}, job / "weights", tmp_path / "answers")
    code, out, loaded = said["same"]
    assert code == 0 and out.startswith(f"dry run: the sweep in {ckpt} from step 1 of 2, 2 settings, 24 px, "), out
    assert loaded == [] or (loaded is not None and not devices.cpu_only()), loaded
    code, out, loaded = said["other"]
    assert code == 2 and f"checkpoint was made with other weights than {model} holds" in out, out
    assert loaded == [] or (loaded is not None and not devices.cpu_only()), loaded
    code, out, loaded = said["info"]  # whether --resume would take it: the same checks, no JAX either
    assert code == 0 and '"resumable": false' in out, out
    assert f"refuse it now: checkpoint was made with other weights than {model} holds" in out, out
    assert loaded == [] or (loaded is not None and not devices.cpu_only()), loaded
