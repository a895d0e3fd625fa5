r"""Grading exercises with Otter-Grader and nbgrader: the reference values and the hidden checks.

``make assignments`` (``python -m tools.editions assignments OUT``, the book's tooling in ``tools/assignments.py``)
writes each chapter's exercises in three formats (plain self-study, Otter Assign, nbgrader) and
``OUT/hidden-tests.json``; this module is the part of that which runs where the grading runs, from an installed
package: the reference values, computed from the registry (:mod:`semtheory.exercises`) and encoded as plain JSON
data, the points of an exercise, the hidden and public checks' sources, and otter's command line.

An exercise whose answer is registered (``@answer`` in ``chNN.py``) becomes an auto-graded question worth
:func:`points` (its difficulty in stars unless the registry says otherwise): a public test that only says
whether an answer of the right kind is there, and a hidden test holding the reference value, computed at
export time with the tolerance the exercise registered.  The reference values are written only into the
instructor's files; ``otter assign`` and ``nbgrader generate_assignment`` drop the hidden tests and the
solutions from what students receive.

Otter 5.7 needs ``pkg_resources`` (setuptools) for its command line, and its ``otter run`` has no per-cell
timeout; ``python -m semtheory.exercises otter ...`` runs otter's own command line with a stand-in for the
one ``pkg_resources`` function otter uses when setuptools is absent, and (for ``otter run``) with a per-cell
timeout (``--cell-timeout``, default 60 s) that interrupts a cell which runs too long.
"""

from __future__ import annotations

import json
import math
import pathlib
import re
import sys

import numpy as np

from . import Answer, registered

__all__ = ["points", "encode", "decode", "hidden_tests", "hidden_check_source", "public_check_source",
           "reference_literal", "question_name", "STARS_POINTS", "otter_main", "load_hidden_tests", "close_function",
           "SELF_CHECK", "CELL_TIMEOUT"]

#: Points of an exercise by its difficulty in stars (an ``@answer(points=...)`` overrides).
STARS_POINTS = {1: 1, 2: 2, 3: 3}
SELF_CHECK = ("The `check(...)` that an exercise text mentions is the book's self-study checker "
              "(`from semtheory.exercises import check`); it is not what grades this notebook.")
CELL_TIMEOUT = 60


def points(stars: int | None, answer: Answer | None = None) -> int:
    """Points of an exercise: ``answer.points`` when the registry sets it, else 1, 2 or 3 for 1-3 stars (1
    when the title gives no difficulty)."""
    if answer is not None and getattr(answer, "points", None) is not None:
        return int(answer.points)
    if stars is None:
        return 1
    if stars not in STARS_POINTS:
        raise ValueError(f"stars must be 1, 2 or 3, got {stars!r}")
    return STARS_POINTS[stars]


def question_name(label: str) -> str:
    """``ex-98-kl-coins`` -> ``ex_98_kl_coins`` (an otter question / nbgrader grade id)."""
    return re.sub(r"\W", "_", label)


# ----------------------------------------------------------------------------------------------
# Reference values: computed once, encoded as plain JSON data
# ----------------------------------------------------------------------------------------------


def encode(value) -> dict:
    """A reference answer as JSON data: ``{"kind": "str"|"bool", "value"}`` or ``{"kind": "num", "shape",
    "data"}`` (floats; non-finite values as the strings "inf", "-inf", "nan")."""
    if isinstance(value, str):
        return {"kind": "str", "value": value}
    if isinstance(value, (bool, np.bool_)):
        return {"kind": "bool", "value": bool(value)}
    a = np.asarray(value, dtype=float)
    data = [v if math.isfinite(v) else repr(v) for v in a.ravel().tolist()]
    return {"kind": "num", "shape": list(a.shape), "data": data}


def decode(enc: dict):
    """Inverse of :func:`encode`: a str, a bool, a float or an ndarray."""
    kind = enc.get("kind") if isinstance(enc, dict) else None
    if kind == "str":
        return str(enc["value"])
    if kind == "bool":
        return bool(enc["value"])
    if kind == "num":
        a = np.asarray([float(v) for v in enc["data"]], dtype=float).reshape([int(s) for s in enc["shape"]])
        return float(a) if a.ndim == 0 else a
    raise ValueError(f"enc: unknown reference kind {kind!r}")


def hidden_tests(labels=None, registry: dict | None = None) -> dict[str, dict]:
    """The hidden test of each auto-checked exercise: ``label -> {"reference", "rtol", "atol", "units",
    "chapter"}``, the reference computed now (the one place reference values are computed for grading)."""
    reg = registered() if registry is None else registry
    labels = list(reg) if labels is None else list(labels)
    out = {}
    for lab in labels:
        if lab not in reg:
            raise ValueError(f"labels: {lab!r} is not a registered exercise")
        a = reg[lab]
        out[lab] = {"reference": encode(a.compute()), "rtol": a.rtol, "atol": a.atol, "units": a.units,
                    "chapter": a.chapter}
    return out


def reference_literal(enc: dict) -> str:
    """Python source of an encoded reference (floats written with ``repr``, so exactly)."""
    kind = enc["kind"]
    if kind in ("str", "bool"):
        return repr(decode(enc))
    vals = [f"float({v!r})" if isinstance(v, str) else repr(float(v)) for v in enc["data"]]
    if not enc["shape"]:
        return vals[0]
    return f"numpy.array([{', '.join(vals)}]).reshape({tuple(enc['shape'])!r})"


