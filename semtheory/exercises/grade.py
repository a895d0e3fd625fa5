r"""Grade completed assignment notebooks: ``python -m semtheory.exercises grade SUBMISSIONS/ --out grades.csv``.

Layout of ``SUBMISSIONS/``: one folder per student, holding that student's notebooks, each named as
the assignment it answers (``make assignments`` writes ``_build/assignments/plain/NN-name.ipynb``; only the
leading two digits ``NN`` of the file name matter, and the notebook may sit in a sub-folder)::

    SUBMISSIONS/
        alice/03-directed-information.ipynb
        alice/08-granger.ipynb
        bob/03-directed-information.ipynb

The CSV has one row per student, chapter and auto-checked exercise of that chapter:
``student, chapter, exercise, correct (0/1), message``.  A chapter that someone handed in and another
student did not gives that student rows "no notebook handed in".

How a notebook is graded (nothing it printed or stored is trusted):

1. The grader takes every reference answer first, in its own process, before any student code runs: from
   the ``hidden-tests.json`` that ``make assignments`` exported (``--tests``; the same reference values and
   tolerances as the otter and nbgrader exports' hidden tests), or computed now by the same exporter.
2. Each notebook runs in a worker process of its own, with a fresh kernel (``python3``, whatever the
   notebook's metadata says) in an empty temporary folder.  Stored outputs are dropped; only the code
   cells' sources are executed, in order, with a per-cell timeout (``--timeout``); a cell that raises
   does not stop the others.  A cell that runs over its time is interrupted; if the kernel still does
   not answer, or dies, the kernel is restarted, the cells before it are replayed and that cell is
   skipped.  The whole notebook has a wall-clock limit (``--notebook-timeout``).
3. The grader then reads, in the kernel, each exercise's answer variable ``answer_ex_NN_name`` (one
   small cell per exercise, so one unreadable answer costs only that exercise) and turns it into plain
   JSON data: None, a string, a boolean, or an array of floats.
4. The comparison with the reference happens here, in the grader's process, with the tolerance the
   exercise registered: redefining ``check``, monkeypatching :mod:`semtheory.exercises` or printing
   "✔ correct" inside the notebook changes nothing.

A broken or hostile notebook (a syntax error, an endless loop, a deleted check cell, a patched
checker, a killed kernel) thus costs its author the exercises it breaks and nothing else.  This is not
an operating-system sandbox: student code runs with the grader's rights, so run the grader in a
container or as an unprivileged user with the package installed read-only.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import importlib.util
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from . import Answer, _compare, registered

__all__ = ["grade", "Row", "verdict", "answer_variable", "main"]

CELL_TIMEOUT = 60
PROBE_TIMEOUT = 10
NOTEBOOK_TIMEOUT = 1200
MAX_RESTARTS = 3
FIELDS = ("student", "chapter", "exercise", "correct", "message")


class Row(NamedTuple):
    """One graded exercise of one student."""

    student: str
    chapter: str
    exercise: str
    correct: int
    message: str


def answer_variable(label: str) -> str:
    """``ex-03-bsc-three-uses`` -> ``answer_ex_03_bsc_three_uses``: the variable the grader reads."""
    return "answer_" + re.sub(r"\W", "_", label)


# ----------------------------------------------------------------------------------------------
# The kernel side: one helper, defined after the student's cells, that serialises one variable.
# ----------------------------------------------------------------------------------------------

_EXTRACT = r'''
def __semtheory_extract__(name, mark):
    import json as _json
    _g = globals()
    if name not in _g:
        _d = {"kind": "missing"}
    else:
        _v = _g[name]
        try:
            if _v is None:
                _d = {"kind": "none"}
            elif isinstance(_v, str):
                _d = {"kind": "str", "value": _v[:10000]}
            elif type(_v).__name__ in ("bool", "bool_"):
                _d = {"kind": "bool", "value": bool(_v)}
            else:
                import numpy as _np
                if hasattr(_v, "detach") and callable(_v.detach):  # a torch tensor, perhaps requiring grad
                    _v = _v.detach().cpu().numpy()
                if isinstance(_v, complex) or _np.iscomplexobj(_v):
                    _d = {"kind": "error", "reason": "complex"}
                else:
                    try:
                        _a = _np.asarray(_v, dtype=float)
                    except OverflowError:
                        _d = {"kind": "error", "reason": "overflow"}
                    else:
                        if _a.size > 1000000:
                            _d = {"kind": "error", "reason": "too_big"}
                        else:
                            _d = {"kind": "num", "shape": list(_a.shape), "data": _a.ravel().tolist()}
        except Exception:
            _d = {"kind": "error", "reason": "type", "type": type(_v).__name__[:40]}
    print(mark + _json.dumps(_d))
'''

#: What the grader says when the kernel could not turn an answer into plain data. The kernel only sends a
#: reason code (and a type name, which is the student's and is made safe); the words are the grader's own.
REASONS = {
    "complex": "the answer is complex; a real number (or an array of real numbers) is expected",
    "overflow": "the answer is too large for a floating-point number",
    "too_big": "the answer has more than a million numbers",
    "type": "the answer is not a number, an array, a string or a boolean",
}


def _reason(payload: dict) -> str:
    msg = REASONS.get(payload.get("reason"), "the answer could not be read")
    if payload.get("reason") == "type" and payload.get("type"):
        msg += f" (its type is {_safe(payload['type'], 40)})"
    return msg


def _decode(payload: dict):
    """Plain data from the kernel -> the value to compare (None, str, bool, float or ndarray)."""
    kind = payload.get("kind")
    if kind == "none":
        return None
    if kind == "str":
        return str(payload["value"])
    if kind == "bool":
        return bool(payload["value"])
    if kind == "num":
        a = np.asarray(payload["data"], dtype=float).reshape([int(s) for s in payload["shape"]])
        return float(a) if a.ndim == 0 else a
    raise ValueError(f"unknown payload kind {kind!r}")


def verdict(a: Answer, reference, given) -> tuple[bool, str]:
    """Compare ``given`` with a precomputed ``reference`` as :func:`semtheory.exercises.is_correct` does."""
    unit = f" {a.units}" if a.units else ""
    if given is None:
        return False, "no answer: the variable is still None"
    if _compare(given, reference, a.rtol, a.atol):
        tol = f"relative {a.rtol:g}" if a.rtol else f"absolute {a.atol:g}"
        return True, f"correct (within {tol}{unit})"
    msg = "wrong"
    if not isinstance(reference, str) and isinstance(given, (float, np.ndarray)):
        shown = np.array2string(np.asarray(given), precision=6, threshold=8)  # the student's value, not ours
        msg += f": got {shown[:80]}" + (f" (the answer is expected in {a.units})" if a.units else "")
    return False, msg


# ----------------------------------------------------------------------------------------------
# The worker: executes one notebook and reads its answer variables (runs in a process of its own).
# ----------------------------------------------------------------------------------------------


def _safe(text: str, n: int = 60) -> str:
    """A student-supplied name made safe for a message (letters, digits, a few symbols; no CSV formulas)."""
    return re.sub(r"[^\w .\-]", "?", str(text))[:n]


def execute_and_read(nb_path: str | pathlib.Path, labels: list[str], *, timeout: int = CELL_TIMEOUT,
                     probe_timeout: int = PROBE_TIMEOUT, max_restarts: int = MAX_RESTARTS,
                     pidfile: str | None = None) -> dict:
    """Execute a notebook's code cells in a fresh kernel and read the answer variable of each label.

    Returns ``{"values": {label: payload}, "errors": n, "timeouts": n, "skipped": [...], "restarts": n}``
    where a payload is plain JSON data (see ``_EXTRACT``) or ``{"kind": "fail", "message": ...}``.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbformat.v4 import new_code_cell, new_notebook

    try:
        src = nbformat.read(str(nb_path), as_version=4)
        code = [c["source"] for c in src["cells"] if c.get("cell_type") == "code"]
        if not all(isinstance(s, str) for s in code):
            raise ValueError("a code cell has no source text")
    except Exception as e:  # not JSON, not a notebook, ...
        return {"error": f"the notebook cannot be read ({type(e).__name__})"}

    mark = f"@@semtheory-grade-{secrets.token_hex(8)}@@"
    workdir = tempfile.mkdtemp(prefix="semtheory-grade-")
    values: dict[str, dict] = {}
    pending = list(labels)
    skipped: set[int] = set()
    errors: dict[int, str] = {}
    restarts = 0
    timed_out_name = "CellTimeoutError"

    def run(client, cell, index, t):
        """Execute one cell; return 'ok', 'error', 'timeout' (kernel answers again) or 'stuck'."""
        status: dict[int, str] = {}
        client.on_cell_error = lambda cell, cell_index, execute_reply: status.__setitem__(
            cell_index, execute_reply["content"].get("ename", ""))
        client.timeout = t
        try:
            client.execute_cell(cell, index)
        except (DeadKernelError, CellTimeoutError, RuntimeError):
            return "stuck"
        if status.get(index) == timed_out_name:
            probe = new_code_cell("pass")
            client.nb.cells.append(probe)
            j = len(client.nb.cells) - 1
            client.timeout = probe_timeout
            try:
                client.execute_cell(probe, j)
            except (DeadKernelError, CellTimeoutError, RuntimeError):
                return "stuck"
            finally:
                client.nb.cells.pop(j)
            return "stuck" if status.get(j) == timed_out_name else "timeout"
        return "error" if index in status else "ok"

    try:
        while pending:
            if restarts > max_restarts:
                for label in pending:
                    values[label] = {"kind": "fail", "message": "the notebook kept the kernel busy or killed it; "
                                                                "gave up after restarting it"}
                break
            nb = new_notebook(cells=[new_code_cell(s) for s in code],
                              metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                       "language": "python"}})
            client = NotebookClient(
                nb, timeout=timeout, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
                error_on_timeout={"ename": timed_out_name, "evalue": f"cell ran over {timeout} s", "traceback": []},
                record_timing=False, iopub_timeout=3, resources={"metadata": {"path": workdir}},
            )
            restart = False
            with client.setup_kernel():
                if pidfile:
                    prov = getattr(client.km, "provisioner", None)
                    with open(pidfile, "a") as fh:
                        fh.write(f"{getattr(prov, 'pid', '')} {getattr(prov, 'pgid', '')}\n")
                for i, cell in enumerate(nb.cells):
                    if i in skipped:
                        continue
                    st = run(client, cell, i, timeout)
                    if st == "stuck":
                        skipped.add(i)
                        errors[i] = "stuck"
                        restart = True
                        break
                    if st in ("error", "timeout"):
                        errors[i] = st
                    if st == "timeout":  # interrupted: do not run it again if the kernel is restarted
                        skipped.add(i)
                if not restart:
                    helper = new_code_cell(_EXTRACT)
                    nb.cells.append(helper)
                    if run(client, helper, len(nb.cells) - 1, probe_timeout) != "ok":
                        restart = True
                        restarts += 1  # cannot define the helper: count it, then give up eventually
                        continue
                    while pending:
                        label = pending.pop(0)
                        cell = new_code_cell(f"__semtheory_extract__({answer_variable(label)!r}, {mark!r})")
                        nb.cells.append(cell)
                        st = run(client, cell, len(nb.cells) - 1, probe_timeout)
                        payload = None
                        for out in cell.get("outputs", []):
                            if out.get("output_type") == "stream":
                                for line in out.get("text", "").splitlines():
                                    if line.startswith(mark):
                                        try:
                                            payload = json.loads(line[len(mark):])
                                        except ValueError:
                                            payload = None
                        if st in ("ok",) and isinstance(payload, dict):
                            values[label] = payload
                        else:
                            values[label] = {"kind": "fail", "message": "the answer could not be read "
                                                                        "(reading it failed or took too long)"}
                        if st == "stuck":
                            restart = True
                            break
            if restart:
                restarts += 1
    except Exception as e:  # the kernel would not start, ...
        for label in pending:
            values.setdefault(label, {"kind": "fail", "message": f"grading failed ({type(e).__name__})"})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    n_err = sum(1 for v in errors.values() if v == "error")
    n_to = sum(1 for v in errors.values() if v in ("timeout", "stuck"))
    return {"values": values, "errors": n_err, "timeouts": n_to, "skipped": sorted(skipped), "restarts": restarts}


