"""Benchmark for chapter 3 (semtheory.directed): directed information of a large law, trapdoor feedback capacity.

Run from the repository root::

    .venv/bin/python benchmarks/directed.py            # about half a minute on 2 cores
    .venv/bin/python benchmarks/directed.py --quick    # trapdoor n = 3..8 only

Prints, in one run:

1. Directed information :math:`I(X^n \\to Y^n)` of a random ``2^22``-cell law (n = 11 binary steps; Dirichlet(1),
   seed 0), validation included, beside two bare numpy passes over the *same array*: the entropy pass
   ``-(p * np.log2(p)).sum()`` (one log per cell, the least any exact DI can cost) and a plain numpy DI, the
   sum over t of :math:`H(X^t, Y^{t-1}) - H(X^t, Y^t) + H(Y^t) - H(Y^{t-1})` with ``p.sum(axis=...)`` and
   that entropy pass per marginal (no validation).  Times are the best of a few repeats; the ratios are
   ours over each.  The two values must agree to 1e-10 bits.
2. The n-letter feedback capacity of the trapdoor channel (started with ball 0), n = 3..10, at the default
   tolerance ``1e-7`` bits per use: seconds, the certified interval ``[rate, upper]``, its width, the
   iterations and whether it is certified.

The last table has the columns ``what | measured | goal | met?`` that ``benchmarks/run_all.py`` collects for
issue #17.
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

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from semtheory import directed  # noqa: E402
from _timing import best_time  # noqa: E402 - benchmarks/ is on sys.path


def bare_entropy(q: np.ndarray) -> float:
    return float(-(q * np.log2(q)).sum())


def numpy_di(p: np.ndarray, n: int) -> float:
    """Plain numpy DI from prefix entropies (p has no zeros here, so the bare log is safe)."""
    def h(keep):
        drop = tuple(a for a in range(2 * n) if a not in keep)
        return bare_entropy(p.sum(axis=drop) if drop else p)

    total = 0.0
    for t in range(1, n + 1):
        xs, ys = tuple(range(t)), tuple(range(n, n + t))
        total += h(xs + ys[:-1]) - h(xs + ys) + h(ys) - (h(ys[:-1]) if t > 1 else 0.0)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="trapdoor n = 3..8 only")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    print(f"# semtheory.directed benchmark\n\npython {platform.python_version()}, numpy {np.__version__}, "
          f"scipy {scipy.__version__}, semtheory (this tree); {platform.machine()}, {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.1f} at start\n")

    n = 11
    p = np.random.default_rng(0).dirichlet(np.ones(4**n)).reshape((2,) * (2 * n))
    t_ours, di = best_time(lambda: directed.directed_information(p), args.repeats)
    t_bare, _ = best_time(lambda: bare_entropy(p), args.repeats)
    t_ref, di_ref = best_time(lambda: numpy_di(p, n), max(1, args.repeats // 2))
    assert abs(di - di_ref) <= 1e-10, (di, di_ref)
    print("## Directed information of a 2^22-cell law (n = 11, binary), validation included\n")
    print("| route | seconds | ours / route |\n|---|---|---|")
    print(f"| semtheory `directed_information` | {t_ours:.4f} | 1.00 |")
    print(f"| bare entropy pass `-(p*log2 p).sum()` | {t_bare:.4f} | {t_ours / t_bare:.2f} |")
    print(f"| plain numpy DI (prefix entropies, no validation) | {t_ref:.4f} | {t_ours / t_ref:.2f} |")
    print(f"\nvalue {di:.12f} bits; numpy reference differs by {abs(di - di_ref):.1e}\n")
    sys.stdout.flush()

    print("## Trapdoor channel, n-letter feedback capacity at the default tol = 1e-7 bits per use\n")
    print("| n | seconds | rate (bits/use) | upper | upper - rate | iterations | certified |\n|---|---|---|---|---|---|---|")
    trap = directed.trapdoor_channel()
    rows = {}
    for k in range(3, (8 if args.quick else 10) + 1):
        ch = directed.finite_state_channel(trap, k, initial_state=0)
        t, fb = best_time(lambda: directed.feedback_capacity(ch), 2 if k <= 8 else 1)
        rows[k] = (t, fb)
        print(f"| {k} | {t:.3f} | {fb.rate:.10f} | {fb.upper:.10f} | {fb.upper - fb.rate:.1e} | {fb.iterations} | "
              f"{'yes' if fb.converged and math.isfinite(fb.rate) else 'no'} |")
        sys.stdout.flush()
    t7 = rows[7][0]
    worst = max(t for t, _ in rows.values())
    ok = all(fb.converged and math.isfinite(fb.rate) for _, fb in rows.values())
    top = max(rows)

    print("\n## Goals (issue #17)\n")
    print("| what | measured | goal | met? |\n|---|---|---|---|")
    print(f"| trapdoor feedback capacity, n = 7 | {t7:.2f} s at n = 7; slowest n <= {top}: {worst:.2f} s; "
          f"{'all' if ok else 'not all'} certified | < 2 s, finite and certified up to n = 10 | "
          f"{'yes' if ok and worst < 2 and top == 10 else 'no'} |")
    print(f"| directed information of a 2^22-cell law (n = 11, binary) | {t_ours:.3f} s "
          f"({t_ours / t_bare:.2f}x the bare entropy pass, {t_ours / t_ref:.2f}x plain numpy DI) | <= 0.1 s | "
          f"{'yes' if t_ours <= 0.1 else 'no'} |")


if __name__ == "__main__":
    main()
