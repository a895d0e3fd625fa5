r"""Exercises of a chapter in three formats: plain (self-study), Otter Assign and nbgrader.

``make assignments`` (``python -m semtheory._editions assignments OUT``) writes, from the same registry
(:mod:`semtheory.exercises`) and the same chapter texts::

    OUT/plain/NN-name.ipynb                       self-study: answer cells and check() cells
    OUT/otter/NN-name/NN-name.ipynb               Otter Assign master (otter assign -> student + autograder zip)
    OUT/nbgrader/source/NN-name/NN-name.ipynb     nbgrader source (nbgrader generate_assignment NN-name)
    OUT/nbgrader/nbgrader_config.py               a course configuration to start from
    OUT/hidden-tests.json                         the reference values (instructor side; the built-in grader's)

An exercise whose answer is registered (``@answer`` in ``chNN.py``) becomes an auto-graded question worth
:func:`points` (its difficulty in stars unless the registry says otherwise): a public test that only says
whether an answer of the right kind is there, and a hidden test holding the reference value, computed here at
export time with the tolerance the exercise registered.  Every other exercise becomes a manually graded
question ("discussed in class").  The reference values are written only into the instructor's files (the
Otter master and autograder, the nbgrader source, ``hidden-tests.json``); ``otter assign`` and ``nbgrader
generate_assignment`` drop the hidden tests and the solutions from what students receive.

The self-study format is not for grading: the package in every student's kernel can compute every reference
answer (``registered()[label].compute()``).

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
from dataclasses import dataclass

import numpy as np

from . import Answer, registered

__all__ = ["Item", "items", "points", "encode", "decode", "hidden_tests", "hidden_check_source",
           "otter_master", "nbgrader_source", "plain_notebook", "write_all", "question_name", "STARS_POINTS",
           "otter_main", "load_hidden_tests", "close_function", "SELF_CHECK"]

#: Points of an exercise by its difficulty in stars (an ``@answer(points=...)`` overrides).
STARS_POINTS = {1: 1, 2: 2, 3: 3}
SELF_CHECK = ("The `check(...)` that an exercise text mentions is the book's self-study checker "
              "(`from semtheory.exercises import check`); it is not what grades this notebook.")
CELL_TIMEOUT = 60


@dataclass(frozen=True)
class Item:
    """One exercise of a chapter as a graded question: its text (an ``_editions.Exercise``), its registered
    answer (None: discussed in class, graded by hand) and its points."""

    exercise: object
    answer: Answer | None
    points: int

    @property
    def label(self) -> str:
        return self.exercise.label

    @property
    def auto(self) -> bool:
        return self.answer is not None


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


def items(path, registry: dict | None = None) -> list[Item]:
    """The exercises of one chapter file as graded questions, in order."""
    from .._editions import exercises

    reg = registered() if registry is None else registry
    out = []
    for ex in exercises(pathlib.Path(path)):
        a = reg.get(ex.label)
        out.append(Item(ex, a, points(ex.stars, a)))
    return out


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


def _literal(enc: dict) -> str:
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
    lines = ["import numpy", f"_ref = {_literal(test['reference'])}", *_CLOSE.splitlines(),
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


def _public_check_source(test: dict, variable: str) -> str:
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


# ----------------------------------------------------------------------------------------------
# The three formats
# ----------------------------------------------------------------------------------------------


def plain_notebook(path, registry: dict | None = None):
    """The self-study notebook (``_editions.assignment``): answer cells and ``check()`` cells."""
    from .._editions import assignment

    return assignment(pathlib.Path(path), registry)


def _chapter_page(path: pathlib.Path) -> pathlib.Path:
    """The chapter page of ``path`` (a section page ``NNb-*.md`` belongs to ``NN-*.md``); else ``path``."""
    from .._booktools import chapter_of

    chap = chapter_of(path)
    return pathlib.Path(path) if chap.resolve() == pathlib.Path(path).resolve() else chap


def _head(nn: str, title: str, path: pathlib.Path, how: str) -> str:
    from .._editions import plain_markdown

    return (f"# Assignment — Chapter {int(nn) if nn else ''}: {plain_markdown(title)}\n\n{how}\n\n"
            f"Hand in this notebook as `{path.stem}.ipynb`.")


def _text(it: Item) -> str:
    from .._editions import plain_markdown

    ex = it.exercise
    stars = f"({ex.difficulty}) " if ex.stars else ""
    pts = f"*{it.points} point{'s' if it.points != 1 else ''}"
    pts += (", auto-graded*" if it.auto else ", graded by hand (discussed in class)*")
    unit = f" in {it.answer.units}" if it.auto and it.answer.units else ""
    where = (f"\n\nPut your answer{unit} into `{ex.variable}`." if it.auto else "")
    return f"## Exercise {ex.number} {stars}{plain_markdown(ex.title)}\n\n`{ex.label}` — {pts}\n\n" \
           f"{plain_markdown(ex.body)}{where}"


def _notebook(cells, meta: dict):
    import nbformat
    from nbformat.v4 import new_notebook

    for i, c in enumerate(cells):  # deterministic ids: the same sources give the same file
        c["id"] = f"cell-{i:03d}"
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}, "semtheory": meta})
    nbformat.validate(nb)
    return nb


def _meta(path: pathlib.Path, its: list[Item], fmt: str) -> dict:
    from .._editions import chapter_number

    return {"chapter": chapter_number(path), "source": path.name, "format": fmt,
            "exercises": [i.label for i in its], "auto_checked": [i.label for i in its if i.auto],
            "points": {i.label: i.points for i in its}}


def _macro_cell():
    from nbformat.v4 import new_markdown_cell

    from .. import macros

    return new_markdown_cell(macros.MARK_BEGIN + "\n$$\n" + macros.newcommands() + "\n$$",
                             metadata={"tags": ["semtheory-macros"]})


def _yaml(d: dict) -> str:
    import yaml

    return yaml.safe_dump(d, sort_keys=False, default_flow_style=False).strip()


def otter_master(path, registry: dict | None = None, tests: dict | None = None):
    """The Otter Assign (v1 format) master notebook of one chapter, or None when it has no exercises.

    Each auto-checked exercise is a question with its points: a solution cell (the reference, between
    ``# BEGIN SOLUTION`` and ``# END SOLUTION``), a public test worth 0 points (an answer of the right kind)
    and a hidden test worth all the points (the reference, within the registered tolerance).  Every other
    exercise is a manual question (``manual: true``) with a markdown answer cell.
    """
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_raw_cell

    from .._editions import chapter_number, chapter_title

    path = pathlib.Path(path)
    its = items(path, registry)
    if not its:
        return None
    tests = hidden_tests([i.label for i in its if i.auto], registry) if tests is None else tests
    chap = _chapter_page(path)
    config = {"name": chap.stem, "init_cell": True, "check_all_cell": False, "export_cell": False,
              "run_tests": True, "solutions_pdf": False, "generate": True,
              "tests": {"files": False, "ok_format": False}}
    how = ("Write each answer into its variable `answer_ex_…` (replace `...`), then run the cell "
           "`grader.check(...)` below it: it runs the public test only (an answer of the right kind is there); "
           "the value is graded by hidden tests after you hand in. Exercises discussed in class are graded by hand. "
           + SELF_CHECK)
    cells = [new_raw_cell("# ASSIGNMENT CONFIG\n" + _yaml(config)), _macro_cell(),
             new_markdown_cell(_head(chapter_number(chap), chapter_title(chap), chap, how))]
    for it in its:
        q = {"name": question_name(it.label), "points": it.points}
        if not it.auto:
            q["manual"] = True
        cells.append(new_raw_cell("# BEGIN QUESTION\n" + _yaml(q)))
        cells.append(new_markdown_cell(_text(it)))
        var = it.exercise.variable
        if it.auto:
            t = tests[it.label]
            cells.append(new_raw_cell("# BEGIN SOLUTION"))
            cells.append(new_code_cell(f"{var} = {_literal(t['reference'])}  # SOLUTION".replace(
                "numpy.array", "__import__('numpy').array")))
            cells.append(new_raw_cell("# END SOLUTION"))
            cells.append(new_raw_cell("# BEGIN TESTS"))
            pub = _public_check_source(t, var).replace("\n", "\n    ")
            cells.append(new_code_cell('""" # BEGIN TEST CONFIG\npoints: 0\nhidden: false\n""" # END TEST CONFIG\n'
                                       f"def test_kind({var}):\n    {pub}"))
            cells.append(new_code_cell('""" # BEGIN TEST CONFIG\n'
                                       f"points: {it.points}\nhidden: true\n"
                                       '""" # END TEST CONFIG\n'
                                       f"def test_value({var}):\n"
                                       + hidden_check_source(it.label, t, var, indent="    ")))
            cells.append(new_raw_cell("# END TESTS"))
        else:
            cells.append(new_raw_cell("# BEGIN SOLUTION"))
            cells.append(new_markdown_cell("**SOLUTION:** discussed in class (see the instructor's edition)."))
            cells.append(new_raw_cell("# END SOLUTION"))
        cells.append(new_raw_cell("# END QUESTION"))
    return _notebook(cells, _meta(path, its, "otter"))


