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
import pathlib
import platform
import sys
import time

import numpy as np
import scipy
import scipy.stats

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from semtheory import measures  # noqa: E402

try:  # benchmark-only dependency
    import dit
    from dit.shannon import entropy as dit_entropy
    from dit.shannon import entropy_pmf as dit_entropy_pmf
    from dit.shannon import mutual_information as dit_mutual_information
except ImportError:  # pragma: no cover - depends on the environment
    dit = None


def best_time(fn, repeats: int) -> tuple[float, object]:
    """Best wall-clock time of ``repeats`` calls of ``fn`` and its (last) value."""
    best, val = math.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        val = fn()
        best = min(best, time.perf_counter() - t0)
    return best, val


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


def bench_entropy(n: int, dit_max: int, repeats: int) -> dict:
    p = joint_pmf(n)
    flat = p.ravel()  # scipy.stats.entropy works along one axis; same numbers
    row = {"op": "entropy", "cells": p.size, "shape": str(p.shape).replace(" ", "")}
    row["ours"], ours = best_time(lambda: measures.entropy(p), repeats)
    row["scipy"], sc = best_time(lambda: scipy.stats.entropy(flat, base=2), repeats)
    peers = [sc]
    row["dit_array"] = row["dit"] = None
    if dit is not None:
        row["dit_array"], da = best_time(lambda: dit_entropy_pmf(flat), repeats)
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
    row["ours"], ours = best_time(lambda: measures.mutual_information(p, 0, 1), repeats)

    def scipy_mi():
        h = scipy.stats.entropy
        return h(p.sum(axis=1), base=2) + h(p.sum(axis=0), base=2) - h(p.ravel(), base=2)

    row["scipy"], sc = best_time(scipy_mi, repeats)
    peers = [sc]
    row["dit_array"] = None
    row["dit_build"], d = dit_object(p, dit_max)
    row["dit"] = None
    if d is not None:
        row["dit"], dv = best_time(lambda: dit_mutual_information(d, [0], [1]), repeats)
        peers.append(float(dv))
    row["diff"] = max(abs(ours - v) for v in peers)
    return row


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="sizes 1e4 .. 1e6 only")
    ap.add_argument("--dit-max-cells", type=float, default=1e5, help="largest pmf given to dit.Distribution")
    args = ap.parse_args(argv)
    sizes = [10**4, 10**5, 10**6] + ([] if args.quick else [10**7])
    dit_max = int(args.dit_max_cells)

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"dit {getattr(dit, '__version__', 'not installed')}, semtheory (this tree)"
    )
    print(f"dit.Distribution built only up to {dit_max:.0e} cells (order 10 us per cell); larger sizes: n/a.")
    print("times: best of repeats; 'dit build' = Distribution.from_ndarray, once; diff = max |ours - peer| in bits\n")
    head = f"{'op':8s} {'cells':>9s} {'shape':>12s} | {'ours':>12s} {'scipy':>12s} {'dit (array)':>12s} {'dit (object)':>12s} {'dit build':>12s} | {'max |diff|':>10s}"
    print(head)
    print("-" * len(head))
    t_start = time.perf_counter()
    for bench in (bench_entropy, bench_mi):
        for n in sizes:
            repeats = 5 if n <= 10**5 else (3 if n <= 10**6 else 2)
            r = bench(n, dit_max, repeats)
            print(
                f"{r['op']:8s} {r['cells']:9.0e} {r['shape']:>12s} | {fmt(r['ours']):>12s} {fmt(r['scipy']):>12s} "
                f"{fmt(r['dit_array']):>12s} {fmt(r['dit']):>12s} {fmt(r['dit_build']):>12s} | {r['diff']:10.1e}",
                flush=True,
            )
    if dit is not None:
        flat = joint_pmf(10**4).ravel()
        t1, _ = best_time(lambda: dit.Distribution.from_ndarray(flat), 1)
        print(f"\ndit.Distribution.from_ndarray of the same 1e4 cells as a 1-D pmf: {t1:.2f} s "
              f"(as a 100x100 joint: {_DIT_CACHE[10**4][0]:.2f} s)")
    print(f"total {time.perf_counter() - t_start:.1f} s")
    print(
        "notes: ours validates the pmf (finite, non-negative, sums to 1) on every call and computes MI as one\n"
        "sum of log-ratios (exactly 0 under independence); scipy.stats.entropy silently renormalises and does\n"
        "not validate; dit's entropy_pmf is nansum(-p log2 p); dit's MI is H(X) + H(Y) - H(X,Y) on its object."
    )


if __name__ == "__main__":
    main()
