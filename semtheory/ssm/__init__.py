r"""Selective state spaces (Mamba), the Mamba-2 state-space duality, and the fixed-size state as a finite-state channel.

Chapter 15.

**Discretisation.**  A continuous state space :math:`\dot h = A h + B u` held constant over a step
:math:`\Delta` (zero-order hold) gives :math:`h_t = \bar A h_{t-1} + \bar B u_t` with

.. math:: \bar A = e^{\Delta A}, \qquad \bar B = (\Delta A)^{-1}(e^{\Delta A} - I)\,\Delta B,

which for diagonal :math:`A` is elementwise, :math:`\bar B = (e^{\Delta a} - 1)/a \cdot B` (:func:`discretize`;
Euler: :math:`\bar A \approx I + \Delta A`, :math:`\bar B \approx \Delta B`).  Mamba's reference code keeps
:math:`\bar A = e^{\Delta A}` and uses Euler's :math:`\bar B = \Delta B`, and so do :class:`MambaBlock` and
:class:`MambaLM` by default (``discretization="euler"``).

**Mamba (S6).**  Every channel :math:`d` of the input carries a diagonal state of size :math:`N`; the step
:math:`\Delta_t`, and the vectors :math:`B_t, C_t \in \R^N`, are functions of the input (*selection*):
:math:`h_t = \bar A_t h_{t-1} + \bar B_t x_t`, :math:`y_t = C_t^\T h_t + D x_t` (:func:`selective_scan`, a
plain loop over time, or :func:`parallel_scan`, a prefix scan over the associative maps
:math:`h \mapsto a_t h + b_t`).

**Mamba-2 (SSD).**  With a *scalar* decay :math:`a_t = e^{\Delta_t A}` per head and a state
:math:`H_t \in \R^{N \times P}`, :math:`H_t = a_t H_{t-1} + B_t x_t^\T`, :math:`y_t = H_t^\T C_t`
(:func:`ssd_recurrent`).  Unrolled, :math:`y = (L \circ C B^\T)\,x` with the 1-semiseparable mask
:math:`L_{ij} = \prod_{k=j+1}^{i} a_k` for :math:`i \ge j` and 0 above the diagonal
(:func:`semiseparable_mask`, :func:`ssd_matrix`): masked linear attention with queries :math:`C`, keys
:math:`B` and values :math:`x`, decayed.  :func:`ssd_chunked` is the block algorithm of Mamba-2 (quadratic
inside chunks, recurrent across them); :func:`semiseparable_rank` checks that :math:`L \circ C B^\T` is
:math:`N`-semiseparable.

**Language model.**  :class:`MambaLM` (``mixer="mamba"`` or ``"mamba2"``) implements the chapter-4
:class:`~semtheory.channel.LanguageModel` interface, with a fixed-size state protocol (:class:`SSMState`);
:func:`train` and :func:`pretrained_ssm_on_markov` mirror :mod:`semtheory.transformer`.

**Finite-state channel.**  A model whose next-token law is a function of a state :math:`S_t` with at most
:math:`S` values pays, on any :math:`m` consecutive predictions, at least
:math:`\tfrac1m[H(X_1^m) - \log S]` per token, and never less than the entropy rate
(:func:`state_bottleneck_bound`).  :func:`delay_source` needs :math:`k \log V` bits of memory;
:class:`RegisterPredictor` is a finite-state predictor that nearly meets the bound, and
:func:`window_cross_entropy` is what a sliding window of the last :math:`j` tokens achieves;
:func:`quantised_cross_entropy` rounds a trained model's state into a finite-state predictor.

Units: tensors are float64 unless given otherwise; information in bits (``base=2``) by default.

**Files.**  :mod:`~semtheory.ssm.scan` (discretisation, the selective scan), :mod:`~semtheory.ssm.ssd` (Mamba-2's
recurrent, matrix and chunked forms), :mod:`~semtheory.ssm.model` (the block, the language model and its state),
:mod:`~semtheory.ssm.training` (training, the cached pretrained model, the rounded-state run) and
:mod:`~semtheory.ssm.finite_state` (the delay source, the window and bottleneck bounds, the register predictor);
every public name is re-exported here.  The subpackage needs the ``torch`` extra.
"""

from __future__ import annotations

from .scan import discretize, parallel_scan, selective_scan
from .ssd import (
    SSDCost,
    semiseparable_mask,
    semiseparable_rank,
    ssd_chunked,
    ssd_cost,
    ssd_matrix,
    ssd_recurrent,
)
from .model import MambaBlock, MambaLM, SSMState
from .training import QuantisedRun, pretrained_ssm_on_markov, quantised_cross_entropy, train
from .finite_state import (
    BottleneckBound,
    RegisterPredictor,
    delay_source,
    state_bottleneck_bound,
    window_cross_entropy,
)

__all__ = [
    "discretize",
    "selective_scan",
    "parallel_scan",
    "semiseparable_rank",
    "ssd_recurrent",
    "semiseparable_mask",
    "ssd_matrix",
    "ssd_chunked",
    "SSDCost",
    "ssd_cost",
    "SSMState",
    "MambaBlock",
    "MambaLM",
    "train",
    "pretrained_ssm_on_markov",
    "QuantisedRun",
    "quantised_cross_entropy",
    "delay_source",
    "window_cross_entropy",
    "BottleneckBound",
    "state_bottleneck_bound",
    "RegisterPredictor",
]
