"""An --init image file is decoded after the memory check, once the photo and paintings are held and the weights
loaded: a run that fits but whose --init image will not decode in the memory free is refused before anything loads,
in one line naming --init, not ended by the kernel or a MemoryError in its first scale."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from conftest import run_main, write_tiny_job
from jaxart import decode_memory, memory
from jaxart.config import StyleConfig

HUGE = (9000, 12000)


def _huge_header(path):
    """A 16-bit grey PNG at `path` whose header says 12000x9000 px (the pixels are a 40x30 picture's: not decoded)."""
    Image.fromarray(np.zeros((30, 40), np.uint16)).save(path)
    data = bytearray(path.read_bytes())
    data[16:24] = struct.pack(">II", HUGE[1], HUGE[0])  # IHDR's width and height, then its CRC
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_run_whose_init_image_will_not_decode_in_the_memory_free_is_refused_naming_it(command, tmp_path,
                                                                                      monkeypatch, capsys):
    # It was let through: an 8000x6000 16-bit --init peaked at 1.9 GiB where the check said 0.8 (BENCHMARKS.md).
    d, model = write_tiny_job(tmp_path)
    init = _huge_header(tmp_path / "init.png")
    monkeypatch.setattr("jaxart.memory.available_bytes", lambda: 2 * 2**30)
    monkeypatch.setattr("jaxart.devices.cpu_only", lambda: True)
    results = {}
    for start in ("content", str(init)):
        argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "out.png"), "--model",
                model, "--size", "64", "--steps", "1", "--init", start, "--dry-run"]
        results[start] = run_main(argv + ["--style-weight", "1,10"] * (command == "sweep"), monkeypatch, capsys)
    assert results["content"][0] == 0, results["content"]  # the run itself fits in 2 GiB
    code, printed, err = results[str(init)]
    assert code != 0 and printed == "" and "\n" not in err, results[str(init)]
    assert "--init image (12000x9000 px) needs about" in err and "of 2.0 GiB" not in err, err
    assert err.endswith("give a smaller --init image, or --init content") and "Traceback" not in err, err
    assert not list(tmp_path.glob("out*")), list(tmp_path.iterdir())


def test_the_check_counts_the_init_image_beside_the_files_it_holds(tmp_path, monkeypatch):
    init = _huge_header(tmp_path / "init.png")
    monkeypatch.setattr("jaxart.devices.cpu_only", lambda: True)
    config, photo, paintings = StyleConfig(size=64, init=str(init)), (30, 40), [(20, 20)]
    need = decode_memory.init_bytes([photo, *paintings], (HUGE, decode_memory.PIXEL_BYTES["16-bit"]))
    assert memory.check(config, "vgg16", photo, paintings, available=need) > 0  # just fits
    with pytest.raises(ValueError, match="init image") as e:
        memory.check(config, "vgg16", photo, paintings, available=need - 1)
    # A Python caller passed init=, not --init, which the command line's line names (the test above)
    assert str(e.value).startswith("decoding the init image (12000x9000 px) needs about ") and "--" not in str(e.value)
    assert str(e.value).endswith("is free; give a smaller init image, or init='content'"), e.value
    # content, random, or a file no longer there (the run says so itself): nothing to count
    for other in ("content", "random", str(tmp_path / "gone.png")):
        assert memory.check(config.replace(init=other), "vgg16", photo, paintings, available=need - 1) > 0
