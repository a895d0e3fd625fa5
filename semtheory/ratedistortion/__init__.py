r"""Rate-distortion functions: Blahut–Arimoto in the log domain, closed forms, the directed (nonanticipative)
rate-distortion function of short sequences, Gauss–Markov sources, and pre-training as a log-loss point.

Chapter 5 (pre-training: the directed rate-distortion function).

**Classical.**  For a source :math:`p(x)` and a distortion matrix :math:`d(x, y) \in [0, \infty]` (``+inf``
forbids a pair), Shannon's rate-distortion function is

.. math:: R(D) = \min_{q(y \mid x):\ \mathbb E d(X, Y) \le D} I(X; Y).

For a multiplier :math:`\beta > 0` the Lagrangian :math:`\min_q I(X;Y) + \beta\,\mathbb E d` is minimised by the
Gibbs test channel :math:`q(y \mid x) = q(y) e^{-\beta d(x,y)} / Z(x)`; the Blahut–Arimoto (BA) iteration
alternates that channel with the output marginal :math:`q(y) \leftarrow \sum_x p(x) q(y \mid x)`
(Blahut 1972; Arimoto 1972).  The point it reaches lies on the curve where the slope is
:math:`R'(D) = -\beta` **in nats**: ``beta`` is always in nats per unit of distortion, whatever ``base``
the rates are reported in (``dit`` writes :math:`2^{-\beta d}`, so its :math:`\beta` is ours divided by
:math:`\ln 2`).

Every update here is done in the log domain (output marginals are kept as logs and the exponent is
shifted by each row's minimum distortion), so no :math:`\beta` produces NaN or inf; a linear-domain update
(``q(y) * exp(-beta * d)``) underflows to an all-zero row, hence 0/0, once :math:`\beta \min_y d(x,y)` passes
about 745 (1075 in base 2).  Each BA stop is *certified*: Blahut's lower bound on the Lagrangian gives
``gap`` with :math:`R(D_{\text{achieved}}) \ge \text{rate} - \text{gap}` at the achieved distortion, and the
iteration stops when ``gap <= tol``.

**Directed.**  For a source :math:`P(x^n)` (no feedback) and a causal test channel
:math:`q(y^n \| x^n) = \prod_t q(y_t \mid x^t, y^{t-1})`, the directed rate-distortion function per symbol is

.. math:: R^{\mathrm{DI}}_n(D) = \frac1n \min_{q(y^n \| x^n):\ \frac1n\sum_t \mathbb E d(X_t,Y_t) \le D}
          I(X^n \to Y^n),

the nonanticipative rate-distortion function of Gorbunov & Pinsker (1973) (Charalambous, Stavrou & Ahmed
2014; Tanaka et al. 2017), written with Massey's directed information.  :func:`directed_blahut_arimoto`
solves it exactly for short sequences by alternating minimisation over causally conditioned kernels with a
backward (dynamic-programming) recursion, and certifies the result with a Frank–Wolfe gap.

**Layout.**  :mod:`~semtheory.ratedistortion.distortion` (distortion measures),
:mod:`~semtheory.ratedistortion.blahut` (classical Blahut–Arimoto, one certified point),
:mod:`~semtheory.ratedistortion.curve` (the curve over a grid of slopes, and the block curve),
:mod:`~semtheory.ratedistortion.closed_forms` (Gaussian, binary, log-loss, reverse water-filling, Gauss–Markov,
Shannon's lower bound), :mod:`~semtheory.ratedistortion.causal` (the directed solver and the price of
causality) and :mod:`~semtheory.ratedistortion.pretraining` (the log-loss plane, the strictly causal predictor,
the information bottleneck); every public name is re-exported here.

Units: rates in ``base`` (2 = bits, the default; ``math.e`` = nats) per symbol; distortions in the units
of the distortion matrix.  Kernels use the layout of :mod:`semtheory.directed`.
"""

from __future__ import annotations

from .distortion import (
    hamming_distortion,
    squared_error_distortion,
    log_loss_distortion,
    additive_distortion,
    difference_distortion,
)
from .blahut import (
    BAResult,
    blahut_arimoto,
    rate_distortion_at,
    naive_ba_step,
)
from .curve import (
    RDCurve,
    rate_distortion_curve,
    block_rate_distortion_curve,
)
from .closed_forms import (
    binary_hamming_rd,
    gaussian_rd,
    log_loss_rd,
    ReverseWaterFilling,
    reverse_water_filling,
    discrete_gaussian,
    gauss_markov_sequential_rd,
    gauss_markov_sequential_rd_finite,
    gauss_markov_block_rd,
    gauss_markov_rd,
    gaussian_scalar_quantizer,
    shannon_lower_bound,
)
from .causal import (
    DirectedBAResult,
    DirectedRDCurve,
    directed_blahut_arimoto,
    directed_rate_distortion_curve,
    gauss_markov_source_law,
    CausalityPrice,
    price_of_causality,
)
from .pretraining import (
    LogLossPoint,
    log_loss_point,
    pretraining_point,
    pretraining_sweep,
    PretrainingSweep,
    SequencePredictor,
    strictly_causal_predictor,
    log_loss_sequence_lower_bound,
    plot_pretraining_plane,
    BottleneckDistortion,
    bottleneck_distortion,
)

__all__ = [
    # distortion measures
    "hamming_distortion",
    "squared_error_distortion",
    "log_loss_distortion",
    "additive_distortion",
    # classical Blahut-Arimoto
    "BAResult",
    "RDCurve",
    "blahut_arimoto",
    "rate_distortion_curve",
    "rate_distortion_at",
    "naive_ba_step",
    # closed forms
    "binary_hamming_rd",
    "gaussian_rd",
    "log_loss_rd",
    "ReverseWaterFilling",
    "reverse_water_filling",
    "discrete_gaussian",
    # directed rate-distortion
    "DirectedBAResult",
    "DirectedRDCurve",
    "directed_blahut_arimoto",
    "directed_rate_distortion_curve",
    "block_rate_distortion_curve",
    "gauss_markov_source_law",
    # Gauss-Markov
    "gauss_markov_sequential_rd",
    "gauss_markov_sequential_rd_finite",
    "gauss_markov_block_rd",
    "gauss_markov_rd",
    # pre-training
    "LogLossPoint",
    "log_loss_point",
    "pretraining_point",
    "pretraining_sweep",
    "PretrainingSweep",
    # the whole sequence
    "SequencePredictor",
    "strictly_causal_predictor",
    "log_loss_sequence_lower_bound",
    "CausalityPrice",
    "price_of_causality",
    "plot_pretraining_plane",
    "gaussian_scalar_quantizer",
    "shannon_lower_bound",
    "difference_distortion",
    # the information bottleneck as log-loss rate-distortion
    "BottleneckDistortion",
    "bottleneck_distortion",
]
