r"""Checked exercises: ``check("ex-label", answer)`` prints a verdict without revealing the answer.

Each chapter registers its checkable exercises in a module ``semtheory/exercises/chNN.py`` with the
:func:`answer` decorator: the decorated function *computes* the reference answer with ``semtheory``
(nothing is typed in by hand), and the decorator records the tolerance and units.  Answers therefore
live outside the chapter text, and a student who reads the chapter source learns nothing from it.

>>> from semtheory.exercises import check
>>> check("ex-02-die-entropy", 2.585)      # doctest: +SKIP
✔ ex-02-die-entropy: correct (within 0.001 bits).

Used by every chapter's exercises, by the assignment notebooks and by the grader.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

__all__ = ["answer", "check", "is_correct", "registered", "suggest", "Answer", "CheckResult"]


@dataclass(frozen=True)
class Answer:
    """A registered exercise: how to compute its answer and how to compare."""

    label: str
    compute: Callable[[], object]
    rtol: float
    atol: float
    units: str
    chapter: str
    hint: str
    points: int | None = None  # graded points; None: from the exercise's difficulty (1-3 stars)


class CheckResult(NamedTuple):
    """Outcome of a check: ``correct`` and the message printed to the student (true when correct)."""

    label: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct


_REGISTRY: dict[str, Answer] = {}
_LOADED = False


def answer(label: str, *, rtol: float = 1e-3, atol: float = 1e-6, units: str = "", hint: str = "",
           points: int | None = None):
    """Decorator registering ``fn`` as the reference computation for exercise ``label``.

    ``fn`` takes no argument and returns a number, an array, a string, or a tuple of numbers.
    A numeric answer is correct when ``|a - ref| <= atol + rtol * |ref|`` elementwise.  ``points`` (graded
    formats of ``make assignments``) defaults to the exercise's difficulty in stars.
    """
    if not isinstance(label, str) or not label.startswith("ex-"):
        raise ValueError(f"label must be a string starting with 'ex-', got {label!r}")
    if rtol < 0 or atol < 0:
        raise ValueError("rtol and atol must be >= 0")
    if points is not None and (isinstance(points, bool) or not isinstance(points, int) or points < 0):
        raise ValueError(f"points must be a whole number >= 0 or None, got {points!r}")

    def deco(fn):
        if label in _REGISTRY and _REGISTRY[label].compute.__qualname__ != fn.__qualname__:
            raise ValueError(f"exercise label {label!r} registered twice")
        chapter = fn.__module__.rsplit(".", 1)[-1]
        _REGISTRY[label] = Answer(label, fn, rtol, atol, units, chapter, hint, points)
        return fn

    return deco


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    from . import __path__ as pkg_path

    for mod in pkgutil.iter_modules(pkg_path):
        if mod.name.startswith("ch"):
            importlib.import_module(f"{__name__}.{mod.name}")
    _LOADED = True


def registered() -> dict[str, Answer]:
    """All registered exercises, keyed by label (loads every chapter's answer module)."""
    _load()
    return dict(_REGISTRY)


def _plain(given):
    """A student's value as plain data for comparison, or a reason it cannot be one.

    Returns ``(value, None)`` or ``(None, reason)``. Torch tensors (with or without ``requires_grad``) and
    numpy scalars are read as arrays; complex values, objects numpy cannot read and numbers beyond the
    float range are refused with a reason that says what was expected, never what the answer is.
    """
    if isinstance(given, (str, bool, np.bool_)) or given is None:
        return given, None
    if hasattr(given, "detach") and callable(given.detach):  # a torch tensor, perhaps requiring grad
        try:
            given = given.detach().cpu().numpy()
        except Exception:
            return None, "the answer is a tensor that cannot be read as numbers"
    if isinstance(given, complex) or np.iscomplexobj(given):
        return None, "the answer is complex; a real number (or an array of real numbers) is expected"
    try:
        with np.errstate(all="ignore"):
            g = np.asarray(given, dtype=float)
    except OverflowError:
        return None, "the answer is too large for a floating-point number"
    except Exception:
        return None, ("the answer is not a number, an array, a string or a boolean "
                      f"(its type is {type(given).__name__[:40]})")
    return g, None


def _compare(given, ref, rtol, atol) -> bool:
    """True when ``given`` matches ``ref``: strings case- and space-insensitively, booleans exactly,
    numbers elementwise within ``atol + rtol * |ref|`` (same shape, real, non-finite values only equal to
    themselves). Never raises: anything unreadable is simply not correct."""
    try:
        if isinstance(ref, str):
            return isinstance(given, str) and given.strip().lower() == ref.strip().lower()
        if isinstance(ref, bool):
            return isinstance(given, (bool, np.bool_)) and bool(given) == ref
        if isinstance(given, (str, bool, np.bool_)) or given is None:
            return False
        g, reason = _plain(given)
        if reason is not None:
            return False
        r = np.asarray(ref, dtype=float)
        if g.shape != r.shape:
            return False
        if not np.all(np.isfinite(g)):
            return bool(np.array_equal(g, r))
        return bool(np.all(np.abs(g - r) <= atol + rtol * np.abs(r)))
    except Exception:  # pragma: no cover - a value no branch above anticipated
        return False


def suggest(label, n: int = 3) -> list[str]:
    """The registered labels closest to ``label`` (for a misspelt label), best first."""
    import difflib

    return difflib.get_close_matches(str(label), list(registered()), n=n, cutoff=0.5)


def is_correct(label: str, given) -> CheckResult:
    """Compare ``given`` with the registered answer; return a :class:`CheckResult` (prints nothing).

    Raises ``ValueError`` naming ``label`` when it is not a registered exercise (with the closest labels).
    """
    if not isinstance(label, str):
        raise ValueError(f"label must be a string such as 'ex-02-die-entropy', got a {type(label).__name__}")
    reg = registered()
    if label not in reg:
        close = suggest(label)
        tip = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"label {label!r} is not a registered exercise.{tip} "
                         "(semtheory.exercises.registered() lists them all)")
    a = reg[label]
    unit = f" {a.units}" if a.units else ""
    if given is None:
        return CheckResult(label, False, f"… {label}: no answer yet — replace None with your answer{unit}.")
    if not isinstance(given, (str, bool, np.bool_)):
        _, reason = _plain(given)
        if reason is not None:
            return CheckResult(label, False, f"✘ {label}: not yet: {reason}.")
    try:
        ref = a.compute()
    except Exception as e:  # a bug in the book's answer module, not the student's
        return CheckResult(label, False, f"? {label}: the reference answer could not be computed "
                                         f"({type(e).__name__}); please report this exercise.")
    ok = _compare(given, ref, a.rtol, a.atol)
    if ok:
        tol = f"relative {a.rtol:g}" if a.rtol else f"absolute {a.atol:g}"
        return CheckResult(label, True, f"✔ {label}: correct (within {tol}{unit}).")
    hint = f" Hint: {a.hint}" if a.hint else ""
    return CheckResult(label, False, f"✘ {label}: not yet. Check units ({a.units or 'none'}).{hint}")


def check(label: str, given) -> CheckResult:
    """Print a one-line verdict on ``given`` for exercise ``label`` and return it; the answer is never shown.

    Never raises: an unknown or misspelt label prints the closest known labels, and a value that cannot
    be an answer (complex, unreadable, out of range) prints why.
    """
    try:
        res = is_correct(label, given)
    except ValueError as e:
        res = CheckResult(str(label)[:80], False, f"✘ {e}")
    except Exception as e:  # pragma: no cover - nothing above should raise anything else
        res = CheckResult(str(label)[:80], False, f"✘ the answer could not be checked ({type(e).__name__}).")
    print(res.message)
    return res

