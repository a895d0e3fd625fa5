"""Benchmark for chapter 5 (semtheory.ratedistortion): a whole Blahut–Arimoto R(D) curve next to dit's.

Run:  .venv/bin/python benchmarks/ratedistortion.py          (about 2-4 minutes on 2 cores)

Needs ``dit`` (``.venv/bin/pip install -c .ci/constraints.txt dit==2.3``); without it only our column is
printed.  A last table compares our accelerated iteration (the default) with our plain one
(``accelerate=False``), on the 256-point curve and at the zero-rate end of a three-letter source.

Problem: a discretised standard Gaussian source on ``n`` equally spaced points of [-9, 9] (|X| = |Y| = n),
squared-error distortion, 50 multipliers ``beta`` geometrically spaced in [0.6, 1000] nats per unit of
distortion (from D ~ 0.83 near the zero-rate end down to D ~ 5e-4).

* ours: ``rate_distortion_curve(p, d, betas, tol=1e-9)``: log-domain Blahut–Arimoto, each point from the
  uniform reproduction law, stopped when its certified gap is at most 1e-9 bits (capped at 20000 iterations).
* dit 2.3: ``dit.rate_distortion.blahut_arimoto.blahut_arimoto(p, beta / ln 2, distortion, max_iters=100,
  restarts=1)`` at every beta (dit writes 2^{-beta d}, so its beta is ours / ln 2).  dit's default is 100
  random restarts per beta; one restart (its uniform start) is used here, otherwise dit would take 100
  times longer.  dit stops each restart when two successive distortions agree to ``np.isclose`` (relative
  1e-5) or after ``max_iters`` = 100 iterations (its default).

Columns: seconds for the whole curve (ours, dit), their ratio, and the largest difference in R (bits) at
equal D: for each dit point (D_dit, R_dit) we take R(D_dit) from our curve's certified supporting lines
(``RDCurve.rate_lower``, which equals R(D) to second order near our point of the same slope), so
``dR = R_dit - R(D_dit)`` is dit's excess rate (>= 0 up to our 1e-9 certificate when dit's point is
feasible).  ``bracket`` is the largest width of our own [supporting-line, chord] bracket at those D,
i.e. how well our 50 points pin R(D) there.  ``NaN`` counts the dit points whose rate or distortion is
not finite.

A second table runs both at beta = 1e2, 1e3, 1e4 on the same source with distortion d + 1 (every row
minimum is 1): dit's linear-domain update 2^{-beta d} underflows to 0/0 there.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from semtheory import ratedistortion as rd

BETAS = np.geomspace(0.6, 1000.0, 50)


def problem(n: int):
    x = np.linspace(-9.0, 9.0, n)
    logp = -(x**2) / 2
    p = np.exp(logp - logp.max())
    return p / p.sum(), rd.squared_error_distortion(x)


def ours(p, d):
    t0 = time.perf_counter()
    c = rd.rate_distortion_curve(p, d, BETAS, tol=1e-9, max_iter=20_000)
    return c, time.perf_counter() - t0


def theirs(p, d, betas):
    from dit.rate_distortion.blahut_arimoto import blahut_arimoto

    dist = lambda p_x, q_y_x: d  # noqa: E731  (dit asks for a callable)
    R, D = np.empty(betas.size), np.empty(betas.size)
    t0 = time.perf_counter()
    with np.errstate(all="ignore"):
        for i, b in enumerate(betas):
            res, _ = blahut_arimoto(p, b / math.log(2), distortion=dist, max_iters=100, restarts=1)
            R[i], D[i] = res.rate, res.distortion
    return R, D, time.perf_counter() - t0


def large_beta(n=64, betas=(1e2, 1e3, 1e4)):
    """Both implementations at large beta on a distortion whose row minima are 1 (d + 1: the same curve shifted)."""
    from dit.rate_distortion.blahut_arimoto import blahut_arimoto

    p, d = problem(n)
    d1 = d + 1.0
    print(f"\nlarge beta, n = {n}, distortion d + 1 (every row minimum is 1): finite (R, D)?")
    print(f"{'beta':>8} {'ours R':>10} {'ours D':>10} {'dit R':>10} {'dit D':>10}")
    for b in betas:
        r = rd.blahut_arimoto(p, d1, b, tol=1e-9)
        with np.errstate(all="ignore"):
            res, _ = blahut_arimoto(p, b / math.log(2), distortion=lambda p_x, q: d1, max_iters=100, restarts=1)
        print(f"{b:>8.0e} {r.rate:>10.4f} {r.distortion:>10.4f} {float(res.rate):>10.4f} {float(res.distortion):>10.4f}")


def against_plain(n=256, zero_end=(1e-3, 0.05)):
    """Without dit: the accelerated iteration (default) against our plain Blahut-Arimoto (accelerate=False)."""
    p, d = problem(n)
    print(f"\nours, accelerated vs plain (accelerate=False), n = {n}, tol = 1e-9 bits, 20000 iterations at most")
    t0 = time.perf_counter()
    fast = rd.rate_distortion_curve(p, d, BETAS, tol=1e-9, max_iter=20_000)
    t1 = time.perf_counter()
    slow = rd.rate_distortion_curve(p, d, BETAS, tol=1e-9, max_iter=20_000, accelerate=False)
    t2 = time.perf_counter()
    print(f"  50-beta curve: accelerated {t1 - t0:.2f} s ({int(fast.converged.sum())}/50 certified), plain "
          f"{t2 - t1:.2f} s ({int(slow.converged.sum())}/50), plain/accelerated = {(t2 - t1) / (t1 - t0):.2f}")
    p3 = np.array([0.5, 0.3, 0.2])
    d3 = np.array([[0.0, 1.0, 4.0], [1.0, 0.0, 1.0], [4.0, 1.0, 0.0]])
    for b in zero_end:  # near the zero-rate end the plain iteration is sublinear
        t0 = time.perf_counter()
        a = rd.blahut_arimoto(p3, d3, b, tol=1e-9)
        t1 = time.perf_counter()
        q = rd.blahut_arimoto(p3, d3, b, tol=1e-9, accelerate=False)
        t2 = time.perf_counter()
        print(f"  3-letter source, beta = {b:g}: accelerated {a.iterations} it {t1 - t0:.3f} s, plain "
              f"{q.iterations} it {t2 - t1:.3f} s, ratio {(t2 - t1) / (t1 - t0):.0f}")


def main(sizes=(64, 256, 1024)):
    try:
        import dit

        have_dit = True
        print(f"dit {dit.__version__}: blahut_arimoto(max_iters=100, restarts=1); ours: tol = 1e-9 bits (certified)")
    except ImportError:
        have_dit = False
        print("dit is not installed: only our column (pip install -c .ci/constraints.txt dit==2.3)")
    print(f"source: discretised N(0,1) on n points of [-9, 9], squared error, {BETAS.size} betas in "
          f"[{BETAS[0]:g}, {BETAS[-1]:g}]")
    print(f"{'n':>6} {'ours s':>9} {'iters':>7} {'conv':>5} {'dit s':>9} {'dit/ours':>9} {'max dR bits':>12} "
          f"{'bracket':>9} {'NaN':>4}")
    sys.stdout.flush()
    for n in sizes:
        p, d = problem(n)
        c, t_ours = ours(p, d)
        line = f"{n:>6} {t_ours:>9.2f} {int(c.iterations.sum()):>7} {int(c.converged.sum()):>2}/{len(c):<2}"
        if have_dit:
            R, D, t_dit = theirs(p, d, BETAS)
            ok = np.isfinite(R) & np.isfinite(D)
            low = c.rate_lower(D[ok])
            high = c.rate_at(D[ok])
            dR = np.max(np.abs(R[ok] - low)) if ok.any() else math.nan
            bracket = np.max(high - low) if ok.any() else math.nan
            line += f" {t_dit:>9.2f} {t_dit / t_ours:>9.2f} {dR:>12.2e} {bracket:>9.1e} {int((~ok).sum()):>4}"
        print(line)
        sys.stdout.flush()
    if have_dit:
        large_beta()
    against_plain()


if __name__ == "__main__":
    main()
