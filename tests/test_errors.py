"""Writing a file whole or not at all, and what a user reads when it fails (jaxart.files, jaxart.errors): the file
named, never its hidden temporary."""

import errno
import os
from pathlib import Path

import numpy as np
import pytest

from jaxart import destinations, files
from jaxart.errors import InputError, OutputError, describe
from jaxart.files import all_or_nothing, replacing, writing
from jaxart.probe import probe_folder
from jaxart.output import save_image


@pytest.mark.parametrize("code, advice", [(errno.ENOSPC, "free some space"), (errno.EDQUOT, "free some space"),
                                          (errno.EISDIR, "move that folder away"),
                                          (errno.EACCES, "check its permissions"),
                                          (errno.EPERM, "check its permissions"), (errno.EIO, "check the disk")])
def test_a_failed_write_names_the_file_and_the_advice_that_fits_the_failure(code, advice, tmp_path):
    path = tmp_path / "out.png"
    with pytest.raises(OutputError) as e:
        with writing(path, "image"):
            raise OSError(code, os.strerror(code))
    assert str(e.value) == f"could not write image {path} ({os.strerror(code)}); {advice} or choose another output"


def test_a_write_that_hit_the_open_files_limit_says_to_raise_it_not_to_check_the_disk(tmp_path):
    import resource

    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    with pytest.raises(OutputError) as e:
        with writing(tmp_path / "out.png", "image"):
            raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))
    assert f"may hold only {soft} files open at once (ulimit -n); raise that limit" in str(e.value), e.value
    assert "check the disk" not in str(e.value)


def test_a_file_that_appeared_meanwhile_is_reported_as_that_not_as_a_disk_fault(tmp_path):
    path = tmp_path / "out.txt"
    with pytest.raises(OutputError) as e:
        with replacing(path, "page", overwrite=False) as tmp:
            tmp.write_text("ours")
            path.write_text("theirs")  # another run, between the check and the end of this one
    assert str(e.value).startswith(f"{path} was created by something else (another run?)"), e.value
    assert "check the disk" not in str(e.value) and path.read_text() == "theirs"


def test_a_file_is_written_in_a_new_folder_and_appears_only_whole(tmp_path):
    path = tmp_path / "new" / "sub" / "out.txt"
    with replacing(path) as tmp:
        # Beside its target, so that the final rename never crosses file systems; hidden meanwhile.
        assert tmp.parent == path.parent and tmp.name.startswith(".")
        tmp.write_text("half")
        assert not path.exists()
        tmp.write_text("whole")
    assert path.read_text() == "whole" and os.listdir(path.parent) == ["out.txt"]
    with pytest.raises(RuntimeError), replacing(path) as tmp:
        tmp.write_text("half of a second version")
        raise RuntimeError("the run failed while writing")
    assert path.read_text() == "whole" and os.listdir(path.parent) == ["out.txt"]


@pytest.mark.parametrize("there", [True, False])
def test_without_hard_links_a_file_that_appeared_is_still_kept(there, tmp_path, monkeypatch):
    """FAT and some network file systems have no hard links: the check and the rename are two steps there."""
    def no_links(src, dst):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(files.os, "link", no_links)
    path = tmp_path / "out.txt"
    if there:
        path.write_text("theirs")
        with pytest.raises(OutputError, match=r"created by something else .* this file is in .*out-[0-9a-f]{6}\.txt"):
            with replacing(path, overwrite=False) as tmp:
                tmp.write_text("ours")
        (kept,) = [p for p in tmp_path.iterdir() if p != path]
        assert path.read_text() == "theirs" and kept.read_text() == "ours"
    else:
        with replacing(path, overwrite=False) as tmp:
            tmp.write_text("ours")
        assert path.read_text() == "ours" and os.listdir(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("stem", [244, 245])
def test_a_file_that_lost_a_race_is_kept_under_a_name_the_folder_allows(stem, tmp_path):
    """OUT-abcdef.txt is 255 bytes from a 244-byte stem, one too many from 245: then another short name."""
    path = tmp_path / ("c" * stem + ".txt")
    path.write_text("theirs")
    with pytest.raises(OutputError, match="this file is in"):
        with replacing(path, overwrite=False) as tmp:
            tmp.write_text("ours")
    (kept,) = [p for p in tmp_path.iterdir() if p != path]
    assert kept.read_text() == "ours" and path.read_text() == "theirs"
    assert kept.name.startswith("c" * stem + "-" if stem == 244 else "jaxart-")


def test_ctrl_c_while_the_replaced_files_are_removed_still_stops_the_command_once_all_is_tidy(tmp_path, monkeypatch):
    for name in "ab":
        (tmp_path / name).write_text(f"old {name}")
    real, interrupted = Path.unlink, []

    def unlink(self, missing_ok=False):
        if self.name.endswith(".old") and not interrupted:
            interrupted.append(self.name)
            raise KeyboardInterrupt
        return real(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(KeyboardInterrupt):
        with all_or_nothing() as stage:
            for name in "ab":
                stage(tmp_path / name).write_text(f"new {name}")
    assert interrupted and sorted(os.listdir(tmp_path)) == ["a", "b"]  # no hidden .old left either
    assert [(tmp_path / n).read_text() for n in "ab"] == ["new a", "new b"]


def test_describe_always_names_the_exception_type():
    """It fills the parenthesis of an error line: "()" for an error with no message says nothing."""
    assert describe(KeyError()) == "KeyError"
    assert describe(ValueError("bad shape")) == "ValueError: bad shape"


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc, where no file can be created")
def test_an_unwritable_folder_is_named_as_such_not_as_the_probe_file(tmp_path):
    """/proc stands for a read-only folder that even root cannot write in."""
    with pytest.raises(OSError) as e:
        probe_folder("/proc/no-such/folder")
    assert e.value.filename == "/proc"
    with pytest.raises(InputError, match=r"^output folder /proc is not writable \(.+\); choose another -o$"):
        destinations.check_folder(Path("/proc"), "-o")
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError) as e:
        probe_folder(tmp_path / "file" / "sub")
    assert e.value.filename == str(tmp_path / "file")


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc, where no file can be created")
@pytest.mark.parametrize("folder, says", [("/proc", "output folder /proc is not writable ("),
                                          ("/proc/no-such", "output folder /proc/no-such does not exist and cannot be "
                                                            "created in /proc (")])
def test_a_folder_that_holds_no_files_is_not_said_to_be_missing(folder, says):
    """`-o /proc/x.png` said "output folder /proc is not writable (No such file or directory)": the errno of a file
    /proc would not create, read as if /proc itself were missing."""
    with pytest.raises(InputError) as e:
        destinations.check_folder(Path(folder), "-o")
    assert str(e.value) == f"{says}no file can be created in it: its file system, as /proc's, holds only its own " \
                           "files); choose another -o", str(e.value)


def test_a_full_disk_during_a_sweeps_files_names_the_file_not_its_hidden_temporary(tmp_path, monkeypatch):
    """`sweep` onto a full file system said 'could not write image DIR/.jaxart-09b79d04b0c0.tmp'."""
    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    sheet = tmp_path / "sheet.png"
    monkeypatch.setattr(os, "replace", full)  # every atomic write (files.replacing) fails at its rename
    with pytest.raises(OutputError) as info, all_or_nothing() as stage:
        save_image(stage(sheet, "image"), np.zeros((4, 4, 3)), {"jaxart": "test"}, "png")
    message = str(info.value)
    assert message.startswith(f"could not write image {sheet} (No space left on device); free some space"), message
    assert ".jaxart-" not in message and not list(tmp_path.iterdir()), "nothing is left behind"
