r"""Masked diffusion language models (LLaDA) on laws small enough to enumerate.  Chapter 16.

**Forward process.**  A clean sequence :math:`x_0 \in \V^n` (:math:`\V = \{0, \dots, V-1\}`) is corrupted at
ratio :math:`t \in [0, 1]` by replacing each token, independently, by the mask token ``M`` with probability
:math:`t`.  Here ``M`` is the integer ``V`` (one past the vocabulary), so a partially masked sequence
:math:`z \in \{0, \dots, V\}^n`.  A mask *pattern* is a subset :math:`m \subseteq \{1..n\}`; it has
probability :math:`t^{|m|}(1-t)^{n-|m|}` (:func:`mask_probabilities`); patterns are indexed by the integer
whose bit :math:`i` says whether position :math:`i` is masked (:func:`mask_patterns`).

**Predictors.**  A mask predictor :math:`q(x^i \mid z)` gives, for each partially masked sequence and each
position, a pmf over :math:`\V`.  On an enumerable toy it is a *table* of shape ``(V+1,)*n + (n, V)``:
``q[z][i]`` is the law of position ``i`` given ``z``.  A table is indexed by :math:`z` only, so it depends on
the visible tokens and nothing else.  Rows of visible positions are ignored by every loss (the usual
convention, followed by :func:`exact_conditionals`, puts the one-hot law of the visible token there).
:func:`exact_conditionals` builds the table of the data law's own conditionals; :func:`random_predictor`,
:func:`perturbed_predictor` and :func:`marginal_predictor` build imperfect ones, and :func:`model_table`
tabulates a trained :class:`MaskPredictor` (a small Transformer encoder without causal mask).

**Loss.**  The LLaDA loss (Nie et al. 2025; the masked-diffusion ELBO of Sahoo et al. 2024, Shi et al. 2024)

.. math:: \mathcal L(q) = \int_0^1 \frac1t\, \E_{x_0}\E_{z \mid x_0, t}\Bigl[\sum_{i:\, z^i = M} -\log q(x_0^i \mid z)\Bigr]\dd t

is computed exactly (:func:`llada_loss`): integrating :math:`t^{k-1}(1-t)^{n-k}` gives each pattern with
:math:`k \ge 1` masked tokens the weight :math:`B(k, n-k+1) = 1/(k\binom nk)` (:func:`mask_weights`), the
probability that a uniformly random order leaves exactly :math:`m` masked with the next token in :math:`m`
(Ou et al. 2024).  Hence :math:`\mathcal L(q) = \frac1{n!}\sum_\sigma \E_p[-\log q_\sigma(X)]`, the any-order
autoregressive loss (:func:`any_order_loss`, :func:`order_law`), which is at least :math:`H(X^n)` with
equality at the exact conditionals.  :func:`loss_chain` splits the gap.  :func:`llada_loss_mc` samples it
(the :math:`1/t` estimator, floored or not, or the count estimator), :func:`estimator_moments` gives the exact
mean and variance of each, :func:`bayes_posterior` shows the optimal predictor needs no time input, and
:func:`discrete_time_loss` is the :math:`T`-step ELBO.

**Sampling** (:func:`sample`, :func:`sampler_law`): start fully masked; at each of ``steps`` steps predict every
masked token, keep some and remask the rest, either at random or keeping the most confident ones
("low-confidence remasking").  :func:`step_joint_law` lays a sampling run out as two processes along the
denoising steps, for the directed information of chapter 3; :func:`sampler_step_law` and
:func:`schedule_flows` do it for a data-dependent (low-confidence) order.

Units: ``base=2`` (bits) by default, ``base=math.e`` for nats; losses are per sequence (divide by ``n`` for
per token).

**Files.**  :mod:`~semtheory.diffusion.forward` (mask patterns, their laws and weights, the forward process),
:mod:`~semtheory.diffusion.tables` (predictor tables), :mod:`~semtheory.diffusion.loss` (the LLaDA loss,
exactly and by Monte Carlo), :mod:`~semtheory.diffusion.anyorder` (any-order autoregression),
:mod:`~semtheory.diffusion.sampling` (sampling by iterative unmasking), :mod:`~semtheory.diffusion.predictor`
(the torch mask predictor); every public name is re-exported here.
"""

from __future__ import annotations

# the torch mask predictor first: without torch, importing the package fails there, naming the extra
from .predictor import MaskPredictor, model_table, train_mask_predictor
from .forward import (
    mask_patterns,
    mask_probabilities,
    mask_weights,
    forward_mask,
    sample_sequences,
)
from .tables import (
    exact_conditionals,
    marginal_predictor,
    random_predictor,
    perturbed_predictor,
)
from .loss import (
    llada_loss,
    loss_by_masked_count,
    loss_integrand,
    llada_loss_mc,
    EstimatorMoments,
    estimator_moments,
    bayes_posterior,
    discrete_time_loss,
)
from .anyorder import (
    order_law,
    order_cross_entropy,
    any_order_loss,
    mixture_law,
    order_log_joint,
    LossChain,
    loss_chain,
)
from .sampling import (
    unmask_schedule,
    Samples,
    sample,
    sampler_law,
    step_joint_law,
    sampler_step_law,
    schedule_entropy,
    ScheduleFlows,
    schedule_flows,
    source_nll,
    SamplingQuality,
    sampling_quality,
)

__all__ = [
    # forward
    "mask_patterns",
    "mask_probabilities",
    "mask_weights",
    "forward_mask",
    "sample_sequences",
    # tables
    "exact_conditionals",
    "marginal_predictor",
    "random_predictor",
    "perturbed_predictor",
    # loss
    "llada_loss",
    "loss_by_masked_count",
    "loss_integrand",
    "llada_loss_mc",
    "EstimatorMoments",
    "estimator_moments",
    "bayes_posterior",
    "discrete_time_loss",
    # anyorder
    "order_law",
    "order_cross_entropy",
    "any_order_loss",
    "mixture_law",
    "order_log_joint",
    "LossChain",
    "loss_chain",
    # sampling
    "unmask_schedule",
    "Samples",
    "sample",
    "sampler_law",
    "step_joint_law",
    "sampler_step_law",
    "schedule_entropy",
    "ScheduleFlows",
    "schedule_flows",
    "source_nll",
    "SamplingQuality",
    "sampling_quality",
    # predictor
    "MaskPredictor",
    "train_mask_predictor",
    "model_table",
]
