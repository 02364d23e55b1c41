"""The project's exceptions, each saying what was wrong and what to do."""

import difflib
import errno
import functools
import numbers
import os
import re
import reprlib
import resource
import sys
import types
from collections.abc import Mapping, Sequence

from jaxart.byte_sizes import amount


class JaxartError(Exception):
    """Base class of errors the CLI reports as one line, never a traceback.

    Line breaks in the message (from Pillow, or an odd file name) become spaces.

    `settings` are the settings the message names (StyleConfig's fields, `style_blend`; a grid's, `seeds`), which
    it may write with "_", "-" or " " between the words ("style blend must be ..."); `naming` writes them as a
    front end names them instead (the CLI: its flags, "--style-blend must be ..."); a switch written as Python passes
    it, "pass overwrite=True", as the flag alone ("pass --overwrite"), "match_luminance=False" as its
    "--no-match-luminance", a value, "tolerance=0.001", as the flag's ("--tolerance 0.001"), and a tuple,
    "scale_steps=(1, 3)" or "(20,)", as the flag's list ("--steps 1,3", "--steps 20"). A setting may be a phrase
    with a value in it, "{}", which `words` writes in its own form: "region_colors {} and its painting", said
    "region_colors '#0000ff' and its painting", as "--region-style {}=PAINTING", "--region-style '#0000ff'=PAINTING".
    """

    def __init__(self, message: object = "", *args: object, settings: Sequence[str] = ()):
        super().__init__(" ".join(str(message).splitlines()), *args)
        self.settings = tuple(re.sub(r"[- ]", "_", s) for s in settings)

    def naming(self, words: Mapping[str, str]) -> str:
        """The message with each of its settings that `words` has (by field name) written as `words` writes it."""
        text = str(self)
        for setting in sorted((s for s in self.settings if s in words), key=len, reverse=True):  # phrases first
            spelt = r"[_\- ]".join(_VALUE if w == "{}" else re.escape(w) for w in setting.split("_"))
            found = (rf"{_NOT_IN_PATH}{spelt}(?:(?P<switch>=True|=False)(?![\w-])|(?P<items>=\([^()]*\))"
                     rf"|(?P<assigned>=)(?:(?P<quoted>'[\w@%+=:,./-]+')(?!\w)|(?=[^\s=]))|(?![\w/\\-]|\.\w))")
            text = re.sub(found, functools.partial(_written, words[setting]), text)
        return text


class InputError(JaxartError, ValueError):
    """An input file or option is unusable (`settings`: see JaxartError)."""


# A setting's word inside a path the message quotes is part of a name, not the setting: `--mask mask.png` was said as
# "--mask '--mask.png' does not exist", `/data/mask/a.png` as "/data/--mask/a.png".
_NOT_IN_PATH = r"(?<![\w\-/\\.~])"
# A setting's "{}": the value the message gives there, quoted or one word ("region_colors '#0000ff' and its painting").
_VALUE = r"(?P<value>'[^']*'|[^\s',;]+)"


def _written(word: str, found: re.Match) -> str:
    """A setting `naming` found, as `word`: a flag's "=True" as the flag alone, "=False" as its --no- form,
    "=value" as "flag value" ("='content'" as "flag content", as typed; a value the shell must quote stays quoted),
    "=(1, 3)" as "flag 1,3" ("=('relu1_1',)" as "flag relu1_1"; "=()", no list a flag takes, as it is);
    another word keeps the "=" and its value, and drops "=True"/"=False"."""
    switch, items, assigned = found["switch"], found["items"], found["assigned"]
    word = word.replace("{}", found.groupdict().get("value") or "{}")
    if word.startswith("--") and switch == "=False":
        return f"--no-{word[2:]}"
    values = [v.strip(" '\"") for v in (items or "")[2:-1].split(",") if v.strip(" '\"")]
    if word.startswith("--") and values:
        return f"{word} {','.join(values)}"  # as the flag's list is typed: relu1_1,relu2_1
    quoted = found["quoted"] or ""
    if word.startswith("--") and assigned:
        return f"{word} {quoted[1:-1]}"
    return word + (items or assigned or "") + quoted


