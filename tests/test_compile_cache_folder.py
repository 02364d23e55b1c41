"""Where compiled programs are kept and how JAX is set for them: one folder per machine's instruction set, the
environment's choice or 'off', one warning and no cache where no folder can be used, JAX's settings put back."""

import os
import shutil

import pytest

from jaxart import compile_cache


def test_the_folder_is_per_machine_and_follows_the_environment(tmp_path):
    tag = compile_cache.machine_tag()
    assert tag == compile_cache.machine_tag() and "/" not in tag and len(tag) > 12
    assert compile_cache.folder({"JAXART_CACHE_DIR": str(tmp_path)}) == tmp_path / tag
    assert compile_cache.folder({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "jaxart" / "xla" / tag
    assert compile_cache.folder({"HOME": str(tmp_path)}).parent.parent.name == "jaxart"
    for off in ("off", "OFF", "0", ""):
        assert compile_cache.folder({"JAXART_CACHE_DIR": off, "XDG_CACHE_HOME": str(tmp_path)}) is None
    # JAX's own setting is left to JAX, unless jaxart's is given too.
    assert compile_cache.folder({"JAX_COMPILATION_CACHE_DIR": str(tmp_path)}) is None
    assert compile_cache.folder({"JAX_COMPILATION_CACHE_DIR": "x", "JAXART_CACHE_DIR": str(tmp_path)}) == tmp_path / tag


CPUINFO = ("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Some CPU\nflags\t\t: fpu sse2 avx2{}\n"
           "bogomips\t: {}\n\nprocessor\t: 1\n")


@pytest.mark.parametrize("other, shared", [(("", "4800.00"), True), ((" avx512f", "4000.00"), False)])
def test_machines_share_a_folder_only_when_their_instruction_sets_match(other, shared, monkeypatch):
    """XLA:CPU compiles for every CPU feature it finds, and jaxlib runs a program made for another
    machine's features after only logging it: a home folder shared by two machines must keep them apart.
    What varies between boots of one machine (its measured speed) must not split its programs."""
    import io

    def tag(cpuinfo):
        monkeypatch.setattr(compile_cache, "open", lambda *a, **k: io.StringIO(cpuinfo), raising=False)
        return compile_cache.machine_tag()

    assert (tag(CPUINFO.format("", "4000.00")) == tag(CPUINFO.format(*other))) == shared


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc, where no file can be created")
@pytest.mark.parametrize("cache", ["/proc", "/proc/x86_64-0123456789ab"])  # JAXART_CACHE_DIR=/proc gives the second
def test_a_cache_folder_that_takes_no_file_is_one_warning_and_no_cache(cache, monkeypatch):
    """A folder that exists but cannot be written (a read-only mount; /proc here, which even root
    cannot write in) was enabled all the same: JAX then warned about each program it failed to keep.
    The warning said "(No such file or directory)" of /proc, the errno it gives for a file it will not make."""
    import jax

    from pathlib import Path

    before = jax.config.jax_compilation_cache_dir
    monkeypatch.setattr(compile_cache, "folder", lambda environ: Path(cache))
    said = []
    with compile_cache.use(said.append, {}) as path:
        assert path is None and jax.config.jax_compilation_cache_dir == before
    assert said == [f"cannot keep compiled programs in {cache} (no file can be created in it: its file system, as "
                    "/proc's, holds only its own files); every run compiles afresh. Set JAXART_CACHE_DIR to a "
                    "writable folder, or to 'off'"], said


def test_off_writes_nothing_and_leaves_jax_alone(tmp_path):
    import jax

    before = jax.config.jax_compilation_cache_dir
    with compile_cache.use(pytest.fail, {"JAXART_CACHE_DIR": "off", "XDG_CACHE_HOME": str(tmp_path)}) as path:
        assert path is None
    assert jax.config.jax_compilation_cache_dir == before and not list(tmp_path.iterdir())


def test_a_folder_that_cannot_be_named_is_one_warning_and_no_cache():
    said = []
    with compile_cache.use(said.append, {"JAXART_CACHE_DIR": "~no-such-user-here/cache"}) as path:
        assert path is None
    assert len(said) == 1 and "~no-such-user-here/cache" in said[0] and "JAXART_CACHE_DIR" in said[0], said


def test_a_file_where_a_cache_folder_goes_is_named_with_the_remedy(tmp_path):
    sub = compile_cache.folder({"JAXART_CACHE_DIR": str(tmp_path / "cache")})
    for blocker in (sub, sub.parent):  # mkdir says "File exists", then "Not a directory"
        shutil.rmtree(tmp_path / "cache", ignore_errors=True)
        blocker.parent.mkdir(parents=True, exist_ok=True)
        blocker.write_text("not a folder")
        said = []
        with compile_cache.use(said.append, {"JAXART_CACHE_DIR": str(tmp_path / "cache")}) as path:
            assert path is None
        assert len(said) == 1 and f"a file is in the way: {blocker});" in said[0], said
        assert "Set JAXART_CACHE_DIR to another folder, or to 'off', or move that file away" in said[0]
        assert blocker.read_text() == "not a folder"


def test_use_keeps_programs_within_and_puts_jax_back_after(tmp_path, monkeypatch):
    """`use` once left JAX's cache on for the rest of the process, and a process that had compiled
    anything before it never used the folder at all."""
    import jax
    import jax.numpy as jnp

    jax.jit(lambda x: x - 1.0)(jnp.ones(2))  # JAX decides on its cache at a process's first compile
    monkeypatch.setenv("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")  # keep even tiny programs
    before = {name: getattr(jax.config, name) for name in compile_cache._SETTINGS}
    minimum = jax.config.jax_persistent_cache_min_compile_time_secs
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    try:
        with compile_cache.use(pytest.fail, {"JAXART_CACHE_DIR": str(tmp_path)}) as path:
            jax.jit(lambda x: x * 2.0 + 1.0)(jnp.ones(3))
        kept = sorted(p.name for p in path.iterdir() if p.name.endswith("-cache"))
        jax.jit(lambda x: x * 3.0 - 1.0)(jnp.ones(5))
        assert any(name.startswith("jit__lambda") for name in kept) and sorted(p.name for p in path.iterdir() if p.name.endswith("-cache")) == kept
        assert {name: getattr(jax.config, name) for name in compile_cache._SETTINGS} == {
            **before, "jax_persistent_cache_min_compile_time_secs": 0}
    finally:
        jax.config.update("jax_persistent_cache_min_compile_time_secs", minimum)


def test_use_keeps_programs_in_its_folder_after_the_process_used_another(tmp_path, monkeypatch):
    """JAX opens its cache once, at the first compile after a folder is set: without opening it
    afresh, a process (a notebook, say) that had its own folder kept writing jaxart's programs there."""
    import jax
    import jax.numpy as jnp
    from jax.experimental.compilation_cache import compilation_cache

    monkeypatch.setenv("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    saved = {name: getattr(jax.config, name) for name in compile_cache._SETTINGS}
    theirs = tmp_path / "theirs"
    try:
        jax.config.update("jax_compilation_cache_dir", str(theirs))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
        compilation_cache.reset_cache()
        jax.jit(lambda x: x - 2.0)(jnp.ones(4))
        before = sorted(p.name for p in theirs.iterdir())
        with compile_cache.use(pytest.fail, {"JAXART_CACHE_DIR": str(tmp_path / "ours")}) as path:
            jax.jit(lambda x: x * 4.0 + 2.0)(jnp.ones(7))
        assert any(p.name.startswith("jit__lambda") for p in path.iterdir())
        assert sorted(p.name for p in theirs.iterdir()) == before
    finally:
        for name, value in saved.items():
            jax.config.update(name, value)
        compilation_cache.reset_cache()
