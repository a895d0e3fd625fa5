"""Exercise answers for chapter 4 (the probabilistic model of an LLM).

Every reference answer is computed with :mod:`semtheory.channel` and :mod:`semtheory.directed`; nothing is
typed in.  Students check with ``check("ex-04-...", value)``.
"""

import numpy as np

from . import answer

#: The two-token Markov model of the greedy-versus-mode exercise (rows: previous token).
GREEDY_TABLE = ((0.55, 0.45), (0.05, 0.95))


@answer("ex-04-free-energy", units="energy units (nats)", rtol=1e-4, hint="F = -T log sum_v exp(-E_v / T)")
def _free_energy():
    from ..channel import free_energy

    return free_energy([0.0, 1.0, 3.0], 0.5)


@answer("ex-04-top-p-cost", units="bits", rtol=1e-4, hint="the KL cost of a truncation is -log2 of the mass it keeps")
def _top_p_cost():
    from ..channel import decoding_cost

    return decoding_cost(np.log([0.5, 0.2, 0.15, 0.1, 0.05]), top_p=0.8, base=2).kl


@answer(
    "ex-04-greedy-vs-mode",
    units="probabilities (greedy, mode)",
    rtol=1e-6,
    hint="enumerate the four continuations; greedy commits to the best first token",
)
def _greedy_vs_mode():
    from ..channel import DecodedLM, MarkovLM, sequence_law

    lm = MarkovLM(np.array(GREEDY_TABLE))
    law = sequence_law(lm, 2, prompt=[0])
    greedy = sequence_law(DecodedLM(lm, greedy=True), 2, prompt=[0])
    return np.array([float(law[np.unravel_index(greedy.argmax(), greedy.shape)]), float(law.max())])


@answer(
    "ex-04-feedback-reverse",
    units="bits",
    rtol=1e-4,
    hint="conservation: the reverse term is I(X^n;Y^n) - I(X^n -> Y^n)",
)
def _feedback_reverse():
    from ..channel import MarkovLM, echo_inputs, interaction_law
    from ..directed import reverse_directed_information

    lm = MarkovLM.random(2, order=2, seed=7)
    return reverse_directed_information(interaction_law(lm, echo_inputs([0.5, 0.5], 0.6), 3))


@answer(
    "ex-04-sequence-temperature",
    units="bits",
    rtol=1e-4,
    hint="token-level tempering renormalises at every step; sequence-level tempering renormalises once",
)
def _sequence_temperature():
    from ..channel import DecodedLM, MarkovLM, boltzmann, sequence_law
    from ..measures import kl_divergence

    lm = MarkovLM.random(3, order=1, seed=4, concentration=0.5)
    law = sequence_law(lm, 3)
    token_level = sequence_law(DecodedLM(lm, temperature=0.5), 3)
    sequence_level = boltzmann(-np.log(law).ravel(), 0.5).reshape(law.shape)
    return kl_divergence(token_level, sequence_level, base=2)



@answer(
    "ex-04-frontier-top2",
    units="bits",
    rtol=1e-4,
    hint="find T with H(q_T) = H(top-2 law), then subtract the two KL costs",
)
def _frontier_top2():
    from ..channel import frontier_gap, top_k_map

    z = np.log([0.5, 0.2, 0.15, 0.1, 0.05])
    return frontier_gap(z, top_k_map(z, 2), base=2)
