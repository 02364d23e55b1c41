"""What a path argument must be before anything opens it: a str or `os.PathLike`, not pixels, a PIL image or
None, which reached pathlib or `os.stat`, whose TypeError ("expected str, bytes or os.PathLike object, not
ndarray") named no argument; and a setting that names a file to read (`init`, `mask`): a file here."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

from jaxart.errors import InputError, nearest_name
from jaxart.files import check_path, not_a_file, web_address, windows_path


def as_path(value, what: str, want: str, hint: str = "") -> str | os.PathLike:
    """`value` if it is a path, else a TypeError naming `what`, what it got, `want` and `hint` (how to do
    what the caller may have meant)."""
    if isinstance(value, (str, os.PathLike)):
        return value
    got = "None" if value is None else type(value).__name__
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        got = f"an array of shape {tuple(value.shape)}"
    raise TypeError(f"{what} must be {want}, got {got}" + f"; {hint}" * bool(hint))


def file_setting(name: str, value, want: str, hint: str, words: Sequence[str] = ()) -> None:
    """Raise for setting `name`, one of `words` or the path of a file to read, when its `value` is neither: no
    path at all (`as_path`), a web address (which no reader fetches: it was "does not exist"), a name too long or a
    link loop (both were "does not exist", as the photo's are not: `files.check_path`), a folder, or nothing there;
    each naming `want`, and the word of `words` a bare name is near (`Random`: random)."""
    if isinstance(value, str) and value in words or os.path.isfile(as_path(value, name, want, hint)):
        return
    if why := web_address(value) or windows_path(value):
        raise InputError(f"{name} {why}", settings=[name])
    check_path(value, f"{name} file", functools.partial(InputError, settings=[name]))
    there = not_a_file(value) or "does not exist"
    text = str(value)
    # A word as typed, in its case: `Random`, no file and no path, is told the word it is near.
    near = nearest_name(text, words) if not os.path.lexists(text) and not {".", "/", os.sep} & set(text) else ""
    raise InputError(f"{name} {text!r} {there}{near}; give {want} (check the path and the current folder)",
                     settings=[name])
