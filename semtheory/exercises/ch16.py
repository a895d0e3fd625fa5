"""Exercise answers for chapter 16 (LLaDA: masked diffusion language models).

Every reference answer is computed with :mod:`semtheory.diffusion` (and :mod:`semtheory.directed`); nothing is
typed in.
"""

import numpy as np

from . import answer


def _pair_law():
    return np.array([[0.4, 0.1], [0.2, 0.3]])


def _two_state_law():
    from ..channel import sequence_law
    from ..sources import MarkovSource

    return sequence_law(MarkovSource.two_state(0.1, 0.3), 4)


@answer("ex-16-weight", units="(dimensionless weight)", rtol=1e-9,
        hint="integrate (1/t) t^k (1-t)^(n-k) over [0, 1] with n = 5, k = 2")
def _weight():
    from ..diffusion import mask_patterns, mask_weights

    w = mask_weights(5)
    m = mask_patterns(5)
    return float(w[np.nonzero((m == [True, True, False, False, False]).all(axis=1))[0][0]])


@answer("ex-16-context-free", units="bits per sequence", rtol=1e-6,
        hint="every masked token is predicted by its own marginal, whatever is visible")
def _context_free():
    from ..diffusion import llada_loss, marginal_predictor

    p = _pair_law()
    return llada_loss(p, marginal_predictor(p), base=2)


@answer("ex-16-one-step", units="bits", rtol=1e-6,
        hint="one step reveals all four tokens at once, each from its law given nothing")
def _one_step():
    from ..diffusion import exact_conditionals, sampler_law
    from ..measures import kl_divergence

    p = _two_state_law()
    return kl_divergence(p, sampler_law(exact_conditionals(p), 1), base=2)


@answer("ex-16-direction", units="bits", rtol=1e-6,
        hint="right-to-left order: the conservation law puts everything in the reverse term")
def _direction():
    from ..directed import reverse_directed_information
    from ..diffusion import step_joint_law

    return reverse_directed_information(step_joint_law(_two_state_law(), (3, 2, 1, 0), {0, 1}), base=2)


@answer("ex-16-floor", units="bits squared", rtol=2e-3,
        hint="only the patterns with one masked token make the second moment grow, like log(1/floor)")
def _floor():
    from ..diffusion import estimator_moments, marginal_predictor

    p = _pair_law()
    q = marginal_predictor(p)
    return estimator_moments(p, q, t_min=1e-6).variance - estimator_moments(p, q, t_min=1e-3).variance
