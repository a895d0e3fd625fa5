"""Benchmark B1/B2: entropy and mutual information of dense pmfs, semtheory beside scipy and dit.

Run from the repository root::

    .venv/bin/python benchmarks/measures.py            # sizes 1e4 .. 1e7 cells, a minute or two
    .venv/bin/python benchmarks/measures.py --quick    # sizes 1e4 .. 1e6

For each size n (cells of the pmf) it draws one random pmf (Dirichlet(1), seed 0) and times, on the
*same array*:

* joint entropy of a K x K pmf, K = sqrt(n): ``semtheory.measures.entropy(p)`` (validation included),
  ``scipy.stats.entropy(p.ravel(), base=2)``, dit's array path ``dit.shannon.entropy_pmf(p.ravel())`` and
  dit's object path ``dit.shannon.entropy(Distribution)``;
* mutual information of the same array: ``semtheory.measures.mutual_information(p, 0, 1)``, scipy as
  H(X) + H(Y) - H(X, Y) from ``scipy.stats.entropy``, and
  ``dit.shannon.mutual_information(Distribution, [0], [1])``.

Times are the best of a few repeats (seconds).  dit's ``Distribution`` objects are built outcome by
outcome (of the order of 10 microseconds per cell for a 2-D array), so their construction is timed separately
("dit build", once per size, the same object serving both rows) and only attempted up to
``--dit-max-cells`` (default 1e5); beyond it the object path is skipped and only dit's array path
(entropy) is timed.  The construction of a *1-D* pmf is far slower (roughly quadratic in its length:
seconds at 1e4 outcomes, minutes at 1e5), which is why the input is a 2-D joint; one 1-D build at 1e4
outcomes is timed at the end for the record.  The last column is the largest absolute difference in bits
between semtheory and any peer value computed at that size.  dit is a benchmark-only dependency
(``pip install "dit==2.3"``); without it those columns read "n/a".
"""

from __future__ import annotations

import argparse
import math
import os
import pathlib
import platform
import sys
import time

import numpy as np
import scipy
import scipy.stats

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from semtheory import measures  # noqa: E402
from _timing import best_time, best_times  # noqa: E402 - benchmarks/ is on sys.path

try:  # benchmark-only dependency
    import dit
    from dit.shannon import entropy as dit_entropy
    from dit.shannon import entropy_pmf as dit_entropy_pmf
    from dit.shannon import mutual_information as dit_mutual_information
except ImportError:  # pragma: no cover - depends on the environment
    dit = None


def fmt(t) -> str:
    if t is None:
        return "n/a"
    return f"{t * 1e3:9.2f} ms" if t < 1 else f"{t:9.2f} s "


def joint_pmf(n: int) -> np.ndarray:
    """The benchmark input: a K x K joint pmf with K = round(sqrt(n)), Dirichlet(1) cells, seed 0."""
    k = int(round(math.sqrt(n)))
    return np.random.default_rng(0).dirichlet(np.ones(k * k)).reshape(k, k)


_DIT_CACHE: dict[int, tuple[float, object]] = {}


def dit_object(p: np.ndarray, dit_max: int):
    """(build seconds, dit.Distribution) for ``p``, built once per size; (None, None) above ``dit_max``."""
    if dit is None or p.size > dit_max:
        return None, None
    if p.size not in _DIT_CACHE:
        _DIT_CACHE[p.size] = best_time(lambda: dit.Distribution.from_ndarray(p), 1)
    return _DIT_CACHE[p.size]


def bare_pass(p: np.ndarray) -> float:
    """The yardstick: one bare numpy pass ``-(p * log2 p).sum()`` (no validation; valid only without zeros)."""
    return float(-(p * np.log2(p)).sum())


def bench_entropy(n: int, dit_max: int, repeats: int) -> dict:
    p = joint_pmf(n)
    flat = p.ravel()  # scipy.stats.entropy works along one axis; same numbers
    row = {"op": "entropy", "cells": p.size, "shape": str(p.shape).replace(" ", "")}
    fns = {"ours": lambda: measures.entropy(p), "bare": lambda: bare_pass(p),
           "scipy": lambda: scipy.stats.entropy(flat, base=2)}
    if dit is not None:
        fns["dit_array"] = lambda: dit_entropy_pmf(flat)
    t = best_times(fns, repeats)
    row["ours"], ours = t["ours"]
    row["bare"], bare = t["bare"]
    row["scipy"], sc = t["scipy"]
    peers = [sc, bare]
    row["dit_array"] = row["dit"] = None
    if dit is not None:
        row["dit_array"], da = t["dit_array"]
        peers.append(float(da))
    row["dit_build"], d = dit_object(p, dit_max)
    if d is not None:
        row["dit"], dv = best_time(lambda: dit_entropy(d), repeats)
        peers.append(float(dv))
    row["diff"] = max(abs(ours - v) for v in peers)
    return row


