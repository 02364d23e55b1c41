"""Where a container's user has no home: `docker run --user 12345` (a uid with no /etc/passwd entry, often no HOME),
a batch node, a relative XDG_CACHE_HOME. The weights folder was a RuntimeError traceback there; the compile cache a
warning that said "Could not determine home directory."; a relative XDG_CACHE_HOME made a cache in the current
folder."""

import os
import pwd
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from jaxart import cache_home, compile_cache
from jaxart.errors import WeightsError
from jaxart.weights import folder


@pytest.fixture
def no_passwd_entry(monkeypatch):
    """This process's user id has no passwd entry, and HOME is unset: Docker's `--user 12345`."""
    def missing(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", missing)
    monkeypatch.delenv("HOME", raising=False)


def test_the_cache_is_under_home_or_an_absolute_xdg_cache_home(tmp_path, monkeypatch):
    home = {"HOME": str(tmp_path)}
    assert cache_home.cache_home(home) == tmp_path / ".cache"
    assert cache_home.cache_home({**home, "XDG_CACHE_HOME": "/xdg"}) == cache_home.Path("/xdg")
    for ignored in ("", "relative", "./cache", "~/.cache"):  # the XDG spec ignores a relative path (Docker ENV's "~")
        assert cache_home.cache_home({**home, "XDG_CACHE_HOME": ignored}) == tmp_path / ".cache"
    monkeypatch.chdir(tmp_path)
    tag = compile_cache.machine_tag()
    assert compile_cache.folder({**home, "XDG_CACHE_HOME": "rel"}) == tmp_path / ".cache" / "jaxart" / "xla" / tag
    assert cache_home.expand("~/w", home) == tmp_path / "w" and cache_home.expand("~", home) == tmp_path
    assert cache_home.expand("a/~b", home) == cache_home.Path("a/~b")
    root = pwd.getpwuid(0)
    assert cache_home.expand(f"~{root.pw_name}/x", home) == cache_home.Path(root.pw_dir) / "x"


def test_no_home_is_one_line_naming_the_user_id_and_the_variable_to_set(no_passwd_entry, tmp_path, monkeypatch):
    with pytest.raises(cache_home.NoHomeError, match=f"HOME is not set and user id {os.getuid()} has no entry"):
        cache_home.cache_home({})
    assert cache_home.cache_home({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path  # no home needed
    with pytest.raises(cache_home.NoHomeError, match="no user 'nobody-here'"):
        cache_home.expand("~nobody-here/x", {})
    # The compile cache: one warning, and the run goes on without it.
    said = []
    with compile_cache.use(said.append, {}) as path:
        assert path is None
    assert said == [f"cannot keep compiled programs in ~/.cache (no home folder is known: HOME is not set and user "
                    f"id {os.getuid()} has no entry in /etc/passwd, as in a container run with --user); every run "
                    "compiles afresh. Set JAXART_CACHE_DIR to a writable folder, or to 'off'"]


def test_an_installed_package_with_no_home_says_to_set_the_weights_folder(no_passwd_entry, tmp_path, monkeypatch):
    """pathlib's RuntimeError('Could not determine home directory.') was a traceback from every weights command."""
    monkeypatch.setattr(folder, "__file__", str(tmp_path / "site-packages" / "jaxart" / "weights" / "folder.py"))
    monkeypatch.delenv("JAXART_WEIGHTS_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    with pytest.raises(WeightsError, match="no weights folder: no home folder is known: .* set JAXART_WEIGHTS_DIR"):
        folder.weights_dir()
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", "~/weights")  # a checkout too: the tilde needs a home
    monkeypatch.setattr(folder, "__file__", str(ROOT / "jaxart" / "weights" / "folder.py"))
    with pytest.raises(WeightsError, match="no weights folder: no home folder is known"):
        folder.weights_dir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("JAXART_WEIGHTS_DIR")
    monkeypatch.setattr(folder, "__file__", str(tmp_path / "site-packages" / "jaxart" / "weights" / "folder.py"))
    assert folder.weights_dir() == tmp_path / "jaxart" / "weights"


def test_the_command_as_a_user_with_no_passwd_entry(tmp_path):
    """The real case, where this machine can make it: `setpriv` to a uid no /etc/passwd names, HOME unset."""
    uid = 54321
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run as a user id with no passwd entry")
    try:
        pwd.getpwuid(uid)
        pytest.skip(f"user id {uid} has a passwd entry here")
    except KeyError:
        pass
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME")}
    env.update(JAXART_WEIGHTS_DIR="~/weights", PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", sys.executable,
                           str(ROOT / "cli.py"), "weights", "list"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    if "Permission denied" in done.stderr and "cli.py" in done.stderr:
        pytest.skip("this checkout cannot be read by another user")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr == (f"error: no weights folder: no home folder is known: HOME is not set and user id {uid} has "
                           "no entry in /etc/passwd, as in a container run with --user; set JAXART_WEIGHTS_DIR to a "
                           "writable folder\n")


def test_an_output_flag_to_weights_fetch_with_no_home_is_still_one_line(no_passwd_entry, tmp_path, monkeypatch,
                                                                         capsys):
    """`weights fetch vgg19 -o x`'s line names the weights folder: with no home to put it in, that was a traceback."""
    from conftest import run_main

    monkeypatch.setattr(folder, "__file__", str(tmp_path / "site-packages" / "jaxart" / "weights" / "folder.py"))
    monkeypatch.delenv("JAXART_WEIGHTS_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    code, out, err = run_main(["weights", "fetch", "vgg19", "-o", "x.h5"], monkeypatch, capsys)
    assert code == 2 and err == ("error: `jaxart weights fetch` has no option -o: it installs weights by name in the "
                                 "weights folder, where --model NAME finds them (set JAXART_WEIGHTS_DIR for another "
                                 "folder); see `jaxart weights fetch --help` for its options"), err
