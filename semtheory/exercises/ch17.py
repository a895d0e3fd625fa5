"""Exercise answers for chapter 17 (conclusion: exercises that span the book).

Each exercise combines two or more chapters; every reference answer is computed with the chapters'
modules (:mod:`semtheory.directed`, :mod:`semtheory.granger`, :mod:`semtheory.energy`,
:mod:`semtheory.ratedistortion`, :mod:`semtheory.generalization`, :mod:`semtheory.capacity`,
:mod:`semtheory.synthesis`); nothing is typed in.
"""

import math

from . import answer

#: Exercise ex-17-attention-perplexity: stored patterns (rows), the query and the inverse temperature.
PATTERNS = ((1.0, 0.0), (0.0, 1.0), (-0.6, -0.8), (0.6, 0.8))
QUERY = (0.5, 0.2)
BETA = 4.0


@answer("ex-17-one-law", units="bits", rtol=1e-6, atol=1e-9,
        hint="directed information (chapter 3) minus the transfer part sum_t I(X^{t-1}; Y_t | Y^{t-1}) (chapter 8)")
def _one_law():
    from ..directed import markov_pair_law
    from ..directed import directed_information_decomposition
    from ..granger import coupled_pair_transition

    law = markov_pair_law(coupled_pair_transition(lagged=0.5, flip=0.2), 3)
    return directed_information_decomposition(law).instantaneous


@answer("ex-17-attention-perplexity", units="patterns", rtol=1e-6,
        hint="attention weights are a Boltzmann law with energies -x_j.xi at temperature 1/beta; perplexity = 2^H")
def _attention_perplexity():
    import numpy as np

    from ..energy import attention_weights
    from ..measures import perplexity

    return perplexity(attention_weights(np.array(QUERY), np.array(PATTERNS), BETA))


@answer("ex-17-reward-is-distortion", units="bits per instruction", rtol=1e-3,
        hint="reward = n - Hamming distortion, so the reward temperature beta is a Blahut-Arimoto slope 1/beta (nats)")
def _reward_is_distortion():
    from ..ratedistortion import blahut_arimoto, hamming_distortion

    return blahut_arimoto([0.2, 0.8], hamming_distortion(2), 1.0 / 0.5, tol=1e-12).rate


@answer("ex-17-capacity-bound", units="nats", rtol=1e-4,
        hint="sqrt(2 sigma^2 I / n) with I = P ln 2, n = P = alpha_c(0) N, sigma = (sup loss)/2")
def _capacity_bound():
    from ..capacity import gardner_alpha
    from ..generalization import cross_entropy_sup_given_range, hoeffding_sigma, mi_generalization_bound

    P = int(round(gardner_alpha(0.0) * 50))
    sigma = hoeffding_sigma(0.0, float(cross_entropy_sup_given_range(2, 4.0)))
    return mi_generalization_bound(P * math.log(2), P, sigma, base=math.e)


@answer("ex-17-natural-bounds", units="probability", rtol=1e-6, atol=1e-9,
        hint="(P(X=1, Y=1), P(X=1, Y=1) + 1 - P(X=1)), from the observational law of (X, Y) only")
def _natural_bounds():
    from ..granger import confounded_scm
    from ..synthesis import natural_bounds

    law = confounded_scm(0.1, 0.2).joint().sum(axis=0)      # law of (X, Y); Z marginalised
    return tuple(natural_bounds(law, x=1, y=1))
