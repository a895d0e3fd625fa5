r"""A small decoder-only Transformer assembled from energy pieces, in plain torch; its VAR coefficients; training.

Chapter 10 (used by chapters 14 and 15).

**The pieces** (each one screen, pre-layer-norm, no dropout):

* :class:`CausalSelfAttention`: per head :math:`h`, queries :math:`q_i = W_Q^h u_i`, keys :math:`k_j = W_K^h u_j`,
  values :math:`W_V^h u_j`, weights :math:`\alpha^h_{ij} = \softmax_{j \le i}(\beta\, q_i^\T k_j)` with
  :math:`\beta = 1/\sqrt{d_k}`, output :math:`\sum_h W_O^h \sum_{j\le i} \alpha^h_{ij} W_V^h u_j`.  For each
  query this is one modern-Hopfield update (:func:`semtheory.energy.hopfield_update`) with stored keys
  :math:`k_j` and retrieved values; the causal mask stores only the past.
* :class:`FeedForward`: :math:`\mathrm{FFN}(u) = \sum_{m=1}^{d_{ff}} g(k_m^\T u + b_m)\, v_m + c`, a key–value
  memory (Geva et al. 2021): rows of the first matrix are keys, columns of the second are values, and
  :math:`g` (GELU) plays the role of the unnormalised softmax of attention.
* :class:`Block`: the residual stream :math:`h \leftarrow h + \mathrm{Attn}(\mathrm{LN}(h))`,
  :math:`h \leftarrow h + \mathrm{FFN}(\mathrm{LN}(h))`.  Layer norms have a gain and no bias, and the attention
  projections have no bias, so the attention sublayer is *exactly* linear in the hidden states given the
  weights :math:`\alpha` and the norms (:func:`var_coefficients`).
* :class:`Transformer`: token and learned position embeddings (plus a begin-of-window token ``BOS`` =
  ``vocab_size``, always at position 0), a stack of blocks, a final layer norm and an unembedding
  :math:`w_v`: the energy of token :math:`v` is :math:`E(v) = -w_v^\T \mathrm{LN}(h_t)`, and the next-token law
  is the Boltzmann law :math:`e^{-E}/Z` at :math:`T = 1`.  It is a :class:`~semtheory.channel.LanguageModel`
  (and a ``torch.nn.Module``).  A context of :math:`t \ge L` = ``context_length`` tokens is read through a
  window that restarts every :math:`s = L/2` tokens (:meth:`Transformer.window_start`), so the model always
  sees between :math:`L/2` and :math:`L-1` tokens and a long text is scored with two tokens of compute per
  token.

**The Transformer as a nonlinear time-varying VAR.**  With :math:`P = I - \tfrac1d \mathbf 1\mathbf 1^\T`
(centring), :math:`\gamma` the layer-norm gain and :math:`\sigma_j = (\lVert P h_j\rVert^2/d + \epsilon)^{1/2}`,
the attention sublayer of a layer reads

.. math:: h_i^{\mathrm{att}} = \sum_{j \le i} A_{ij}\, h_j, \qquad
          A_{ij} = \sum_{\text{heads } h} \alpha^h_{ij}\, W_O^h W_V^h \operatorname{diag}(\gamma) P / \sigma_j ,

and the residual stream :math:`h_i \leftarrow \sum_{j\le i} (\delta_{ij} I + A_{ij}) h_j`: a vector
autoregression whose coefficients depend on the data (through :math:`\alpha` and :math:`\sigma`), hence
nonlinear and time-varying.  The feed-forward sublayer acts on each position separately (no term in
:math:`j \ne i`).  :func:`var_coefficients` extracts the :math:`A_{ij}` (float64) and reproduces the sublayer's
output to round-off.

**Training.**  :func:`train` minimises the cross-entropy on random windows of a token stream with Adam,
deterministically (deterministic algorithms, one thread, seeded ``torch.Generator``); inference also runs on
one torch thread, which is fastest for models this small.
:func:`pretrained_on_markov` and :func:`pretrained_on_english` return models trained in seconds, cached
in-process by their arguments (each call returns a fresh copy).  No weights are ever downloaded.

**Modules** (the names are re-exported here): :mod:`~semtheory.transformer.model` (the pieces and the
:class:`Transformer`), :mod:`~semtheory.transformer.var` (the VAR view and the key-value memory),
:mod:`~semtheory.transformer.training` (:func:`train`) and :mod:`~semtheory.transformer.pretrained` (the cached
models of later chapters).

Units: losses in nats inside torch; :class:`Pretrained` reports bits per token.
"""
from __future__ import annotations

from ..core.torchloop import Pretrained, TrainResult, minimise
from .model import Block, CausalSelfAttention, FeedForward, Trace, Transformer, causal_mask
from .pretrained import markov_source, pretrained_on_english, pretrained_on_markov, trainer
from .training import train
from .var import VARCoefficients, ffn_memory, ffn_nonlinearity, var_coefficients

__all__ = [
    "causal_mask",
    "CausalSelfAttention",
    "FeedForward",
    "Block",
    "Transformer",
    "Trace",
    "VARCoefficients",
    "var_coefficients",
    "ffn_memory",
    "ffn_nonlinearity",
    "TrainResult",
    "minimise",
    "train",
    "trainer",
    "Pretrained",
    "markov_source",
    "pretrained_on_markov",
    "pretrained_on_english",
]
