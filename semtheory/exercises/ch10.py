"""Exercise answers for chapter 10 (the AR-LLM as a Boltzmann distribution; attention derived, the decoder assembled).

Every reference answer is computed with :mod:`semtheory.energy` or :mod:`semtheory.transformer`; nothing is
typed in.
"""

from . import answer

#: The three stored patterns and the query of exercises ex-10-hopfield-energy and ex-10-fixed-point-weight.
PATTERNS = ((1.0, 0.0), (0.0, 1.0), (-0.6, -0.8))
QUERY = (0.5, 0.2)


@answer("ex-10-hopfield-energy", rtol=1e-4,
        hint="E = -(1/beta) log sum_j exp(beta x_j.xi) + |xi|^2/2 + (1/beta) log N + M^2/2")
def _hopfield_energy():
    from ..energy import hopfield_energy

    return hopfield_energy(QUERY, PATTERNS, 2.0)


@answer("ex-10-fixed-point-weight", units="", rtol=1e-4,
        hint="iterate xi <- X softmax(beta X^T xi) until it stops moving, then read softmax(beta X^T xi)")
def _fixed_point_weight():
    from ..energy import hopfield_retrieve

    return float(hopfield_retrieve(QUERY, PATTERNS, 4.0, max_iter=1000).weights.max())