def as_typed(v: object) -> str:
    """A value as a user types it on the command line, for a message or a label to echo: a number in its
    shortest `:g` form that reads back as the same value (10, 0.5, 1e6, 10.00001, 123456789), with the exponent
    as typed, 1e31 and 1e-5 (not Python's 1e+31 and 1e-05), nor 10.0 or np.float64(0.5); a whole number whole;
    what is not a number as its repr."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        return repr(v)
    if isinstance(v, numbers.Integral):
        return str(int(v))
    v = float(v)
    text = next((t for digits in range(6, 18) if float(t := f"{v:.{digits}g}") == v), repr(v))  # nan: its repr
    mantissa, e, exponent = text.partition("e")
    return mantissa + e + (str(int(exponent)) if e else "")


def given(v: object) -> str:
    """What a message says it got: "None", "the int 3", "the float64 0.5", "the str 'vgg16'", "an array of shape
    (3, 3) and dtype float32" (NumPy, JAX, a tracer), "a PIL image (RGB, 64x48)", "a list of 2 items", "an empty
    tuple", "a dict of 'relu1_1', ...", "the function load_weights", else "a Weights": not the class alone, "a
    ArrayImpl" (JAX's private one), "a NoneType", "a PngImageFile"."""
    if v is None or isinstance(v, bool):
        return repr(v)
    if isinstance(v, numbers.Number):
        return f"the {type(v).__name__} {as_typed(v)}"
    if isinstance(v, (str, bytes)):  # NumPy's np.str_ too, as its str
        return f"the str {reprlib.repr(str(v))}" if isinstance(v, str) else f"the bytes {reprlib.repr(bytes(v))}"
    if hasattr(v, "shape") and hasattr(v, "dtype"):
        return f"an array of shape {tuple(v.shape)} and dtype {v.dtype}"
    if (pil := sys.modules.get("PIL.Image")) and isinstance(v, pil.Image):  # not its PngImageFile, JpegImageFile
        return f"a PIL image ({v.mode}, {v.width}x{v.height})"
    kind = type(v).__name__
    if isinstance(v, Mapping):
        keys = [*map(repr, list(v)[:3]), *["..."] * (len(v) > 3)]
        return f"a {kind} of {', '.join(keys)}" if v else f"an empty {kind}"
    if isinstance(v, (list, tuple, set, frozenset)):
        return f"a {kind} of {len(v)} item{'s' * (len(v) != 1)}" if v else f"an empty {kind}"
    if isinstance(v, (types.FunctionType, types.BuiltinFunctionType)):
        return f"the function {v.__name__}"
    return f"{'an' if kind[0] in 'AEIOUaeiou' else 'a'} {kind}"


def nearest_name(name: str, known: Sequence[str]) -> str:
    """" (did you mean vgg19?)" for the one of `known` nearest `name` (any case), as click guesses a mistyped
    command; "" when none is near."""
    lower = {k.lower(): k for k in known}
    near = difflib.get_close_matches(name.lower(), lower, n=1)
    return f" (did you mean {lower[near[0]]}?)" if near else ""


def listed(values: Sequence[object]) -> str:
    """Values as a command line lists them, `0,0.5,1e31` (`as_typed`): not Python's `[0.0, 0.5, 1e+31]`."""
    return ",".join(map(as_typed, values))


def joined(names: Sequence[str]) -> str:
    """Names as a sentence lists them: "a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


class WeightsError(JaxartError):
    """Weights are missing, corrupt, of the wrong layout, or could not be fetched."""


class WeightsFileError(WeightsError, InputError):
    """A weights file the user named is unreadable or not VGG weights: bad input (CLI exit 2)."""


class OutputError(JaxartError, OSError):
    """A file could not be written: a full disk, a folder in the way, no permission."""


class OutputTakenError(OutputError):
    """Another run wrote the path first; this run's file was kept under another name, which the message gives."""


# An OSError that the path itself causes, whatever the disk, and what to do; the CLI says it of any path.
BAD_PATH = {errno.ENAMETOOLONG: "a name in this path is longer than the file system allows (255 bytes on most); "
                                "give a shorter path",
            errno.ELOOP: "this path goes through a symbolic link that leads back to itself; "
                         "remove or fix the link, or give another path"}


def limit_advice(code: int | None) -> str | None:
    """What to do where an OSError's `code` (its errno) comes from a limit on open files or on a file's size, not from
    the file it names (which "give a readable file" or "check the disk" would blame): under `ulimit -n 8` a good .h5
    was called unreadable, and under `ulimit -f` a fetch said to set JAXART_WEIGHTS_DIR to a writable folder."""
    if code == errno.EMFILE:
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        return (f"this process may hold only {soft} files open at once (ulimit -n); "
                "raise that limit (ulimit -n 1024) and run again")
    if code == errno.ENFILE:
        return "the system holds as many open files as it allows; close some programs and run again"
    if code == errno.EFBIG and (soft := resource.getrlimit(resource.RLIMIT_FSIZE)[0]) != resource.RLIM_INFINITY:
        return (f"this process may write files of at most {amount(soft)} (ulimit -f); raise that limit "
                "(ulimit -f unlimited) and run again")
    return None


class NonFiniteLossError(JaxartError):
    """The loss or its gradient became NaN or inf; `image` is the last finite image."""

    def __init__(self, message, image=None, step=0, settings: Sequence[str] = ()):
        super().__init__(message, settings=settings)
        self.image = image
        self.step = step


class Interrupted(JaxartError):
    """A run stopped by a signal after writing its image and checkpoint (here, not in checkpoint.py, so
    the command line catches it without loading JAX); `code` is 128 + signal."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def describe(e: BaseException, path: str | os.PathLike | None = None) -> str:
    """`Type: message` of an exception from a library, for the parenthesis of a one-line error; the quoted `path`,
    which that line names already, left out (Pillow's "cannot identify image file 'x.png'")."""
    text = str(e).replace(f" {os.fspath(path)!r}", "") if path is not None else str(e)
    return f"{type(e).__name__}: {text}" if text else type(e).__name__
