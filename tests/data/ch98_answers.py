"""Answers of the throw-away test chapter (tests/data/98-throwaway.md), registered like a chapter's chNN.py.

Not part of the package: tests import it, and `make grade-demo` passes it to the grader with `--answers`.
"""

from semtheory.exercises import answer


@answer("ex-98-coin-entropy", units="bits", rtol=1e-3, hint="the binary entropy at 0.2")
def _coin_entropy():
    from semtheory.measures import binary_entropy

    return float(binary_entropy(0.2))


@answer("ex-98-kl-coins", units="bits", rtol=1e-3, hint="KL from a fair coin = 1 - h(p)")
def _kl_coins():
    from semtheory.measures import kl_divergence

    return kl_divergence([0.2, 0.8], [0.5, 0.5])
