"""Run the benchmarks that print a ratio and collect their tables into ``benchmarks/results.md`` (``make bench``).

Run from the repository root::

    .venv/bin/python benchmarks/run_all.py                  # every script below, then benchmarks/results.md
    .venv/bin/python benchmarks/run_all.py --only measures channel --out /tmp/results.md

Each script of :data:`SCRIPTS` runs in its own process (a timeout each); its standard output goes into
``results.md`` as it is (markdown tables pass through, other text is fenced), under the machine and the
versions it ran on.  The summary at the top has one row per goal of issue #17's table: *what*, the measured
ratio or time, the goal, met?  A script reports a goal by printing a markdown table whose header has the
columns ``what | measured | goal | met?`` (any order; ``met`` reads yes / no / n/a); its rows are matched to
the issue's goals by the patterns of :data:`GOALS`.  A goal whose script is missing, failed, or printed no
such row says so in its row.  Scripts are run, never imported: a broken one cannot stop the others.
"""

from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import platform
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"

#: (name, arguments, timeout in seconds) of every benchmarks/<name>.py that prints a ratio (ours against a
#: peer or a bare pass).  capacity.py and granger.py print times and agreement, no ratio: not run here.
SCRIPTS = [
    ("measures", [], 900),
    ("channel", [], 600),
    ("ratedistortion", [], 1200),
    ("directed", [], 1200),
    ("attention", [], 900),
    ("ssm", [], 900),
]

#: Issue #17's table, in its order: (what, goal, script expected to measure it, pattern that picks its rows
#: by their *what*; the first pattern in :data:`MATCH_ORDER` that matches wins).
GOALS = [
    ("entropy of a 1e7-cell pmf, validation included", "<= 1.2x the bare pass; >= 1.5x faster than dit's array "
     "path and than scipy", "measures", r"\bentropy\b(?!.*rate)"),
    ("MI of the same array", "<= 1.0x scipy", "measures", r"^\s*MI\b|mutual information of the same"),
    ("one Blahut-Arimoto point, 128-point discretised N(0,1), squared error, beta = 2",
     "certified to 1e-9 bits in < 0.2 s", "ratedistortion", r"\bpoint\b|beta\s*=\s*2|β\s*=\s*2"),
    ("a 50-beta R(D) curve, 256 points", "faster than dit while certified to 1e-9; >= 5x faster than dit when "
     "stopped at dit's own accuracy (1e-5 bits)", "ratedistortion", r"curve|R\(D\)"),
    ("the same curve with warm_start=True", "never slower than cold", "ratedistortion", r"warm"),
    ("trapdoor feedback capacity, n = 7", "< 2 s, finite and certified up to n = 10", "directed",
     r"trapdoor|feedback capacity"),
    ("channel.prompt_generation_law / sequence_law, 64 prompts on the Markov Transformer", "<= 0.2 s", "channel",
     r"prompt_generation_law|sequence_law"),
    ("directed information of a 2^22-cell law (n = 11, binary)", "<= 0.1 s", "directed",
     r"directed information|\bDI\b"),
    ("slowest chapter (ch14)", "every chapter <= 10 s on 2 cores", None, None),
    ("`.ci/run` on a clean clone", "<= 6 min", None, None),
]

#: The order in which rows are matched to :data:`GOALS` (indices): warm starts before the curve they restart,
#: the trapdoor's feedback capacity before directed information in general.
MATCH_ORDER = [4, 0, 1, 2, 3, 5, 6, 7]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs"


