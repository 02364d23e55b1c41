"""The optimization as an animation: frames taken during a run, written as GIF or WebP by Pillow."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from jaxart.errors import InputError
from jaxart.files import replacing
from jaxart.output import to_uint8

FORMATS = {".gif": "GIF", ".webp": "WEBP"}
DEFAULT_FRAMES = 24  # frames of an animation when no --save-every gives the interval
MAX_FRAMES = 200  # frames kept during a run at most (plus one); 200 at 1024x768 hold 450 MiB


def check_suffix(path: str | os.PathLike) -> None:
    """Fail before any work unless `path` ends in a suffix Pillow animates (.gif or .webp)."""
    if Path(path).suffix.lower() not in FORMATS:
        raise InputError(f"animation {path} must end in .gif or .webp; choose another animation path",
                         settings=["animation path"])


def every(steps: int, save_every: int = 0) -> int:
    """Steps between animation frames: `save_every` if set, else about DEFAULT_FRAMES frames."""
    return save_every or max(1, steps // DEFAULT_FRAMES)


@dataclasses.dataclass
class Frames:
    """Frames of a run as 8-bit arrays, one every `every` steps, in bounded memory.

    When MAX_FRAMES + 1 are held, every other frame is dropped and the interval doubles, so a
    long run with a short interval (`--save-every 1`) keeps evenly spaced frames without growing.
    """

    every: int
    steps: list[int] = dataclasses.field(default_factory=list)
    images: list[np.ndarray] = dataclasses.field(default_factory=list)

    @classmethod
    def restored(cls, every: object, steps: object, images: Sequence[np.ndarray]) -> Frames:
        """The frames a checkpoint kept (see `checkpoint.save`), after checking they are what
        `offer` keeps; an InputError if the file was edited or damaged."""
        if not (isinstance(every, int) and every > 0 and isinstance(steps, list) and len(steps) == len(images)
                and all(isinstance(s, int) and s >= 0 for s in steps)
                and all(f.dtype == np.uint8 and f.ndim == 3 and f.shape[2] == 3 for f in images)):
            raise InputError("checkpoint's animation frames are damaged; start the run again, or give animation path "
                             "NAME with resume to write the animation from the resumed step on",
                             settings=["animation path", "resume"])
        return cls(every, list(steps), list(images))

    def offer(self, step: int, image: np.ndarray) -> None:
        """Keep `image` (in [0, 1]) if `step` falls on the interval."""
        if step % self.every:
            return
        self.steps.append(step)
        self.images.append(to_uint8(np.asarray(image)))
        if len(self.images) > MAX_FRAMES:
            self.steps, self.images, self.every = self.steps[::2], self.images[::2], 2 * self.every


def save_animation(
    path: str | os.PathLike,
    frames: Sequence[np.ndarray],
    *,
    frame_ms: int = 120,
    hold_ms: int = 1500,
    overwrite: bool = True,
) -> Path:
    """Write `frames` in order as an endlessly looping GIF or WebP, atomically.

    Args:
      path: the file to write; its suffix (.gif or .webp) picks the format.
      frames: (h, w, 3) RGB arrays, uint8 or floats in [0, 1], first to last; frames of another
        shape than the last (the coarse scales of a coarse-to-fine run) are resized to it.
      frame_ms: how long each frame shows, in milliseconds.
      hold_ms: how long the last frame (the result) shows before the loop restarts.
      overwrite: False keeps a file that appeared at `path` since the caller checked (`files.replacing`).

    Returns:
      `path` as a Path.
    """
    path = Path(path)
    check_suffix(path)
    if not frames:
        raise ValueError("an animation needs at least one frame")
    fmt = FORMATS[path.suffix.lower()]
    images = [Image.fromarray(f if f.dtype == np.uint8 else to_uint8(f)) for f in map(np.asarray, frames)]
    size = images[-1].size
    images = [im if im.size == size else im.resize(size, Image.Resampling.LANCZOS) for im in images]
    options = {"quality": 90, "method": 4} if fmt == "WEBP" else {"optimize": False}
    durations = [frame_ms] * (len(images) - 1) + [hold_ms]
    with replacing(path, "animation", overwrite=overwrite) as tmp:
        images[0].save(tmp, format=fmt, save_all=True, append_images=images[1:], duration=durations,
                       loop=0, **options)
    return path
