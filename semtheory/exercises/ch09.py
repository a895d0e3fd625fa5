"""Exercise answers for chapter 9 (token embedding, eigenvalue weighting, JL, quasi-orthogonality, InfoNCE).

Every reference answer is computed with :mod:`semtheory.embedding` or :mod:`semtheory.measures`; nothing is
typed in.
"""

import math

import numpy as np

from . import answer

#: The toy corpus of exercise ex-09-toy-pmi.
TOY_CORPUS = "the cat sat on the mat and the cat ran"


@answer("ex-09-toy-pmi", units="nats", rtol=1e-4, hint="count ordered pairs at distance 1 in both directions; D is their total")
def _toy_pmi():
    from ..embedding import cooccurrence, pmi_matrix, word_tokens

    wt = word_tokens(TOY_CORPUS)
    C = cooccurrence(wt.ids, len(wt.words), window=1, weighting="uniform")
    return float(pmi_matrix(C, base=math.e)[wt.index("cat"), wt.index("the")])


@answer("ex-09-sgns-optimum", units="nats", rtol=1e-4, hint="the optimum is PMI minus log k")
def _sgns_optimum():
    from ..embedding import sgns_optimal_inner_product

    return sgns_optimal_inner_product(30, 600, 400, 120_000, k=5)


@answer("ex-09-eigenvalue-weighting", units="cosine", rtol=1e-6, hint="the rows of U Sigma^p are (3^p, +-1)/sqrt 2")
def _eigenvalue_weighting():
    from ..embedding import svd_embeddings, to_sphere

    S = to_sphere(svd_embeddings(np.array([[2.0, 1.0], [1.0, 2.0]]), 2, power=1.0).words)
    return float(S[0] @ S[1])


@answer("ex-09-quasi-orthogonal", units="decimal digits (log10 of a count)", rtol=1e-3, hint="e^{d eps^2 / 2} / 4, then log10")
def _quasi_orthogonal():
    from ..embedding import quasi_orthogonal_bound

    return math.log10(quasi_orthogonal_bound(4096, 0.1))


@answer("ex-09-infonce-two", units="nats", rtol=1e-4, hint="when the two candidates carry the same token the batch term is 0")
def _infonce_two():
    from ..embedding import infonce_exact

    a = 0.1
    p = 0.5 * np.array([[1 - a, a], [a, 1 - a]])
    return infonce_exact(p, 2, base=math.e)