def versions() -> str:
    out = [f"python {platform.python_version()}"]
    for mod in ("numpy", "scipy", "torch", "dit"):
        try:
            m = __import__(mod)
            out.append(f"{mod} {getattr(m, '__version__', '?')}")
        except ImportError:
            out.append(f"{mod} not installed")
    return ", ".join(out)


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "semtheory", "benchmarks"], cwd=ROOT,
                               capture_output=True, text=True, timeout=30).stdout.strip()
        return head + (" (with uncommitted changes under semtheory/ or benchmarks/)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def run(name: str, args: list[str], timeout: float) -> dict:
    """Run benchmarks/<name>.py; ``{name, status, seconds, stdout, stderr}``."""
    path = HERE / f"{name}.py"
    res = {"name": name, "path": f"benchmarks/{name}.py", "stdout": "", "stderr": "", "seconds": 0.0}
    if not path.exists():
        res["status"] = "missing"
        return res
    print(f"[bench] {res['path']} {' '.join(args)}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    try:
        p = subprocess.run([sys.executable, str(path), *args], cwd=ROOT, capture_output=True, text=True,
                           timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})
        res["stdout"], res["stderr"] = p.stdout, p.stderr
        res["status"] = "ok" if p.returncode == 0 else f"failed (exit {p.returncode})"
    except subprocess.TimeoutExpired as exc:
        res["stdout"] = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        res["stderr"] = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        res["status"] = f"timed out after {timeout:.0f} s"
    res["seconds"] = time.perf_counter() - t0
    print(f"[bench]   {res['status']} in {res['seconds']:.1f} s", file=sys.stderr, flush=True)
    return res


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def goal_rows(stdout: str) -> list[dict]:
    """The rows of every markdown table in ``stdout`` whose header has what / measured / goal / met columns."""
    rows, lines, i = [], stdout.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|[\s:|-]+\|\s*$", lines[i + 1]):
            head = [re.sub(r"[^a-z]", "", c.lower()) for c in _cells(line)]
            keys = {"what": None, "measured": None, "goal": None, "met": None}
            for j, h in enumerate(head):
                for k in keys:
                    if keys[k] is None and h.startswith(k):
                        keys[k] = j
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                if None not in keys.values():
                    c = _cells(lines[i])
                    if len(c) > max(keys.values()):
                        rows.append({k: c[j] for k, j in keys.items()})
                i += 1
            continue
        i += 1
    return rows


def chapter_times() -> tuple[str, str] | None:
    """(measured, met) from the execution cache of the last ``make book`` in this checkout, if there is one."""
    cache = ROOT / "_build" / ".jupyter_cache"
    if not cache.exists():
        return None
    try:
        p = subprocess.run([sys.executable, "-m", "tools.booktools", "times", str(cache)], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    times = [(m.group(1), float(m.group(2))) for m in re.finditer(r"^(\S+)\s+([\d.]+) s$", p.stdout, re.M)]
    if not times:
        return None
    name, worst = max(times, key=lambda t: t[1])
    return f"{worst:.1f} s ({name}; from the last `make book` cache, not re-run)", "yes" if worst <= 10 else "no"


def summary(results: list[dict]) -> list[tuple[str, str, str, str]]:
    by_name = {r["name"]: r for r in results}
    collected = []  # (script, row)
    for r in results:
        collected += [(r["name"], row) for row in goal_rows(r["stdout"])]
    assigned: dict[int, list] = {i: [] for i in range(len(GOALS))}
    unmatched = []
    for script, row in collected:
        for i in MATCH_ORDER:
            if re.search(GOALS[i][3], row["what"], re.I):
                assigned[i].append((script, row))
                break
        else:
            unmatched.append((script, row))
    out = []
    for i, (what, goal, script, _) in enumerate(GOALS):
        if assigned[i]:
            for s, row in assigned[i]:
                out.append((f"{row['what']} (`{s}.py`)", row["measured"], row["goal"], row["met"]))
            continue
        if script is None:
            ct = chapter_times() if "chapter" in what else None
            if ct:
                out.append((what, ct[0], goal, ct[1]))
            else:
                out.append((what, "not measured by `make bench`" + (" (`make book`, then `make times`)"
                                                                    if "chapter" in what else " (CI)"), goal, "n/a"))
            continue
        r = by_name.get(script)
        if r is None:
            why = f"not measured: `{script}.py` was not run (--only)"
        elif r["status"] == "missing":
            why = f"not measured: `benchmarks/{script}.py` is missing"
        elif r["status"] != "ok":
            why = f"not measured: `benchmarks/{script}.py` {r['status']}"
        else:
            why = f"see `{script}.py` below (it prints no goal row)"
        out.append((what, why, goal, "n/a"))
    for s, row in unmatched:
        out.append((f"{row['what']} (`{s}.py`)", row["measured"], row["goal"], row["met"]))
    return out


def as_markdown(stdout: str) -> str:
    """Markdown tables as they are, every other run of lines in a text fence."""
    out, text = [], []

    def flush():
        while text and not text[-1].strip():
            text.pop()
        while text and not text[0].strip():
            text.pop(0)
        if text:
            out.extend(["```text", *text, "```", ""])
        text.clear()

    in_table = False
    for line in stdout.splitlines():
        if line.lstrip().startswith("|"):
            if not in_table:
                flush()
            out.append(line.strip())
            in_table = True
        else:
            if in_table:
                out.append("")
            in_table = False
            text.append(line)
    flush()
    return "\n".join(out).rstrip() + "\n"


def write(results: list[dict], out: pathlib.Path, started: str, load0: str, total: float) -> None:
    lines = [
        "# Benchmarks (`make bench`)",
        "",
        f"Written by `benchmarks/run_all.py` on {started} UTC in {total:.0f} s, at commit {commit()}.",
        "",
        f"- machine: {machine()}; load average (1/5/15 min) {load0} at the start, {load()} at the end",
        f"- versions: {versions()}",
        "- every ratio is measured in one run of its script (ours and the peer timed in turn, best of repeats);",
        "  absolute times depend on the machine and its load, ratios much less.",
        "",
        "## Goals of issue #17",
        "",
        "| what | measured | goal | met? |",
        "|---|---|---|---|",
    ]
    lines += [f"| {w} | {m} | {g} | {t} |" for w, m, g, t in summary(results)]
    lines += ["", "## Scripts", "", "| script | status | seconds |", "|---|---|---:|"]
    lines += [f"| `{r['path']}` | {r['status']} | {r['seconds']:.1f} |" for r in results]
    for r in results:
        lines += ["", f"## `{r['path']}`", ""]
        if r["status"] == "missing":
            lines.append("Not in this checkout.")
            continue
        lines.append(as_markdown(r["stdout"]).rstrip("\n") if r["stdout"].strip() else "(no output)")
        if r["status"] != "ok":
            tail = "\n".join(r["stderr"].rstrip().splitlines()[-20:])
            lines += [f"Status: {r['status']}. Last lines of its standard error:", "", "```text", tail, "```"]
    out.write_text("\n".join(lines).rstrip() + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="+", metavar="NAME", help="run only these scripts (names without .py)")
    ap.add_argument("--out", default=str(HERE / "results.md"), help="where to write (default benchmarks/results.md)")
    args = ap.parse_args(argv)
    names = [s[0] for s in SCRIPTS]
    if args.only:
        bad = [n for n in args.only if n not in names]
        if bad:
            ap.error(f"unknown script(s) {bad}; known: {names}")
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    load0, t0 = load(), time.perf_counter()
    results = [run(n, a, t) for n, a, t in SCRIPTS if not args.only or n in args.only]
    out = pathlib.Path(args.out)
    write(results, out, started, load0, time.perf_counter() - t0)
    print(f"[bench] wrote {out}", file=sys.stderr)
    for w, m, g, t in summary(results):
        print(f"  {t:>4}  {w}: {m} (goal {g})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