def nbgrader_source(path, registry: dict | None = None, tests: dict | None = None):
    """The nbgrader source notebook of one chapter, or None when it has no exercises.

    Per auto-checked exercise: a solution cell (``### BEGIN SOLUTION`` … ``### END SOLUTION``) and an
    autograded, locked test cell with the exercise's points: a public assert (an answer of the right kind)
    and the reference check between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.  Per exercise
    discussed in class: a manually graded markdown answer cell with its points.
    """
    from nbformat.v4 import new_code_cell, new_markdown_cell

    from .._editions import chapter_number, chapter_title

    path = pathlib.Path(path)
    its = items(path, registry)
    if not its:
        return None
    tests = hidden_tests([i.label for i in its if i.auto], registry) if tests is None else tests

    def nbg(grade_id, *, solution=False, grade=False, locked=False, pts=None):
        d = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked, "schema_version": 3}
        if pts is not None:
            d["points"] = pts
        return {"nbgrader": d}

    how = ("Replace each `raise NotImplementedError()` with your answer in its variable `answer_ex_…`, and run "
           "the test cell below it: its visible part says whether an answer of the right kind is there; the "
           "value is graded by hidden tests after you hand in. Exercises discussed in class are answered in "
           "the text cell below them and graded by hand. " + SELF_CHECK)
    chap = _chapter_page(path)
    cells = [_macro_cell(), new_markdown_cell(_head(chapter_number(chap), chapter_title(chap), chap, how),
                                              metadata=nbg("intro", locked=True))]
    for it in its:
        q = question_name(it.label)
        cells.append(new_markdown_cell(_text(it), metadata=nbg(f"{q}_text", locked=True)))
        var = it.exercise.variable
        if it.auto:
            t = tests[it.label]
            cells.append(new_code_cell(f"### BEGIN SOLUTION\n{var} = {_literal(t['reference'])}\n### END SOLUTION"
                                       .replace("numpy.array", "__import__('numpy').array"),
                                       metadata=nbg(f"{q}_answer", solution=True)))
            cells.append(new_code_cell(f"# {it.label}: {it.points} point(s)\n{_public_check_source(t, var)}\n"
                                       f"### BEGIN HIDDEN TESTS\n{hidden_check_source(it.label, t, var)}\n"
                                       "### END HIDDEN TESTS",
                                       metadata=nbg(f"{q}_test", grade=True, locked=True, pts=it.points)))
        else:
            cells.append(new_markdown_cell("YOUR ANSWER HERE", metadata=nbg(f"{q}_answer", solution=True, grade=True,
                                                                             pts=it.points)))
    return _notebook(cells, _meta(path, its, "nbgrader"))


