"""What stylize and sweep say last: the files a run wrote, with its weights, steps and seconds."""

from __future__ import annotations


def seconds_text(run: float, command: float, resumed: object = None) -> str:
    """"run 25.0 s, in all 28.3 s": the run's seconds (the record's: targets, compile, steps, final loss), and the
    command's from its call (JAX, the inputs, the weights and the write too; Python's own start not); `resumed` (a
    checkpoint): the run's with its earlier parts', the command's this part's."""
    return (f"run with its earlier parts {run:.1f} s, this time in all {command:.1f} s" if resumed is not None
            else f"run {run:.1f} s, in all {command:.1f} s")


def sweep_line(files, n: int, weights: str, settings: str, devices: int, tiles: str, seconds: float) -> str:
    """"wrote grid.png, grid.html and 6 images (vgg16-hed, 3 settings for each of 2 paintings on 1 device, ...,
    41.0 s)": `files` the sheet and page, `n` the images, `settings` `settings.described`'s words, `tiles`
    `plateau.tiles_text`'s."""
    return (f"wrote {files[0]}, {files[1]} and {n} image{'s' * (n != 1)} ({weights}, {settings} on {devices} "
            f"device{'s' * (devices != 1)}, {tiles}, {seconds:.1f} s)")
