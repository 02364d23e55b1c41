"""A sweep's HTML page: the contact sheet, then every tile with its label and settings (sheet.py writes it)."""

from __future__ import annotations

import html as _html
import json
from pathlib import Path
from urllib.parse import quote


def html(sheet: Path, title: str, rows: list[tuple[Path, str, dict]], header: str = "") -> str:
    """The page of sheet `sheet`: its `header` and `title`, the sheet, then each row's (tile, label,
    settings) as the tile, its label and its settings as JSON."""
    esc = _html.escape
    figures = "\n".join(
        f"<figure>{_picture(tile, label)}<figcaption>{esc(label)}</figcaption>"
        f"<pre>{esc(json.dumps(settings, indent=1, sort_keys=True))}</pre></figure>"
        for tile, label, settings in rows
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(sheet.stem)}: jaxart sweep</title>
<style>body{{font:14px sans-serif;margin:1em}} figure{{display:inline-block;vertical-align:top;margin:.5em}}
figcaption{{font-weight:bold}} pre{{font-size:11px;max-height:14em;overflow:auto}}</style></head>
<body><h1>{esc(sheet.stem)}</h1><p>{esc(header)}</p><p>{esc(title)}</p>\
<p><img src="{esc(quote(sheet.name))}" alt="contact sheet"></p>
{figures}
</body></html>
"""


def _picture(tile: Path, label: str) -> str:
    """A tile on the page: the image where browsers show it (PNG, 16-bit too), else a link (TIFF,
    which only Safari shows): its pixels are on the sheet above, at the 8 bits a screen shows, not
    in an 8-bit copy of each tile, as many files again to track and one more to take for the tile."""
    esc, href = _html.escape, _html.escape(quote(tile.name))
    if tile.suffix.lower() == ".png":
        return f'<img src="{href}" alt="{esc(label)}">'
    return f'<p><a href="{href}">{esc(tile.name)}</a> (16-bit TIFF, which browsers do not show; see the sheet)</p>'
