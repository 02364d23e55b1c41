"""A container's memory limit (a cgroup's) is the memory a run may use, not the machine's MemAvailable: a run that
passed the memory check against the machine was killed by the kernel part-way, without a word."""

import pytest

from jaxart import cgroup_memory, pixel_limit

from conftest import run_main, stylize_argv, write_tiny_job

MiB = 2**20


def _container(tmp_path, monkeypatch, membership: str, files: dict[str, str]):
    """A /sys/fs/cgroup under `tmp_path` holding `files` (path: text), and /proc/self/cgroup saying `membership`."""
    root = tmp_path / "cgroup"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (tmp_path / "membership").write_text(membership)
    monkeypatch.setattr(cgroup_memory, "ROOT", root)
    monkeypatch.setattr(cgroup_memory, "MEMBERSHIP", tmp_path / "membership")


def test_a_v2_limit_less_its_use_is_free_and_the_inactive_page_cache_counts_as_free(tmp_path, monkeypatch):
    _container(tmp_path, monkeypatch, "0::/pod/job\n", {
        "pod/job/memory.max": f"{1024 * MiB}\n", "pod/job/memory.current": f"{600 * MiB}\n",
        "pod/job/memory.stat": f"anon {500 * MiB}\nfile {100 * MiB}\ninactive_file {100 * MiB}\n"})
    assert cgroup_memory.free_bytes() == 524 * MiB


def test_v1_the_least_of_the_process_cgroup_and_the_container_root(tmp_path, monkeypatch):
    _container(tmp_path, monkeypatch, "5:cpu:/\n4:memory:/docker/abc\n", {
        "memory/docker/abc/memory.limit_in_bytes": f"{2048 * MiB}", "memory/docker/abc/memory.usage_in_bytes": "0",
        "memory/memory.limit_in_bytes": f"{512 * MiB}", "memory/memory.usage_in_bytes": f"{112 * MiB}",
        "memory/memory.stat": f"cache {20 * MiB}\ntotal_inactive_file {12 * MiB}\n"})
    assert cgroup_memory.free_bytes() == 412 * MiB


NONE_V1 = "9223372036854771712"


@pytest.mark.parametrize("membership, files", [
    # as a real v1 tree read: the limit on a parent (Slurm's job, here jaxart-pressure), the process in a child
    # with none; the kernel killed a run the check let through (exit 137, no line)
    ("4:memory:/jaxart-pressure/run\n", {
        "memory/jaxart-pressure/run/memory.limit_in_bytes": NONE_V1,
        "memory/jaxart-pressure/run/memory.usage_in_bytes": f"{100 * MiB}",
        "memory/jaxart-pressure/memory.limit_in_bytes": f"{600 * MiB}",
        "memory/jaxart-pressure/memory.usage_in_bytes": f"{150 * MiB}",
        "memory/memory.limit_in_bytes": NONE_V1, "memory/memory.usage_in_bytes": f"{9000 * MiB}"}),
    # v2: a systemd slice's MemoryMax over the session scope the process runs in
    ("0::/user.slice/user-0.slice/session-1.scope\n", {
        "user.slice/user-0.slice/session-1.scope/memory.max": "max\n",
        "user.slice/user-0.slice/session-1.scope/memory.current": f"{100 * MiB}\n",
        "user.slice/user-0.slice/memory.max": "max\n", "user.slice/user-0.slice/memory.current": f"{120 * MiB}\n",
        "user.slice/memory.max": f"{600 * MiB}\n", "user.slice/memory.current": f"{150 * MiB}\n"}),
])
def test_a_limit_set_above_the_process_cgroup_binds_it(membership, files, tmp_path, monkeypatch):
    _container(tmp_path, monkeypatch, membership, files)
    assert cgroup_memory.free_bytes() == 450 * MiB
    assert pixel_limit.host_bytes() == 450 * MiB


@pytest.mark.parametrize("files", [{"memory.max": "max\n", "memory.current": "5"},
                                   {"memory/memory.limit_in_bytes": "9223372036854771712",
                                    "memory/memory.usage_in_bytes": "5"},
                                   {}])
def test_no_limit_or_no_cgroup_leaves_the_machines_memory(files, tmp_path, monkeypatch):
    _container(tmp_path, monkeypatch, "0::/\n4:memory:/\n", files)
    assert cgroup_memory.free_bytes() is None
    assert pixel_limit.host_bytes() > 0


def test_a_run_larger_than_the_containers_limit_is_refused_before_it_starts(tmp_path, monkeypatch, capsys):
    files = write_tiny_job(tmp_path / "job")
    _container(tmp_path, monkeypatch, "0::/\n", {"memory.max": f"{40 * MiB}", "memory.current": f"{39 * MiB}"})
    assert pixel_limit.host_bytes() == MiB
    argv = [*stylize_argv(files, tmp_path / "o.png")]
    argv[argv.index("--size") + 1] = "64"
    code, _, err = run_main(argv, monkeypatch, capsys)
    # was exit 0 here; in a real container of that size the kernel killed the run part-way (exit 137, no line)
    assert code == 2 and len(err.splitlines()) == 1 and "only 1 MiB is free" in err, err
    assert not (tmp_path / "o.png").exists()
