"""Exercise answers for chapter 2 (the information toolkit).

Every reference answer is computed with :mod:`semtheory.measures`; nothing is typed in.
"""

import numpy as np

from . import answer


@answer("ex-02-die-entropy", units="bits", rtol=1e-3, hint="six equally likely faces: log2 of what?")
def _die_entropy():
    from ..measures import entropy

    return entropy(np.full(6, 1 / 6))


@answer(
    "ex-02-kl-asymmetry",
    units="bits",
    rtol=1e-3,
    hint="answer a pair (D(p||q), D(q||p)); the two directions differ",
)
def _kl_asymmetry():
    from ..measures import kl_divergence

    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    return (kl_divergence(p, q), kl_divergence(q, p))


@answer("ex-02-fano-error", units="probability", rtol=1e-3, hint="invert h(P) + P log2(7) = 1.5 on [0, 7/8]")
def _fano_error():
    from ..measures import fano_error_lower_bound

    return fano_error_lower_bound(1.5, 8)


@answer(
    "ex-02-plugin-bias",
    units="bits",
    rtol=1e-3,
    hint="sum over the binomial law of each count; the answer is negative",
)
def _plugin_bias():
    from ..measures import plugin_bias

    return plugin_bias(np.full(4, 0.25), 10)


@answer(
    "ex-02-jackknife-bias",
    units="bits",
    rtol=1e-3,
    hint="N b_N - (N - 1) b_(N-1), with b the exact plug-in bias; here the answer is positive (the jackknife overshoots)",
)
def _jackknife_bias():
    from ..measures import estimator_bias

    return estimator_bias(np.full(4, 0.25), 10, "jackknife")


@answer(
    "ex-02-typical-exponent",
    units="bits per symbol",
    rtol=1e-3,
    hint="(1/n) log2 of the number of sequences in the typical set; between H - eps and H + eps",
)
def _typical_exponent():
    from ..measures import typical_set

    t = typical_set([0.3, 0.7], 200, 0.05)
    return t.log_size / t.n
