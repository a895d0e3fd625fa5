"""Benchmark: Gaussian Granger causality / transfer entropy (semtheory.granger) vs statsmodels.

Same data, same lags.  statsmodels' ``grangercausalitytests(data, [p])`` tests whether the *second*
column Granger-causes the *first*, so it is given ``np.column_stack([target, source])``.  Printed per
(N, lags): wall times, the ssr F-statistics and p-values, and Geweke's measure three ways:
ln(SSR_r/SSR_f) from statsmodels' two OLS fits, ``geweke_granger`` and ``2 * transfer_entropy_gaussian``
(log-determinant route), next to the population value ``2 * transfer_entropy_var``.

Run:  .venv/bin/python benchmarks/granger.py  [--quick]
statsmodels is a benchmark-only dependency, in the ``bench`` extra (``.venv/bin/pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np

from semtheory import granger as g
from _timing import best_time  # noqa: E402 - benchmarks/ is on sys.path

# X (component 0) drives Y (component 1) through two lags; Y feeds back weakly on X
COEFS = np.array(
    [
        [[0.5, 0.1], [0.3, 0.2]],
        [[-0.2, 0.0], [0.2, 0.1]],
    ]
)
NOISE = np.array([[1.0, 0.3], [0.3, 1.0]])


def best_of(fn, repeats):
    return best_time(fn, repeats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N up to 1e5 only")
    args = ap.parse_args()
    try:
        from statsmodels.tsa.stattools import grangercausalitytests
    except ImportError:  # pragma: no cover - benchmark only
        raise SystemExit("statsmodels is not installed: .venv/bin/pip install -c .ci/constraints.txt statsmodels")

    sizes = [10**4, 10**5] if args.quick else [10**4, 10**5, 10**6]
    lag_list = [1, 2, 5]
    print(f"VAR(2) with X -> Y (and weak Y -> X), correlated noise; spectral radius {g.spectral_radius(COEFS):.3f}")
    hdr = (
        f"{'N':>8} {'lags':>4} {'dir':>4} | {'t_ours':>7} {'t_sm':>7} | {'F-stat ours':>12} {'F-stat sm':>12} "
        f"{'rel.diff':>8} | {'p ours':>9} {'p sm':>9} | {'lnSSR sm':>9} {'Geweke':>9} {'2*TE':>9} {'pop 2TE':>9}"
    )
    print(hdr)
    print("-" * len(hdr))
    worst = 0.0
    for N in sizes:
        X = g.simulate_var(COEFS, N, NOISE, seed=N)
        for lags in lag_list:
            for name, (src, tgt) in (("X>Y", (0, 1)), ("Y>X", (1, 0))):
                s, t = X[:, src], X[:, tgt]
                reps = 3 if N <= 10**5 else 1

                def ours():
                    test = g.granger_test(source=s, target=t, lags=lags)
                    te = g.transfer_entropy_gaussian(source=s, target=t, k=lags, base=math.e)
                    return test, te

                t_ours, (test, te) = best_of(ours, reps)
                geweke = g.geweke_granger(source=s, target=t, lags=lags, base=math.e)

                def sm():
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        return grangercausalitytests(np.column_stack([t, s]), [lags])

                t_sm, res = best_of(sm, reps)
                f_sm, p_sm = res[lags][0]["ssr_ftest"][:2]
                fits = res[lags][1]
                ln_sm = math.log(fits[0].ssr / fits[1].ssr)
                pop = 2 * g.transfer_entropy_var(COEFS, NOISE, source_index=src, target_index=tgt, k=lags, base=math.e)
                rel = abs(test.f_statistic - f_sm) / abs(f_sm)
                worst = max(worst, rel, abs(ln_sm - geweke) / max(ln_sm, 1e-300), abs(2 * te - geweke) / max(geweke, 1e-300))
                print(
                    f"{N:>8} {lags:>4} {name:>4} | {t_ours:7.3f} {t_sm:7.3f} | {test.f_statistic:12.5g} {f_sm:12.5g} "
                    f"{rel:8.1e} | {test.p_value:9.2e} {p_sm:9.2e} | {ln_sm:9.6f} {geweke:9.6f} {2 * te:9.6f} {pop:9.6f}"
                )
    print(f"\nlargest relative disagreement (F-statistic, ln SSR ratio, 2*TE vs Geweke): {worst:.1e}")
    print("statsmodels runs the restricted and full OLS fits for the same lags; times are best of 3 (1 at N = 1e6).")


if __name__ == "__main__":
    main()
