"""Exercise answers for chapter 14 (semantic information measures of a trained Transformer).

Every reference answer is computed with :mod:`semtheory` (sources, channel, directed, flow, semantic, energy);
nothing is typed in.
"""

import math

import numpy as np

from . import answer


def _two_token_model():
    from ..channel import MarkovLM

    return MarkovLM(np.array([[0.9, 0.1], [0.2, 0.8]]), initial=np.array([0.5, 0.5]))


@answer("ex-14-source-perplexity", units="tokens (perplexity)", rtol=1e-6,
        hint="2 to the power of the entropy rate, in bits per token")
def _source_perplexity():
    from ..transformer import markov_source

    return 2.0 ** markov_source(seed=0).entropy_rate(base=2)


@answer("ex-14-density-by-hand", units="bits", rtol=1e-6, atol=1e-9,
        hint="log2 P(y1 | x) / sum_x' P(x') P(y1 | x')")
def _density_by_hand():
    from ..flow import exact_flow
    from ..semantic import prompt_flow_law

    law = prompt_flow_law(_two_token_model(), np.array([[0], [1]]), 1)
    return float(exact_flow(law).iota[1, 0, 0])  # prompt x = 1, first token y1 = 0


@answer("ex-14-source-di", units="bits", rtol=1e-6, atol=1e-9,
        hint="an order-2 source forgets all but the last two prompt tokens, and two outputs replace them")
def _source_di():
    from ..channel import prompt_generation_law, sequence_law
    from ..directed import directed_information
    from ..transformer import markov_source

    src = markov_source(seed=0)
    return directed_information(prompt_generation_law(src, sequence_law(src, 3), 4))


@answer("ex-14-rao-blackwell", units="ratio of variances", rtol=1e-5,
        hint="exact_flow gives Lambda_n and A_n on every outcome; weight their squares by the law")
def _rao_blackwell():
    from ..flow import exact_flow
    from ..semantic import prompt_flow_law

    law = prompt_flow_law(_two_token_model(), np.array([[0], [1]]), 3, weights=[0.3, 0.7])
    f = exact_flow(law)
    w = law[..., None]
    var = lambda z: float((w * z**2).sum() - (w * z).sum() ** 2)  # noqa: E731
    return var(f.Lambda[..., -1:]) / var(f.A[..., -1:])


@answer("ex-14-echo-feedback", units="(bits, bits)", rtol=1e-6, atol=1e-9,
        hint="the pure echo makes X_{t+1} = Y_t: H(Y^n) = 1 + (n-1) h(eps), and X^n already contains Y^{n-1}")
def _echo_feedback():
    from ..channel import MarkovLM, interaction_law
    from ..directed import directed_information, sequence_mutual_information
    from ..semantic import echo_user

    eps = 0.1
    bsc = MarkovLM(np.array([[1 - eps, eps], [eps, 1 - eps]]), initial=np.array([0.5, 0.5]))
    law = interaction_law(bsc, echo_user(2, 1.0), 3)
    return (directed_information(law), sequence_mutual_information(law))


@answer("ex-14-shorter-memory", units="bits per token", rtol=1e-6, atol=1e-9,
        hint="the best first-order model predicts with P(x_3 | x_2) of the stationary law; the gap is I(X_1; X_3 | X_2)")
def _shorter_memory():
    from ..semantic import markov_order_gap
    from ..transformer import markov_source

    return markov_order_gap(markov_source(seed=0), 1)


@answer("ex-14-semantic-bias", units="bits", rtol=1e-4, atol=1e-6,
        hint="E H_hat = sum_j C(M, j) p^j (1-p)^(M-j) h(j/M); the bias is H(C) minus that")
def _semantic_bias():
    from ..measures import entropy

    p, M = 0.7, 10
    mean = sum(math.comb(M, j) * p**j * (1 - p) ** (M - j) * entropy([j / M, 1 - j / M]) for j in range(M + 1))
    return entropy([p, 1 - p]) - mean
