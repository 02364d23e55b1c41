"""A transparent photo is decoded a second time, for its alpha (`transparency.photo_alpha`), once the photo and
paintings are held and the weights loaded: the memory check and the dry run count that decode by the rule of an
--init image's (`decode_memory.init_bytes`, the photo file's bytes a pixel), where they did not count it at all."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from jaxart import decode_memory, memory, sweep_checks
from jaxart.config import StyleConfig
from jaxart.errors import InputError
from jaxart_cli.dry_run import memory_figure

HUGE = (9000, 12000)


def _huge_photo(path, mode):
    """A PNG of `mode` at `path` whose header says 12000x9000 px (its pixels a 40x30 picture's: not decoded)."""
    Image.fromarray(np.zeros((30, 40, len(mode)), np.uint8).squeeze(), mode).save(path)
    data = bytearray(path.read_bytes())
    data[16:24] = struct.pack(">II", HUGE[1], HUGE[0])  # IHDR's width and height, then its CRC
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.write_bytes(bytes(data))
    return path


def test_a_transparent_photos_second_decode_is_counted_by_the_check_and_the_dry_run(tmp_path, monkeypatch):
    monkeypatch.setattr("jaxart.devices.cpu_only", lambda: True)
    monkeypatch.setattr("jaxart.devices.platform", lambda: "cpu")
    cut_out, opaque = _huge_photo(tmp_path / "cut-out.png", "RGBA"), _huge_photo(tmp_path / "opaque.png", "RGB")
    config, photo, paintings = StyleConfig(size=64), (48, 64), [(20, 20)]
    need = decode_memory.init_bytes([photo, *paintings], (HUGE, decode_memory.PIXEL_BYTES["alpha"]))
    assert decode_memory.alpha_peak(cut_out, [photo, *paintings], 64) == (HUGE, need)
    for check in (lambda free, content: memory.check(config, "vgg16", photo, paintings, available=free,
                                                     content=content),
                  lambda free, content: sweep_checks.check_memory(config, 2, "vgg16", free, photo, paintings,
                                                                  content=content)):
        assert check(need, cut_out) > 0  # just fits
        with pytest.raises(InputError, match=r"^decoding the photo .*cut-out.png \(12000x9000 px\) again for its "
                                             r"transparency needs about .* but only .* is free; give a smaller photo, "
                                             r"or one without transparency$"):
            check(need - 1, cut_out)
        assert check(need - 1, opaque) > 0  # decoded once: nothing more to count
        assert check(need - 1, None) > 0  # a library caller's arrays, no file
    read = [(cut_out, photo), (tmp_path / "paint.png", (20, 20))]
    assert memory_figure(0, read) == need
    assert memory_figure(0, [(opaque, photo), *read[1:]]) < need / 3
