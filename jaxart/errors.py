"""The project's exceptions: each message says what was wrong and what to do."""


class JaxartError(Exception):
    """Base class of errors the CLI reports as one line, never a traceback."""


class InputError(JaxartError, ValueError):
    """An input file or option is unusable."""


class WeightsError(JaxartError):
    """Weights are missing, corrupt, of the wrong layout, or could not be fetched."""


class NonFiniteLossError(JaxartError):
    """The loss or its gradient became NaN or inf; `image` is the last finite image."""

    def __init__(self, message, image=None, step=0):
        super().__init__(message)
        self.image = image
        self.step = step
