"""The exceptions s2sgrad raises, one hierarchy rooted at `S2sgradError`.

Every error that concerns the user's code carries a `Location` (file, line, column and the line of
source) and a hint saying what to do instead, and renders them like a compiler diagnostic:

    examples/model.py:12:8: no derivative rule for numpy.fft.fft
        y = np.fft.fft(x)
            ^
    hint: register one with @s2sgrad.adjoint(numpy.fft.fft), or wrap the argument in
          s2sgrad.stop_gradient(...) if no gradient should flow through this call.

Each subclass also derives from the built-in exception a Python user would expect (`TypeError`,
`ValueError`, `NotImplementedError`), so existing `except` clauses keep working.
"""

from __future__ import annotations

import dataclasses
import textwrap
from typing import Optional


@dataclasses.dataclass(frozen=True)
class Location:
    """A place in the user's source: 1-based line, 0-based column, and that line's text."""

    filename: str
    lineno: int
    col: int = 0
    code: str = ""
    origin: Optional["Location"] = None   # in generated code: the user's statement it came from

    def __str__(self) -> str:
        return f"{self.filename}:{self.lineno}:{self.col + 1}"


class S2sgradError(Exception):
    """Base class of every error s2sgrad raises about user code or arguments."""

    def __init__(self, message: str, location: Optional[Location] = None, hint: str = ""):
        self.message = message
        self.location = location
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        lines = []
        if self.location is not None:
            lines.append(f"{self.location}: {self.message}")
            code = self.location.code.rstrip()
            if code:
                stripped = code.lstrip()
                indent = len(code) - len(stripped)
                lines.append("    " + stripped)
                caret = max(0, self.location.col - indent)
                if caret <= len(stripped):
                    lines.append("    " + " " * caret + "^")
            origin = self.location.origin
            if origin is not None:
                lines.append(f"note: derivative code generated from {origin.filename}:"
                             f"{origin.lineno}: {origin.code.strip()}")
        else:
            lines.append(self.message)
        if self.hint:
            wrapped = textwrap.fill(self.hint, width=96, initial_indent="hint: ",
                                    subsequent_indent="      ")
            lines.append(wrapped)
        return "\n".join(lines)


class UnsupportedSyntaxError(S2sgradError, NotImplementedError):
    """The function uses a Python construct the compiler does not handle."""


class NoDerivativeRuleError(S2sgradError, TypeError):
    """A differentiated value flows through a call or operation that has no derivative rule."""


class SourceUnavailableError(S2sgradError, TypeError):
    """The function's Python source cannot be found (builtins, C extensions, `exec`, the REPL)."""


class WrtError(S2sgradError, ValueError):
    """`wrt` names an argument that does not exist or cannot be differentiated."""


class NonScalarOutputError(S2sgradError, ValueError):
    """`grad` was asked to differentiate a function whose output is not a scalar."""


class RuleDefinitionError(S2sgradError, TypeError):
    """A derivative rule (built in or registered by the user) is malformed."""


class GradientCheckError(S2sgradError, AssertionError):
    """`check_grads` found a derivative that disagrees with finite differences."""