def bench_mi(n: int, dit_max: int, repeats: int) -> dict:
    p = joint_pmf(n)
    row = {"op": "MI", "cells": p.size, "shape": str(p.shape).replace(" ", "")}

    def scipy_mi():
        h = scipy.stats.entropy
        return h(p.sum(axis=1), base=2) + h(p.sum(axis=0), base=2) - h(p.ravel(), base=2)

    t = best_times({"ours": lambda: measures.mutual_information(p, 0, 1), "scipy": scipy_mi}, repeats)
    row["ours"], ours = t["ours"]
    row["scipy"], sc = t["scipy"]
    row["bare"] = None
    peers = [sc]
    row["dit_array"] = None
    row["dit_build"], d = dit_object(p, dit_max)
    row["dit"] = None
    if d is not None:
        row["dit"], dv = best_time(lambda: dit_mutual_information(d, [0], [1]), repeats)
        peers.append(float(dv))
    row["diff"] = max(abs(ours - v) for v in peers)
    return row


def ratio(a, b) -> str:
    return "n/a" if a is None or b is None else f"{a / b:.2f}"


def goal_rows(ent: dict, mi: dict) -> list[tuple[str, str, str, bool | None]]:
    """The rows of issue #17's table measured here: (what, measured, goal, met)."""
    size = f"{ent['cells']:.0e}".replace("e+0", "e")
    rows = [(f"entropy of a {size}-cell pmf, validation included: ours / one bare numpy pass",
             f"{ent['ours'] / ent['bare']:.2f}x", "<= 1.2x", ent["ours"] / ent["bare"] <= 1.2)]
    if ent["dit_array"] is not None:
        r = ent["dit_array"] / ent["ours"]
        rows.append((f"entropy of a {size}-cell pmf: dit's array path / ours", f"{r:.2f}x faster", ">= 1.5x faster",
                     r >= 1.5))
    else:
        rows.append((f"entropy of a {size}-cell pmf: dit's array path / ours", "dit not installed", ">= 1.5x faster",
                     None))
    r = ent["scipy"] / ent["ours"]
    rows.append((f"entropy of a {size}-cell pmf: scipy.stats.entropy / ours", f"{r:.2f}x faster", ">= 1.5x faster",
                 r >= 1.5))
    r = mi["ours"] / mi["scipy"]
    rows.append((f"MI of the same array: ours / scipy's H(X)+H(Y)-H(X,Y)", f"{r:.2f}x", "<= 1.0x", r <= 1.0))
    return rows


def print_goal_table(rows) -> None:
    print("| what | measured | goal | met? |")
    print("|---|---|---|---|")
    for what, measured, goal, met in rows:
        print(f"| {what} | {measured} | {goal} | {'n/a' if met is None else ('yes' if met else 'no')} |")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="sizes 1e4 .. 1e6 only")
    ap.add_argument("--dit-max-cells", type=float, default=1e5, help="largest pmf given to dit.Distribution")
    args = ap.parse_args(argv)
    sizes = [10**4, 10**5, 10**6] + ([] if args.quick else [10**7])
    dit_max = int(args.dit_max_cells)

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"dit {getattr(dit, '__version__', 'not installed')}, semtheory (this tree); {platform.machine()}, "
        f"{os.cpu_count()} CPUs"
    )
    print(f"dit.Distribution built only up to {dit_max:.0e} cells (order 10 us per cell); larger sizes: n/a.")
    print("Times: best of repeats, the candidates of a row timed in turn in one run; 'bare' = one numpy pass "
          "-(p*log2 p).sum() without validation; 'dit build' = Distribution.from_ndarray, once; "
          "diff = max |ours - peer| in bits.\n")
    print("| op | cells | shape | ours | bare pass | scipy | dit (array) | dit (object) | dit build "
          "| ours/bare | scipy/ours | dit array/ours | max abs diff |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    t_start = time.perf_counter()
    last = {}
    for bench in (bench_entropy, bench_mi):
        for n in sizes:
            repeats = 7 if n <= 10**5 else (5 if n <= 10**6 else 5)
            r = bench(n, dit_max, repeats)
            last[r["op"]] = r
            print(
                f"| {r['op']} | {r['cells']:.0e} | {r['shape']} | {fmt(r['ours']).strip()} | {fmt(r['bare']).strip()} "
                f"| {fmt(r['scipy']).strip()} | {fmt(r['dit_array']).strip()} | {fmt(r['dit']).strip()} "
                f"| {fmt(r['dit_build']).strip()} | {ratio(r['ours'], r['bare'])} | {ratio(r['scipy'], r['ours'])} "
                f"| {ratio(r['dit_array'], r['ours'])} | {r['diff']:.1e} |",
                flush=True,
            )
    if dit is not None:
        flat = joint_pmf(10**4).ravel()
        t1, _ = best_time(lambda: dit.Distribution.from_ndarray(flat), 1)
        print(f"\ndit.Distribution.from_ndarray of the same 1e4 cells as a 1-D pmf: {t1:.2f} s "
              f"(as a 100x100 joint: {_DIT_CACHE[10**4][0]:.2f} s)")
    print(f"total {time.perf_counter() - t_start:.1f} s")
    print(
        "notes: ours validates the pmf (finite, non-negative, sums to 1) on every call, fused into the computing\n"
        "pass (min, sum and -p ln p per cache-sized block), and computes MI as one sum of log-ratios in slabs\n"
        "(exactly 0 under independence); scipy.stats.entropy silently renormalises and does not validate;\n"
        "dit's entropy_pmf is nansum(-p log2 p); dit's MI is H(X) + H(Y) - H(X,Y) on its object.\n"
    )
    print("Goals of issue #17 measured here (largest size of this run):\n")
    print_goal_table(goal_rows(last["entropy"], last["MI"]))


if __name__ == "__main__":
    main()
