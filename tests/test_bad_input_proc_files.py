"""A file of /proc or /sys given as an image: those file systems report a size of 0 for files that read as text, so
the photo, painting, --init, --mask and `info` called `/proc/self/status` "empty (0 bytes); re-export or re-download
the image", which it is not and which no re-download mends. A file is empty only if it also reads as nothing."""

from __future__ import annotations

import os

import pytest

from conftest import run_main, write_tiny_job, stylize_argv as _stylize

pytestmark = pytest.mark.skipif(not os.path.isfile("/proc/self/status"), reason="needs Linux's /proc")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("proc-files"))


def _argv(role: str, image: str, files, out) -> list[str]:
    d, model = files
    photo, paint = str(d / "photo.jpg"), str(d / "paint.png")
    return {"photo": ["stylize", image, paint, "-o", str(out), "--model", model, "--size", "32", "--quiet"],
            "painting": ["stylize", photo, image, "-o", str(out), "--model", model, "--size", "32", "--quiet"],
            "init": _stylize(files, out, "--init", image),
            "mask": ["stylize", photo, "-o", str(out), "--model", model, "--size", "32", "--quiet", "--mask", image,
                     "--region-style", f"red={paint}"],
            "info": ["info", image]}[role]


@pytest.mark.parametrize("role", ["photo", "painting", "init", "mask", "info"])
def test_a_proc_file_that_reports_0_bytes_is_not_called_empty(role, files, tmp_path, monkeypatch, capsys):
    assert os.stat("/proc/self/status").st_size == 0  # what procfs reports, though the file holds text
    code, _, err = run_main(_argv(role, "/proc/self/status", files, tmp_path / "out.png"), monkeypatch, capsys)
    said = ("could not be read as an image" if role == "info" else
            "is not in an image format Pillow can read; convert it to PNG or JPEG")
    assert code == 2 and err.startswith("error: /proc/self/status ") and said in err, err
    assert "empty" not in err and not list(tmp_path.iterdir())


@pytest.mark.parametrize("role", ["photo", "painting", "init", "mask", "info"])
def test_an_empty_file_is_still_called_empty(role, files, tmp_path, monkeypatch, capsys):
    image = tmp_path / "empty.png"
    image.write_bytes(b"")
    code, _, err = run_main(_argv(role, str(image), files, tmp_path / "out.png"), monkeypatch, capsys)
    assert code == 2 and err == f"error: {image} is empty (0 bytes); re-export or re-download the image", err
    assert [p.name for p in tmp_path.iterdir()] == ["empty.png"]
