"""Exercise answers for chapter 5 (pre-training: the directed rate-distortion function).

Every reference answer is computed with :mod:`semtheory.ratedistortion`; nothing is typed in.
"""

from . import answer


@answer("ex-05-binary-rd", units="bits", rtol=1e-4, hint="R(D) = h(p) - h(D) below D = min(p, 1 - p)")
def _binary_rd():
    from ..ratedistortion import binary_hamming_rd

    return binary_hamming_rd(0.2, 0.05)


@answer(
    "ex-05-ba-distortion",
    units="(error probability)",
    rtol=1e-4,
    hint="the point of slope -beta (nats) of h(p) - h(D) has D = 1/(1 + e^beta)",
)
def _ba_distortion():
    from ..ratedistortion import blahut_arimoto, hamming_distortion

    return blahut_arimoto([0.8, 0.2], hamming_distortion(2), 2.0, tol=1e-12).distortion


@answer(
    "ex-05-gauss-markov-gap",
    units="bits per sample",
    rtol=1e-4,
    hint="sequential rate 1/2 log2(a^2 + sigma_w^2/D) minus the classical rate from spectral water-filling",
)
def _gauss_markov_gap():
    from ..ratedistortion import gauss_markov_rd, gauss_markov_sequential_rd

    a, w, D = 0.9, 0.19, 0.1
    return gauss_markov_sequential_rd(a, w, D) - gauss_markov_rd(a, w, D)


@answer(
    "ex-05-bigram-point",
    units="bits per token",
    rtol=1e-4,
    hint="a calibrated predictor sits on the line R = H(X) - D; its rate is I(X_t; X_{t-1})",
)
def _bigram_point():
    from ..channel import sequence_law
    from ..ratedistortion import log_loss_point
    from ..sources import MarkovSource

    src = MarkovSource.two_state(0.1, 0.3)
    return log_loss_point(sequence_law(src, 2)).rate


@answer(
    "ex-05-ib-merge",
    units="bits",
    rtol=1e-4,
    hint="the merged cell predicts with p(y|t) = the average of the merged rows; average the two KL terms",
)
def _ib_merge():
    import numpy as np

    from ..ratedistortion import bottleneck_distortion

    p_xy = np.array([[0.9, 0.1], [0.5, 0.5], [0.1, 0.9]]) / 3
    return bottleneck_distortion(p_xy, [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]).expected
