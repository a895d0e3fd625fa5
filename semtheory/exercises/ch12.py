"""Exercise answers for chapter 12 (generalisation error bounds).

Every reference answer is computed with :mod:`semtheory.generalization`; nothing is typed in.
"""

import math

import numpy as np

from . import answer


@answer("ex-12-logit-budget", units="nats", rtol=1e-6,
        hint="(log K + B) sqrt(I / (2n)) with K = 50000, B = 20, I = 5 nats, n = 10^6")
def _logit_budget():
    from ..generalization import logit_sum_bound

    return logit_sum_bound(5.0, 10**6, 50_000, 20.0, base=math.e)


@answer("ex-12-worst-loss", units="nats", rtol=1e-6,
        hint="r + log(K - 1 + e^{-r}) with K = 4, r = 3")
def _worst_loss():
    from ..generalization import cross_entropy_sup_given_range

    return float(cross_entropy_sup_given_range(4, 3.0))


@answer("ex-12-gibbs-mi", units="nats", rtol=1e-4, atol=1e-8,
        hint="gibbs_study(p_xy, random_hypotheses(16, 2, 2, 2.0, seed=0), n=10, beta=1.0, base=math.e).mutual")
def _gibbs_mi():
    from ..generalization import gibbs_study, random_hypotheses

    p_xy = np.array([[0.4, 0.1], [0.2, 0.3]])
    return gibbs_study(p_xy, random_hypotheses(16, 2, 2, 2.0, seed=0), 10, 1.0, repeats=2, seed=0, base=math.e).mutual


@answer("ex-12-erm-information", units="nats", rtol=1e-4, atol=1e-8,
        hint="ERM is deterministic, so I(W;S) = H(W): the entropy of the law of argmin_w L_S(w) over datasets")
def _erm_information():
    from ..generalization import gibbs_study, random_hypotheses

    p_xy = np.array([[0.4, 0.1], [0.2, 0.3]])
    return gibbs_study(p_xy, random_hypotheses(16, 2, 2, 2.0, seed=0), 6, math.inf, repeats=2, seed=0, base=math.e).mutual