# The comparison of semtheory.exercises._compare, self-contained (numpy only), so that it runs in a student's
# kernel without trusting anything the student could have patched in semtheory.  A test keeps the two equal.
_CLOSE = '''\
def _close(given, ref, rtol, atol):
    import numpy
    try:
        if isinstance(ref, str):
            return isinstance(given, str) and given.strip().lower() == ref.strip().lower()
        if isinstance(ref, bool):
            return isinstance(given, (bool, numpy.bool_)) and bool(given) == ref
        if given is None or isinstance(given, (str, bool, numpy.bool_)):
            return False
        if hasattr(given, "detach") and callable(given.detach):
            given = given.detach().cpu().numpy()
        if isinstance(given, complex) or numpy.iscomplexobj(given):
            return False
        with numpy.errstate(all="ignore"):
            g = numpy.asarray(given, dtype=float)
        r = numpy.asarray(ref, dtype=float)
        if g.shape != r.shape:
            return False
        if not numpy.all(numpy.isfinite(g)):
            return bool(numpy.array_equal(g, r))
        return bool(numpy.all(numpy.abs(g - r) <= atol + rtol * numpy.abs(r)))
    except Exception:
        return False
'''


def close_function():
    """The hidden tests' comparison as a Python function (for tests: it must agree with ``_compare``)."""
    ns: dict = {}
    exec(_CLOSE, ns)  # noqa: S102 - our own constant source
    return ns["_close"]


def hidden_check_source(label: str, test: dict, variable: str, *, indent: str = "") -> str:
    """The source of the hidden check of one exercise: ``assert`` that ``variable`` is within tolerance.

    The reference sits at the top and the failing ``assert`` at the bottom, far apart, and the assertion
    message names the exercise only, so a traceback shown to a student does not print the reference.
    """
    lines = ["import numpy", f"_ref = {reference_literal(test['reference'])}", *_CLOSE.splitlines(),
             f"assert _close({variable}, _ref, {float(test['rtol'])!r}, {float(test['atol'])!r}), "
             f"{label + ': not within the tolerance of the reference (hidden test)'!r}"]
    return "\n".join(indent + ln if ln else ln for ln in lines)


def _kind_words(test: dict) -> str:
    enc = test["reference"]
    unit = f" in {test['units']}" if test["units"] else ""
    if enc["kind"] == "str":
        return "a string"
    if enc["kind"] == "bool":
        return "True or False"
    if not enc["shape"]:
        return f"a number{unit}"
    return f"an array of shape {tuple(enc['shape'])}{unit}"


def public_check_source(test: dict, variable: str) -> str:
    """A public test: an answer of the right kind is there (says nothing about its value)."""
    enc = test["reference"]
    if enc["kind"] == "str":
        cond = f"isinstance({variable}, str)"
    elif enc["kind"] == "bool":
        cond = f"isinstance({variable}, (bool, numpy.bool_))"
    else:
        cond = (f"{variable} is not None and {variable} is not ... and not isinstance({variable}, (str, bool)) and "
                f"numpy.shape({variable}) == {tuple(enc['shape'])!r}")
    return f"import numpy\nassert {cond}, {('the answer should be ' + _kind_words(test))!r}"


def load_hidden_tests(path) -> dict[str, dict]:
    """Read ``hidden-tests.json`` (written by ``make assignments``)."""
    path = pathlib.Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise ValueError(f"tests: cannot read {path} ({type(e).__name__})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) and "reference" in v for v in data.values()):
        raise ValueError(f"tests: {path} is not a hidden-tests file")
    return data


# ----------------------------------------------------------------------------------------------
# Otter's command line, runnable without setuptools and with a per-cell timeout for `otter run`
# ----------------------------------------------------------------------------------------------


def _pkg_resources_standin() -> None:
    """Otter 5.7 imports ``pkg_resources`` for ``resource_filename`` only: provide that when it is absent."""
    import importlib
    import importlib.util
    import os
    import types

    if importlib.util.find_spec("pkg_resources") is not None:
        return
    mod = types.ModuleType("pkg_resources")

    def resource_filename(package, resource):
        m = importlib.import_module(package)
        return os.path.join(os.path.dirname(m.__file__), resource)

    mod.resource_filename = resource_filename
    sys.modules["pkg_resources"] = mod


def _cell_timeout(seconds: int) -> None:
    """Make every ``ExecutePreprocessor`` otter creates interrupt a cell after ``seconds``."""
    import nbconvert.preprocessors as pp

    base = pp.ExecutePreprocessor

    class TimedExecutePreprocessor(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.timeout = seconds
            self.interrupt_on_timeout = True

    pp.ExecutePreprocessor = TimedExecutePreprocessor


def otter_main(argv: list[str]) -> int:
    """``python -m semtheory.exercises otter [--cell-timeout S] ARGS`` = ``otter ARGS`` (see the module doc)."""
    timeout = CELL_TIMEOUT
    if argv[:1] == ["--cell-timeout"]:
        if len(argv) < 2 or not argv[1].isdigit() or int(argv[1]) < 1:
            print("otter: --cell-timeout needs a whole number of seconds >= 1", file=sys.stderr)
            return 2
        timeout, argv = int(argv[1]), argv[2:]
    _pkg_resources_standin()
    _cell_timeout(timeout)
    from otter.cli import cli

    try:
        cli.main(args=argv, prog_name="otter", standalone_mode=False)
    except SystemExit as e:  # pragma: no cover - click's own exits
        return int(e.code or 0)
    except Exception as e:
        print(f"otter: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0
