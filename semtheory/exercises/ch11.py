"""Exercise answers for chapter 11 (the ELBO).

Every reference answer is computed with :mod:`semtheory.elbo`; nothing is typed in.
"""

import math

import numpy as np

from . import answer

#: The HMM and observation of ex-11-log-evidence and ex-11-mean-field-gap.
INIT = (0.6, 0.4)
TRANS = ((0.9, 0.1), (0.2, 0.8))
EMIT = ((0.7, 0.2, 0.1), (0.1, 0.3, 0.6))
X = (0, 0, 2, 2)


def _hmm():
    from ..elbo import make_hmm

    return make_hmm(INIT, TRANS, EMIT)


@answer("ex-11-log-evidence", units="nats", rtol=1e-4, hint="forward recursion in the log domain, or sum p(x, z) over all 16 paths")
def _log_evidence():
    from ..elbo import log_evidence

    return log_evidence(_hmm(), np.array(X), base=math.e)


@answer("ex-11-prior-gap", units="nats", rtol=1e-3,
        hint="the gap of q(z|x) = p(z) is KL(p(z) || p(z|x)) = log p(x) - E_p(z)[log p(x|z)]")
def _prior_gap():
    from ..elbo import log_prior, elbo_gap, log_joint

    lj = log_joint(_hmm(), np.array(X))
    return elbo_gap(lj, np.exp(log_prior(_hmm(), len(X))), base=math.e)


@answer("ex-11-iwae-two", units="nats", rtol=1e-4,
        hint="average ln((w_1 + w_2)/2) over the 16 x 16 pairs of paths drawn from the prior, w = p(x, z)/p(z)")
def _iwae_two():
    from ..elbo import iwae_bound_exact, log_joint, log_prior

    lj = log_joint(_hmm(), np.array(X))
    return iwae_bound_exact(lj, np.exp(log_prior(_hmm(), len(X))), 2, base=math.e)


@answer("ex-11-cavi-gap", units="nats", rtol=1e-3,
        hint="run elbo.cavi_mean_field(hmm, x, n_iter=50, seed=0) and subtract its last ELBO from ln p(x^4)")
def _cavi_gap():
    from ..elbo import cavi_mean_field

    r = cavi_mean_field(_hmm(), np.array(X), n_iter=50, seed=0)
    return r.log_evidence - float(r.elbos[-1])


@answer("ex-11-em-step", units="nats", rtol=1e-4,
        hint="one Baum-Welch step from the HMM itself on the single sequence x^4; the gain is ln p_new(x^4) - ln p_old(x^4)")
def _em_step():
    from ..elbo import baum_welch

    r = baum_welch(_hmm(), [np.array(X)], n_iter=1)
    return float(r.log_likelihoods[1] - r.log_likelihoods[0])
