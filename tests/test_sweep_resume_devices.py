"""A sweep resumed, or its sheet's command run, where JAX has another number of devices splits its batch otherwise,
which rounds otherwise: the files are then close to the sweep's, not the same, and the resume (or `info --command`)
says so."""

import pytest

from jaxart import checkpoint, devices

from conftest import run_main, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("resume_devices"), "vgg16")


@pytest.mark.parametrize("here, said", [(1, False), (2, True)])
def test_a_sweep_resumed_over_other_devices_says_its_files_will_differ(here, said, files, signal_at, tmp_path,
                                                                      monkeypatch, capsys):
    d, model = files
    out = tmp_path / "g.png"
    signal_at(2)
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(out), "--model",
                             model, "--size", "24", "--quiet", "--style-weight", "1,100", "--steps", "4"],
                            monkeypatch, capsys)
    assert code == 143 and checkpoint.load(tmp_path / "g.ckpt.npz").meta["devices"] == 1, err

    monkeypatch.setattr(devices, "local_device_count", lambda: here)  # as XLA_FLAGS' device count gives it
    code, out, err = run_main(["sweep", "--resume", str(tmp_path / "g.ckpt.npz"), "--dry-run"], monkeypatch, capsys)
    assert code == 0 and "dry run: the sweep in" in out, out + err
    warned = ("warning: this sweep ran its batch over 1 device and goes on over 2, which rounds otherwise: its files "
              "will be close to the uninterrupted sweep's, not the same")
    assert (warned in err) == said, err


@pytest.mark.parametrize("here, said", [(1, False), (2, True)])
def test_a_sheets_command_names_the_devices_its_batch_was_split_over(here, said, files, tmp_path, monkeypatch,
                                                                      capsys):
    d, model = files
    sheet = tmp_path / "g.png"
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(sheet), "--model",
                             model, "--size", "24", "--quiet", "--style-weight", "1,100", "--steps", "2"],
                            monkeypatch, capsys)
    assert code == 0, err
    monkeypatch.setattr(devices, "local_device_count", lambda: here)
    code, out, err = run_main(["info", str(sheet), "--command"], monkeypatch, capsys)
    assert code == 0 and out.startswith("jaxart sweep "), out + err
    warned = ("warning: this sweep ran its batch over 1 device, here JAX has 2: the command splits it otherwise, "
              "which rounds otherwise, so its tiles will be close to these, not the same")
    assert (warned in err) == said, err