NBGRADER_CONFIG = '''\
# nbgrader configuration of the semtheory course kit (written by `make assignments`).
c = get_config()  # noqa: F821
c.CourseDirectory.root = "."
c.CourseDirectory.course_id = "semtheory"
c.ExecutePreprocessor.timeout = {timeout}        # seconds per cell: a loop is interrupted, not waited for
c.ExecutePreprocessor.interrupt_on_timeout = True
# feedback without the hidden tests' sources (a failing hidden assert names the exercise only)
c.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades", "nbgrader.preprocessors.ClearHiddenTests",
                                    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
'''


def write_all(out, root=None, files=None, registry: dict | None = None) -> dict[str, list[pathlib.Path]]:
    """Write the three formats of every toc chapter (or ``files``) that has exercises under ``out``, and
    ``out/hidden-tests.json``.  Returns ``{"plain": [...], "otter": [...], "nbgrader": [...]}``."""
    import nbformat

    from .._booktools import ROOT, toc_files

    out = pathlib.Path(out)
    root = ROOT if root is None else pathlib.Path(root)
    reg = registered() if registry is None else registry
    paths = [pathlib.Path(p) for p in (toc_files(root) if files is None else files)]
    written: dict[str, list[pathlib.Path]] = {"plain": [], "otter": [], "nbgrader": []}
    all_tests: dict[str, dict] = {}
    for p in paths:
        its = items(p, reg)
        if not its:
            continue
        tests = hidden_tests([i.label for i in its if i.auto], reg)
        for lab, t in tests.items():
            t["points"] = next(i.points for i in its if i.label == lab)
        all_tests.update(tests)
        name = _chapter_page(p).stem  # a chapter's exercises sit on its last page; the files carry its name
        for fmt, nb, dest in (("plain", plain_notebook(p, reg), out / "plain" / f"{name}.ipynb"),
                              ("otter", otter_master(p, reg, tests), out / "otter" / name / f"{name}.ipynb"),
                              ("nbgrader", nbgrader_source(p, reg, tests),
                               out / "nbgrader" / "source" / name / f"{name}.ipynb")):
            dest.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, dest)
            written[fmt].append(dest)
    if written["nbgrader"]:
        (out / "nbgrader" / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(timeout=CELL_TIMEOUT))
    out.mkdir(parents=True, exist_ok=True)
    (out / "hidden-tests.json").write_text(json.dumps(all_tests, indent=1, sort_keys=True) + "\n")
    return written


def load_hidden_tests(path) -> dict[str, dict]:
    """Read ``hidden-tests.json`` (written by :func:`write_all`)."""
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
