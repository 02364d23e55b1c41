"""`jaxart.sheet.write` called from Python (a script, a pool of processes) holds its sheet's lock as `jaxart sweep`
does: a second sweep written to the same sheet, in another process or thread, is refused at once and touches none
of the first's files; a caller that holds the lock already (the CLI) keeps it."""

import os
import subprocess
import sys

import numpy as np
import pytest

import jaxart
from jaxart import locks, sheet, sweep
from jaxart.errors import InputError
from jaxart.image_record import read_record

from conftest import ROOT, refusal_in_another_thread

BUSY = "is being written by another jaxart run; wait for it to finish or choose another output"
CONFIG = jaxart.StyleConfig(size=16, steps=2, init="random")

# Another process: a script's sheet.write of 4 tiles (style weights 1-4) to argv[1], which waits after its first
# tile is written (to a temporary file beside it) until its stdin gives a line.
_FIRST = """
import sys
from pathlib import Path
import numpy as np
import jaxart
from jaxart import sheet, sweep
save = sheet.save_image
def save_image(path, *args, **kwargs):
    save(path, *args, **kwargs)
    if not getattr(save_image, "told", False):
        save_image.told = True
        print("running", flush=True)
        sys.stdin.readline()
sheet.save_image = save_image
sheet.write(Path(sys.argv[1]), np.full((4, 6, 5, 3), 0.25, np.float32), sweep.grid([1.0, 2.0, 3.0, 4.0]),
            jaxart.StyleConfig(size=16, steps=2, init="random"))
print("done", flush=True)
"""


def _write(path, weights=(5.0, 6.0), **options):
    """A sweep of len(weights) tiles written to `path`, as a script writes one."""
    images = np.full((len(weights), 6, 5, 3), 0.75, np.float32)
    return sheet.write(path, images, sweep.grid(list(weights)), CONFIG, **options)


def _everything(folder):
    """Every file in `folder` (hidden ones too: the lock, the first sweep's staged tile) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_second_process_to_the_same_sheet_is_refused_and_the_first_writes_alone(tmp_path):
    out = tmp_path / "g.png"
    first = subprocess.Popen([sys.executable, "-c", _FIRST, str(out)], cwd=ROOT, text=True, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "JAX_PLATFORMS": "cpu"})
    try:
        assert first.stdout.readline() == "running\n", first.stderr.read()
        before = _everything(tmp_path)
        assert not any(name.startswith("g") for name in before), "the first is under way, its tile not yet placed"
        with pytest.raises(InputError) as refused:  # overwrite (the default) or not: it is the other's sheet now
            _write(out)
        assert str(refused.value) == f"{out} {BUSY}"
        with pytest.raises(InputError, match=BUSY):
            _write(tmp_path / "." / "g.png", overwrite=False)
        assert _everything(tmp_path) == before, "the refused sweep touched the first one's files"
    finally:
        said, err = first.communicate("\n", timeout=120)
    assert first.returncode == 0 and said == "done\n", err
    names = ["g-00.png", "g-01.png", "g-02.png", "g-03.png", "g.html", "g.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == names, "its lock is gone, and no other sweep's file is here"
    weights = [read_record(tmp_path / name)["config"]["style_weight"] for name in names[:4]]
    assert weights == [1.0, 2.0, 3.0, 4.0] and len(read_record(out)["sweep"]) == 4, "mixed sweeps"
    assert "g-03.png" in (tmp_path / "g.html").read_text()


def test_a_caller_holding_the_lock_writes_and_keeps_it_and_another_thread_is_refused(tmp_path):
    out = tmp_path / "sub" / "g.png"
    with locks.writing(out):  # as `jaxart sweep` holds it, from before its own checks
        files = _write(out, (1.0, 2.0, 3.0))
        assert locks.busy(locks.output_lock(out)), "the sweep let go of its caller's lock"
        refused = refusal_in_another_thread(lambda: _write(out))
        assert refused == f"{out} {BUSY}", "another thread of this process wrote the sheet too"
    assert files == [out, out.with_suffix(".html"), *sheet.tile_paths(out, 3)]
    assert [read_record(p)["config"]["style_weight"] for p in files[2:]] == [1.0, 2.0, 3.0]
    assert not locks.output_lock(out).exists()
    _write(out.parent / "." / "g.png")  # the lock is free again, under any spelling; the earlier sweep's g-02 goes
    assert sorted(p.name for p in out.parent.iterdir()) == ["g-00.png", "g-01.png", "g.html", "g.png"]
    assert read_record(out)["sweep"][1]["style_weight"] == 6.0
