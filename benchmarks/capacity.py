"""Benchmark for chapter 13 (semtheory.capacity): LP separability sweep and Hopfield retrieval simulation.

Run:  .venv/bin/python benchmarks/capacity.py          (about 1-3 minutes on 2 cores)

Prints two tables:

1. LP separability at P = 2N (the transition point of Cover's theorem): seconds per linear program
   (``scipy.optimize.linprog``, HiGHS dual simplex, P x N dense constraints) and the empirical
   separable fraction, which Cover's theorem puts at exactly 1/2 for every N.
2. Hebbian Hopfield retrieval at loads alpha = 0.10 and 0.20 (below and above the AGS capacity 0.138),
   asynchronous and synchronous zero-temperature dynamics from the stored patterns: seconds per
   network (10 probes) and the mean final overlap m.  Above alpha_c the final overlap is that of the
   metastable state the dynamics stops in, not the equilibrium value 0 of the replica-symmetric theory:
   it falls with N and levels off well above 0 (chapter 13, fig-13-hopfield).
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from semtheory import capacity as c


def lp_table(plan=((25, 200), (50, 200), (100, 60), (200, 20), (400, 6))):
    print("LP separability at P = 2N (Cover: fraction = 1/2 exactly)")
    print(f"{'N':>6} {'P':>6} {'trials':>7} {'s/LP':>9} {'fraction':>9} {'±1 s.e.':>8}")
    rng = np.random.default_rng(0)
    for N, trials in plan:
        P = 2 * N
        times, hits = [], 0
        for _ in range(trials):
            X = c.random_patterns(P, N, seed=rng)
            y = rng.choice([-1.0, 1.0], size=P)
            t0 = time.perf_counter()
            hits += c.is_linearly_separable(X, y)
            times.append(time.perf_counter() - t0)
        f = hits / trials
        print(f"{N:>6} {P:>6} {trials:>7} {np.mean(times):>9.4f} {f:>9.3f} {math.sqrt(0.25 / trials):>8.3f}")
        sys.stdout.flush()


def hopfield_table(sizes=(100, 300, 1000, 2000), alphas=(0.10, 0.20)):
    print("\nHebbian Hopfield retrieval from the stored patterns (AGS: alpha_c = "
          f"{c.hopfield_rs_capacity().alpha:.4f}); 10 probes per network")
    print(f"{'N':>6} {'alpha':>6} {'P':>5} {'mode':>6} {'s/network':>10} {'mean m':>7} {'RS m':>6}")
    for N in sizes:
        for alpha in alphas:
            P = int(round(alpha * N))
            for mode in ("async", "sync"):
                t0 = time.perf_counter()
                m = c.hopfield_retrieval(N, P, repeats=1, probes=10, mode=mode, seed=N)
                dt = time.perf_counter() - t0
                rs = c.hopfield_rs_overlap(alpha)
                print(f"{N:>6} {alpha:>6.2f} {P:>5} {mode:>6} {dt:>10.3f} {m.mean():>7.3f} {rs:>6.3f}")
                sys.stdout.flush()


def dam_table():
    print("\nOne-step retrieval capacity (50% of 32 probes, cues with 20% flipped bits)")
    print(f"{'model':>8} {'N':>4} {'P*':>7} {'theory':>9} {'s':>7}")
    for label, kw, Ns in (("x^3", dict(interaction="poly", degree=3), (20, 40, 80)),
                          ("exp", dict(interaction="exp"), (20, 30, 40))):
        for N in Ns:
            t0 = time.perf_counter()
            P = c.dam_empirical_capacity(N, rho=0.2, seed=1, **kw)
            dt = time.perf_counter() - t0
            th = (c.dense_capacity(N, 3, rho=0.2, level=0.5) if label == "x^3"
                  else c.exponential_capacity(N, rho=0.2, criterion="typical"))
            print(f"{label:>8} {N:>4} {P:>7} {th:>9.1f} {dt:>7.2f}")


if __name__ == "__main__":
    t0 = time.perf_counter()
    lp_table()
    hopfield_table()
    dam_table()
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")