def _worker(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="semtheory.exercises.grade --worker")
    p.add_argument("notebook")
    p.add_argument("result")
    p.add_argument("--labels", required=True)
    p.add_argument("--timeout", type=int, default=CELL_TIMEOUT)
    p.add_argument("--probe-timeout", type=int, default=PROBE_TIMEOUT)
    p.add_argument("--pidfile")
    a = p.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    res = execute_and_read(a.notebook, json.loads(a.labels), timeout=a.timeout,
                           probe_timeout=a.probe_timeout, pidfile=a.pidfile)
    pathlib.Path(a.result).write_text(json.dumps(res))
    return 0


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def run_notebook(nb: pathlib.Path, labels: list[str], *, timeout: int = CELL_TIMEOUT,
                 notebook_timeout: int = NOTEBOOK_TIMEOUT, probe_timeout: int = PROBE_TIMEOUT) -> dict:
    """Run :func:`execute_and_read` in a worker process with a hard wall-clock limit."""
    with tempfile.TemporaryDirectory(prefix="semtheory-grader-") as tmp:
        result, pidfile = pathlib.Path(tmp) / "result.json", pathlib.Path(tmp) / "kernels"
        cmd = [sys.executable, "-m", "semtheory.exercises.grade", "--worker", str(nb), str(result),
               "--labels", json.dumps(labels), "--timeout", str(timeout), "--probe-timeout", str(probe_timeout),
               "--pidfile", str(pidfile)]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            proc.wait(timeout=notebook_timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        _kill_group(proc.pid)  # the worker's group; kernels run in groups of their own:
        if pidfile.exists():
            for line in pidfile.read_text().split("\n"):
                parts = line.split()
                if len(parts) == 2 and parts[1].isdigit():
                    _kill_group(int(parts[1]))
        proc.wait()
        if timed_out:
            return {"error": f"the notebook ran over the {notebook_timeout} s limit"}
        try:
            return json.loads(result.read_text())
        except (OSError, ValueError):
            return {"error": "the notebook crashed its grading process"}


# ----------------------------------------------------------------------------------------------
# The grader
# ----------------------------------------------------------------------------------------------


def _chapter_of(nb: pathlib.Path) -> str:
    m = re.match(r"(\d{2})", nb.name)
    return m.group(1) if m else ""


def _chapter_names(root: pathlib.Path | None) -> dict[str, str]:
    """Two-digit number -> the file stem of the chapter page in ``root/book`` (e.g. "03-directed-information").

    Only with a book ``root`` (a checkout): an installed package reads no repository files, and the
    chapters are then named after the handed-in notebooks.
    """
    if root is None or not (pathlib.Path(root) / "book").is_dir():
        return {}
    out = {}
    for p in sorted((pathlib.Path(root) / "book").glob("[0-9][0-9]-*.md")):  # chapter pages, not NNb-* sections
        out.setdefault(p.name[:2], p.stem)
    return out


def load_answers(path: str | pathlib.Path) -> None:
    """Import an extra answers module (a file of ``@answer``-decorated functions, like ``chNN.py``)."""
    path = pathlib.Path(path)
    spec = importlib.util.spec_from_file_location(f"semtheory_extra_answers_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"answers: cannot import {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)


def _cell_csv(s: str) -> str:
    return "'" + s if s[:1] in ("=", "+", "-", "@") else s


def grade(submissions: str | pathlib.Path, out: str | pathlib.Path | None = None, *, timeout: int = CELL_TIMEOUT,
          notebook_timeout: int = NOTEBOOK_TIMEOUT, probe_timeout: int = PROBE_TIMEOUT, jobs: int = 1,
          answers: tuple = (), root: pathlib.Path | None = None, tests: str | pathlib.Path | None = None,
          log=sys.stderr) -> list[Row]:
    """Grade every student's notebooks under ``submissions``; write the CSV to ``out`` when given.

    ``tests``: the ``hidden-tests.json`` that ``make assignments`` wrote (the reference values the otter and
    nbgrader exports hold); without it the same hidden tests are computed from the registry here.
    """
    from .._extras import require

    for module in ("nbformat", "nbclient"):
        require(module, "course", needed_by="semtheory.exercises.grade")
    submissions = pathlib.Path(submissions)
    if not submissions.is_dir():
        raise ValueError(f"submissions: {submissions} is not a folder")
    for a in answers:
        load_answers(a)
    reg = registered()
    names = _chapter_names(root)

    # Who handed in what (one notebook per student and chapter).
    work: dict[tuple[str, str], pathlib.Path] = {}
    stems: dict[str, str] = {}
    students = sorted(d.name for d in submissions.iterdir() if d.is_dir() and not d.name.startswith("."))
    for s in students:
        for f in sorted((submissions / s).rglob("*")):
            if f.is_file() and f.suffix != ".ipynb" and not any(p.startswith(".") for p in f.relative_to(submissions).parts):
                print(f"grade: {_safe(s)}/{_safe(f.name)}: not a notebook (.ipynb); not graded", file=log)
        for nb in sorted((submissions / s).rglob("*.ipynb")):
            if ".ipynb_checkpoints" in nb.parts:
                continue
            ch = _chapter_of(nb)
            if not ch:
                print(f"grade: skipping {nb} (the file name does not start with a chapter number NN)", file=log)
                continue
            if (s, ch) in work:
                print(f"grade: {s}: more than one notebook for chapter {ch}; grading {work[(s, ch)].name}", file=log)
                continue
            work[(s, ch)] = nb
            stems.setdefault(ch, names.get(ch, nb.stem))
    chapters = sorted({ch for _, ch in work})
    labels = {ch: [lab for lab in reg if lab.startswith(f"ex-{ch}-")] for ch in chapters}

    # Reference answers first, before any student code has run anywhere: the hidden tests that
    # `make assignments` exported (``tests``, hidden-tests.json), or the same export computed now.
    from .export import decode, hidden_tests, load_hidden_tests

    exported = load_hidden_tests(tests) if tests is not None else None
    refs: dict[str, object] = {}
    checks: dict[str, Answer] = {}
    ref_errors: dict[str, str] = {}
    for ch in chapters:
        for lab in labels[ch]:
            try:
                t = exported[lab] if exported is not None else hidden_tests([lab], reg)[lab]
                refs[lab] = decode(t["reference"])
                checks[lab] = replace(reg[lab], rtol=float(t["rtol"]), atol=float(t["atol"]))
            except KeyError:
                ref_errors[lab] = f"{lab} is not in the hidden tests {tests}: export them again (make assignments)"
            except Exception as e:  # an error in the book's answer module, not the student's
                ref_errors[lab] = f"the reference answer failed ({type(e).__name__}): tell the instructor"

    def job(key):
        s, ch = key
        return key, run_notebook(work[key], labels[ch], timeout=timeout, notebook_timeout=notebook_timeout,
                                 probe_timeout=probe_timeout)

    results: dict[tuple[str, str], dict] = {}
    todo = [k for k in sorted(work) if labels[k[1]]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for key, res in pool.map(job, todo):
            results[key] = res
            print(f"grade: {key[0]}/{work[key].name}: done", file=log)

    rows: list[Row] = []
    for s in students:
        for ch in chapters:
            chapter = stems[ch]
            if not labels[ch]:
                continue
            res = results.get((s, ch))
            for lab in labels[ch]:
                var = answer_variable(lab)
                if res is None:
                    rows.append(Row(s, chapter, lab, 0, "no notebook handed in for this chapter"))
                    continue
                if "error" in res:
                    rows.append(Row(s, chapter, lab, 0, res["error"]))
                    continue
                if lab in ref_errors:
                    rows.append(Row(s, chapter, lab, 0, ref_errors[lab]))
                    continue
                payload = res["values"].get(lab, {"kind": "fail", "message": "the answer could not be read"})
                kind = payload.get("kind")
                context = ""
                if res.get("errors") or res.get("timeouts"):
                    context = f" ({res.get('errors', 0)} cell(s) raised errors, {res.get('timeouts', 0)} ran over time)"
                if kind == "missing":
                    rows.append(Row(s, chapter, lab, 0, f"no answer: {var} is not defined{context}"))
                elif kind == "error":
                    rows.append(Row(s, chapter, lab, 0, _reason(payload) + context))
                elif kind == "fail":  # written by the grader's own worker: its words, not the student's
                    rows.append(Row(s, chapter, lab, 0, str(payload.get("message", ""))[:200] + context))
                else:
                    try:
                        given = _decode(payload)
                    except (ValueError, TypeError, KeyError):
                        rows.append(Row(s, chapter, lab, 0, "the answer could not be read"))
                        continue
                    ok, msg = verdict(checks[lab], refs[lab], given)
                    rows.append(Row(s, chapter, lab, int(ok), msg))
    if out is not None:
        write_csv(rows, out)
    return rows


def write_csv(rows: list[Row], out: str | pathlib.Path) -> None:
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(FIELDS)
        for r in rows:
            w.writerow([_cell_csv(r.student), _cell_csv(r.chapter), r.exercise, r.correct, _cell_csv(r.message)])


def summary(rows: list[Row]) -> str:
    """Points per student, as a small text table."""
    per: dict[str, list[int]] = {}
    for r in rows:
        per.setdefault(r.student, []).append(r.correct)
    width = max([len(s) for s in per] + [7])
    lines = [f"{'student':{width}s}  correct / graded"]
    lines += [f"{s:{width}s}  {sum(v):7d} / {len(v)}" for s, v in per.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m semtheory.exercises grade SUBMISSIONS/ --out grades.csv`` (see the module docstring)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        return _worker(argv[1:])
    p = argparse.ArgumentParser(prog="python -m semtheory.exercises grade",
                                description="Grade completed assignment notebooks (SUBMISSIONS/<student>/NN-name.ipynb).")
    p.add_argument("submissions", help="folder with one sub-folder per student")
    p.add_argument("--out", help="CSV file to write (default: print the CSV)")
    p.add_argument("--timeout", type=int, default=CELL_TIMEOUT, help="seconds per cell (default %(default)s)")
    p.add_argument("--notebook-timeout", type=int, default=NOTEBOOK_TIMEOUT,
                   help="seconds per notebook, all cells together (default %(default)s)")
    p.add_argument("--jobs", type=int, default=1, help="notebooks graded at once (default %(default)s)")
    p.add_argument("--tests", help="hidden-tests.json written by make assignments (default: compute them now)")
    p.add_argument("--answers", action="append", default=[],
                   help="extra answers module (.py with @answer functions) for exercises of your own")
    a = p.parse_args(argv)
    try:
        rows = grade(a.submissions, a.out, timeout=a.timeout, notebook_timeout=a.notebook_timeout,
                     probe_timeout=min(PROBE_TIMEOUT, a.timeout), jobs=a.jobs, answers=tuple(a.answers), tests=a.tests)
    except ValueError as e:
        print(f"grade: {e}", file=sys.stderr)
        return 2
    if a.out is None:
        w = csv.writer(sys.stdout)
        w.writerow(FIELDS)
        for r in rows:
            w.writerow([_cell_csv(str(v)) if isinstance(v, str) else v for v in r])
    print(summary(rows), file=sys.stderr)
    if a.out:
        print(f"grades: {a.out} ({len(rows)} rows)", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
