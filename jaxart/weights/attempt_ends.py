"""How one attempt at a download ends short of the file: the exceptions that tell `fetch` whether another attempt
is worth it, and the speed rule that ends a trickle."""

from __future__ import annotations

import time
from typing import NamedTuple

from jaxart.byte_sizes import amount


class Interrupted(Exception):
    """A failure worth retrying: the transfer was cut off or stalled, or the server was busy."""


class Reset(Interrupted):
    """The connection from `url` was reset while the file came (by the server, or a firewall between)."""

    def __init__(self, message: str, url: str):
        super().__init__(message)
        self.url = url


class TooSlow(Interrupted):
    """The server sent too little for too long: a trickle under the per-read timeout, which never trips it."""


class Speed(NamedTuple):
    """The slowest transfer an attempt goes on with: `min_rate` bytes/s on average over any `window` seconds.
    curl's --speed-limit and --speed-time; a trickle under it ends the attempt, and a retry resumes by Range."""
    # 1 KB/s over a minute ends only a connection that has all but stopped: a bad hotel Wi-Fi's 5-20 KB/s passes it
    # 5-20 times over unless it stalls for most of a minute (a window ends as soon as 60 KB came). Below it, vgg19's
    # 80 MB would take 22 h and torchvision's 575 MB 6.5 days, so a fresh connection, resuming by Range with nothing
    # lost, is the better bet. pip has no such rule: its 15 s read timeout ends a pause, never a trickle.
    min_rate: float = 1024.0
    window: float = 60.0


class WrongFile(Exception):
    """The server announced a body whose size is not the file's: another file, not worth retrying."""


class Page(Exception):
    """The server sent a web page (a sign-in, quota or error page sent as a 200), not the file: not worth retrying."""


class Unwritable(Exception):
    """Writing the download failed with OSError `args[0]` (a full disk): no fault of the network, nor worth a retry."""


class Slow:
    """Counts the bytes an attempt receives against `Speed`, ending the attempt (TooSlow) when too few came."""

    def __init__(self, speed: Speed):
        self.speed, self.since, self.bytes = speed, time.monotonic(), 0

    def came(self, n: int) -> None:
        self.bytes += n

    def check(self) -> None:
        now = time.monotonic()
        if self.bytes >= self.speed.min_rate * self.speed.window:  # this window was fast enough: a new one starts
            self.since, self.bytes = now, 0
        elif now - self.since >= self.speed.window:
            raise TooSlow(f"the server is too slow: {self.bytes:,} bytes in {now - self.since:.3g} s, under the "
                          f"{amount(self.speed.min_rate)}/s a download needs")
