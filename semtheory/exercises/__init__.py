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
from typing import Callable

import numpy as np

__all__ = ["answer", "check", "is_correct", "registered", "Answer", "CheckResult"]


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


@dataclass(frozen=True)
class CheckResult:
    """Outcome of a check: ``correct`` and the message printed to the student."""

    label: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct


_REGISTRY: dict[str, Answer] = {}
_LOADED = False


def answer(label: str, *, rtol: float = 1e-3, atol: float = 1e-6, units: str = "", hint: str = ""):
    """Decorator registering ``fn`` as the reference computation for exercise ``label``.

    ``fn`` takes no argument and returns a number, an array, a string, or a tuple of numbers.
    A numeric answer is correct when ``|a - ref| <= atol + rtol * |ref|`` elementwise.
    """
    if not isinstance(label, str) or not label.startswith("ex-"):
        raise ValueError(f"label must be a string starting with 'ex-', got {label!r}")
    if rtol < 0 or atol < 0:
        raise ValueError("rtol and atol must be >= 0")

    def deco(fn):
        if label in _REGISTRY and _REGISTRY[label].compute.__qualname__ != fn.__qualname__:
            raise ValueError(f"exercise label {label!r} registered twice")
        chapter = fn.__module__.rsplit(".", 1)[-1]
        _REGISTRY[label] = Answer(label, fn, rtol, atol, units, chapter, hint)
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


def _compare(given, ref, rtol, atol) -> bool:
    if isinstance(ref, str):
        return isinstance(given, str) and given.strip().lower() == ref.strip().lower()
    if isinstance(ref, bool):
        return isinstance(given, (bool, np.bool_)) and bool(given) == ref
    try:
        g = np.asarray(given, dtype=float)
        r = np.asarray(ref, dtype=float)
    except (TypeError, ValueError):
        return False
    if g.shape != r.shape:
        return False
    if not np.all(np.isfinite(g)):
        return bool(np.array_equal(g, r))
    return bool(np.all(np.abs(g - r) <= atol + rtol * np.abs(r)))


def is_correct(label: str, given) -> CheckResult:
    """Compare ``given`` with the registered answer; return a :class:`CheckResult` (prints nothing)."""
    reg = registered()
    if label not in reg:
        raise ValueError(f"label {label!r} is not a registered exercise (see semtheory.exercises.registered())")
    a = reg[label]
    unit = f" {a.units}" if a.units else ""
    if given is None:
        return CheckResult(label, False, f"… {label}: no answer yet — replace None with your answer{unit}.")
    ref = a.compute()
    ok = _compare(given, ref, a.rtol, a.atol)
    if ok:
        tol = f"relative {a.rtol:g}" if a.rtol else f"absolute {a.atol:g}"
        return CheckResult(label, True, f"✔ {label}: correct (within {tol}{unit}).")
    shape_note = ""
    try:
        if np.shape(given) != np.shape(ref) and not isinstance(ref, str):
            shape_note = f" Expected shape {np.shape(ref)}, got {np.shape(given)}."
    except Exception:  # pragma: no cover - exotic objects
        pass
    hint = f" Hint: {a.hint}" if a.hint else ""
    return CheckResult(label, False, f"✘ {label}: not yet.{shape_note} Check units ({a.units or 'none'}).{hint}")


def check(label: str, given) -> CheckResult:
    """Print a verdict on ``given`` for exercise ``label`` and return it; the answer is never shown."""
    res = is_correct(label, given)
    print(res.message)
    return res

