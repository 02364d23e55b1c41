"""A Windows path (`C:\\Users\\me\\x.png`, `C:/x.png`) wherever a command or the library takes a path: refused with
the path to write instead (WSL's /mnt/c/...), one line, nothing written; unless Linux has that path (a file so
named, or a folder `C:` it goes into). Other odd paths: test_bad_input_paths.py."""

import pytest

from conftest import write_tiny_job, stylize_argv as _stylize
from test_bad_input import _main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("windows-paths"))


@pytest.mark.parametrize("where", ["output", "photo"])
def test_a_windows_path_says_how_to_write_it_here(where, files, tmp_path, monkeypatch, capsys):
    """`-o C:\\Users\\me\\out.png` (Windows habits, WSL, a notebook) wrote a file of that name in the current folder,
    and `C:/art/out.png` a folder "C:"; a photo so named was "does not exist; check the path"."""
    monkeypatch.chdir(tmp_path)
    for path, wsl in ((r"C:\Users\me\café 1.png", "/mnt/c/Users/me/café 1.png"),
                      ("D:/art/out.png", "/mnt/d/art/out.png")):
        argv = _stylize(files, path if where == "output" else tmp_path / "out.png")
        if where == "photo":
            argv[1] = path.replace(".png", ".jpg")
            wsl = wsl.replace(".png", ".jpg")
        code, err = _main(argv, monkeypatch, capsys)
        said = ("output " if where == "output" else "Invalid value for CONTENT: ") + argv[1 if where == "photo" else 4]
        assert code == 2 and err == (f"error: {said} is a Windows path, which Linux reads as a name in the current "
                                     f"folder; write it with / from the root, as the file is seen here (under WSL: "
                                     f"{wsl})"), err
        assert list(tmp_path.iterdir()) == []



def test_a_windows_looking_path_into_a_folder_that_is_there_is_a_real_path(files, tmp_path, monkeypatch, capsys):
    """`-o C:/art/out.png` beside a folder `C:` (made on purpose, or by an older jaxart) was refused with the WSL form,
    though on Linux it names a file in that folder. Without the folder it is refused (the test above), also where
    the output's lock would make that folder first."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "C:").mkdir()
    code, err = _main(_stylize(files, "C:/art/out.png"), monkeypatch, capsys)
    assert code == 0 and (tmp_path / "C:" / "art" / "out.png").is_file(), err
    gone, here = "error: --init 'C:/gone.png' does not exist;", "error: output C:\\out.png is a Windows path"
    for argv, says in ((_stylize(files, "o.png", "--init", "C:/gone.png"), gone),
                       (_stylize(files, r"C:\out.png"), here)):  # Linux's name in this folder, not in C:
        code, err = _main(argv, monkeypatch, capsys)
        assert code == 2 and err.startswith(says), err


@pytest.mark.parametrize("option", ["--animate", "--init", "--mask", "--resume", "--model", "sweep -o", "info",
                                    "weights convert"])
def test_a_windows_path_is_refused_wherever_a_path_is_given(option, files, tmp_path, monkeypatch, capsys):
    """Only stylize's --output and a missing photo or painting said so: `--animate C:\\x\\a.gif` wrote a GIF of that
    name in the current folder, `--init C:/x/i.png` was "does not exist", and `--mask` looked for `$PWD/C:\\...`."""
    d, model = files
    monkeypatch.chdir(tmp_path)
    path = {"--animate": r"C:\art\a.gif", "--resume": r"C:\art\out.ckpt.npz", "--model": r"C:\art\w.safetensors",
            "weights convert": r"C:\art\w.h5"}.get(option, r"C:\art\x.png")
    argv = {"sweep -o": ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "32",
                         "--steps", "2", "-o", path],
            "info": ["info", path], "weights convert": ["weights", "convert", path, "--name", "w"],
            "--resume": ["stylize", "--resume", path],
            "--mask": _stylize(files, tmp_path / "o.png", "--mask", path, "--region-style", f"red={d / 'paint.png'}")
            }.get(option) or _stylize(files, tmp_path / "o.png", option, path)
    code, err = _main(argv, monkeypatch, capsys)
    wsl = "/mnt/c/art/" + path[len("C:\\art\\"):]
    assert code == 2 and err.endswith(f"{path} is a Windows path, which Linux reads as a name in the current folder; "
                                      f"write it with / from the root, as the file is seen here (under WSL: {wsl})"), err
    assert "\n" not in err and list(tmp_path.iterdir()) == []


def test_the_library_says_a_windows_init_is_one():
    """`StyleConfig(init="C:\\art\\x.png")` was "'C:\\\\art\\\\x.png' does not exist; check the path"."""
    from jaxart.config import StyleConfig
    from jaxart.errors import InputError

    with pytest.raises(InputError, match=r"^init C:\\art\\x.png is a Windows path, .* \(under WSL: /mnt/c/art/x.png\)$"):
        StyleConfig(init=r"C:\art\x.png").validate()
