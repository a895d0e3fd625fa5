r"""The modern Hopfield energy of every attention query of a trained Transformer, layer by layer (chapter 14).

:func:`attention_energies` reads queries and keys of one context; :func:`attention_readout` applies it to
windows of a text; :func:`per_layer_values` and :func:`previous_token_weight` pool the readouts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple, Sequence

import numpy as np
from scipy.special import logsumexp

from .. import channel as _channel
from .._validate import check_int, log_base
from ..core.models import check_model

if TYPE_CHECKING:
    from ..transformer import Transformer
    from ..core.types import ArrayLike, FloatArray


class AttentionEnergies(NamedTuple):
    r"""Per-layer Hopfield readout of a Transformer on one context; arrays of shape ``(layers, heads, n)``, position 0 = BOS.

    ``energy`` :math:`E(q_i)` (without Ramsauer's constant), ``energy_after`` :math:`E` after one CCCP step
    :math:`q_i \to K_{\le i}^\T\softmax(\beta K_{\le i} q_i)`, ``free_energy``
    :math:`-\beta^{-1}\ln\sum_{j\le i}e^{\beta k_j^\T q_i}`, ``entropy`` of the attention law (units of ``base``),
    ``max_weight`` its largest weight; ``alpha`` the attention weights ``(layers, heads, n, n)``, ``beta``
    :math:`1/\sqrt{d_k}`; ``queries`` and ``keys`` the vectors :math:`q_i, k_j`, shape ``(layers, heads, n, d_k)``.
    Chapter 14.

    Attributes
    ----------
    energy, energy_after, free_energy : numpy.ndarray, shape (layers, heads, n)
        :math:`E(q_i)`, :math:`E` after one CCCP step, :math:`F_i` (units of the inner products).
    entropy : numpy.ndarray, shape (layers, heads, n)
        Entropy of each attention law (units of log ``base``).
    max_weight : numpy.ndarray, shape (layers, heads, n)
        Largest attention weight (dimensionless).
    alpha : numpy.ndarray, shape (layers, heads, n, n)
        The attention weights.
    beta : float
        :math:`1/\sqrt{d_k}`.
    queries, keys : numpy.ndarray, shape (layers, heads, n, d_k), or None
        The vectors :math:`q_i` and :math:`k_j`.
    """

    energy: np.ndarray
    energy_after: np.ndarray
    free_energy: np.ndarray
    entropy: np.ndarray
    max_weight: np.ndarray
    alpha: np.ndarray
    beta: float
    queries: np.ndarray | None = None
    keys: np.ndarray | None = None


def attention_energies(model: Transformer, context: Sequence[int], *, base: float = 2) -> AttentionEnergies:
    r"""The modern Hopfield energy of every attention query of a trained Transformer, layer by layer.

    Layer :math:`l`, head :math:`h`, position :math:`i`: from the residual stream :math:`h_i` entering the block
    (:meth:`semtheory.transformer.Transformer.trace`), :math:`u = \mathrm{LN}_1(h)`, the query
    :math:`q_i = W_Q^h u_i` and keys :math:`k_j = W_K^h u_j`, :math:`j \le i`, define the Hopfield network that
    stores the keys, with :math:`\beta = 1/\sqrt{d_k}`:

    .. math:: E(q_i) = -\beta^{-1}\ln\sum_{j\le i} e^{\beta k_j^\T q_i} + \tfrac12 q_i^\T q_i,\qquad
              \alpha_{ij} = \softmax_j(\beta k_j^\T q_i)

    (the values of :func:`semtheory.energy.hopfield_energy` with ``constant=False`` and
    :func:`semtheory.energy.attention_weights`, computed for all queries at once under the causal mask; the
    weights equal the layer's attention weights).  ``energy_after`` is the energy after one CCCP step
    (:func:`semtheory.energy.hopfield_update`), which never raises it; the network itself does not perform
    that step (it averages values, not keys).  The entropy of :math:`\alpha_{i\cdot}`
    is :math:`\beta(\bar E - F)` in nats (:math:`\bar E` the mean pattern energy :math:`-k_j^\T q_i` under
    :math:`\alpha`, :math:`F` the free energy).  ``context``: at most ``context_length - 1`` tokens.  Chapter 14.

    Parameters
    ----------
    model : semtheory.transformer.Transformer
        The trained network.
    context : sequence of int
        At most ``context_length - 1`` token ids (BOS is prepended).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    AttentionEnergies
        Energies and free energies in the units of the inner products of the learned projections; entropies
        in units of log ``base`` (bits by default); weights dimensionless.
    """
    from ..transformer import Transformer

    lb = log_base(base)
    if not isinstance(model, Transformer):
        raise ValueError(f"model must be a semtheory.transformer.Transformer, got {type(model).__name__}")
    tr = model.trace(context)
    n = tr.hidden[0].shape[0]
    Lyr, H = len(model.blocks), model.blocks[0].attn.n_heads
    dk = model.blocks[0].attn.d_k
    beta = 1.0 / math.sqrt(dk)
    shape = (Lyr, H, n)
    E, E1, F, S, M = (np.zeros(shape) for _ in range(5))
    alpha = np.zeros((Lyr, H, n, n))
    Q, Kk = np.zeros((Lyr, H, n, dk)), np.zeros((Lyr, H, n, dk))
    causal = np.tril(np.ones((n, n), dtype=bool))
    for layer, blk in enumerate(model.blocks):
        g = blk.ln1.weight.detach().double().numpy()
        Wq = blk.attn.W_Q.weight.detach().double().numpy()
        Wk = blk.attn.W_K.weight.detach().double().numpy()
        h = tr.hidden[layer]
        c = h - h.mean(axis=1, keepdims=True)
        u = c / np.sqrt((c**2).mean(axis=1, keepdims=True) + blk.ln1.eps) * g
        q = (u @ Wq.T).reshape(n, H, dk).transpose(1, 0, 2)  # (H, n, dk)
        k = (u @ Wk.T).reshape(n, H, dk).transpose(1, 0, 2)
        Q[layer], Kk[layer] = q, k
        # all queries at once: the Hopfield network of query i stores the keys j <= i (causal mask)
        logit = np.where(causal, beta * np.einsum("hid,hjd->hij", q, k), -np.inf)
        lz = logsumexp(logit, axis=-1)  # (H, n)
        a = np.exp(logit - lz[..., None])
        alpha[layer] = a
        F[layer] = -lz / beta
        E[layer] = F[layer] + 0.5 * (q**2).sum(-1)
        q1 = np.einsum("hij,hjd->hid", a, k)  # one CCCP step: the keys averaged under the attention law
        E1[layer] = -logsumexp(np.where(causal, beta * np.einsum("hid,hjd->hij", q1, k), -np.inf), axis=-1) / beta \
            + 0.5 * (q1**2).sum(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            S[layer] = -np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0).sum(-1) / lb
        M[layer] = a.max(-1)
    return AttentionEnergies(E, E1, F, S, M, alpha, beta, Q, Kk)


def attention_readout(model: Transformer, tokens: ArrayLike, length: int, *, windows: int = 12,
                      base: float = 2) -> list[AttentionEnergies]:
    r""":func:`attention_energies` on ``windows`` windows of ``length`` tokens spread evenly over ``tokens``.

    Window starts are ``linspace(0, len(tokens) - length - 1, count)`` (integer parts).  Chapter 14.

    Parameters
    ----------
    model : semtheory.transformer.Transformer
        The trained network.
    tokens : array_like of int, shape (N,)
        A text of more than ``length`` tokens.
    length : int >= 1
        Tokens per window (at most ``context_length - 1``).
    windows : int >= 1, keyword-only, default 12
        Number of windows.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    list of AttentionEnergies
        One readout per window, units as in :func:`attention_energies`.
    """
    x = check_model(model).check_tokens(tokens, "tokens") if isinstance(model, _channel.LanguageModel) \
        else np.asarray(tokens)
    length = check_int(length, "length", minimum=1)
    windows = check_int(windows, "windows", minimum=1)
    if x.ndim != 1 or x.size < length + 1:
        raise ValueError(f"tokens must be a 1-D sequence of more than length = {length} tokens")
    starts = np.linspace(0, x.size - length - 1, windows).astype(int)
    return [attention_energies(model, x[s:s + length], base=base) for s in starts]


def per_layer_values(readouts: Sequence[AttentionEnergies], field: str) -> list[FloatArray]:
    r"""The values of ``field`` of a list of :class:`AttentionEnergies`, pooled per layer.

    For each layer :math:`l`, every head and every query position :math:`i \ge 1` (BOS excluded) of every readout,
    concatenated into one 1-D array.  ``field`` is one of ``energy``, ``energy_after``, ``free_energy``,
    ``entropy``, ``max_weight``.  Chapter 14.

    Parameters
    ----------
    readouts : list of AttentionEnergies
        Readouts of one network (e.g. from :func:`attention_readout`).
    field : str
        ``"energy"``, ``"energy_after"``, ``"free_energy"``, ``"entropy"`` or ``"max_weight"``.

    Returns
    -------
    list of numpy.ndarray
        One 1-D array per layer, in the units of ``field``.
    """
    if not readouts or not all(isinstance(r, AttentionEnergies) for r in readouts):
        raise ValueError("readouts must be a non-empty list of AttentionEnergies (from attention_readout)")
    if field not in ("energy", "energy_after", "free_energy", "entropy", "max_weight"):
        raise ValueError(f"field must name a per-query array of AttentionEnergies, got {field!r}")
    layers = readouts[0].energy.shape[0]
    return [np.concatenate([getattr(r, field)[l, :, 1:].ravel() for r in readouts]) for l in range(layers)]


def previous_token_weight(readouts: Sequence[AttentionEnergies], *, layer: int = 0) -> FloatArray:
    r"""Mean attention weight :math:`\alpha_{i,i-1}` on the previous token, per head of ``layer``, over a list of readouts.

    Averaged over every query position :math:`i \ge 2` (position 0 is BOS, so :math:`i = 1`, whose previous
    position is BOS, is left out) of every :class:`AttentionEnergies` in ``readouts``; returns shape ``(heads,)``.
    A head that copies the previous token has weight 1; one that averages uniformly over the :math:`i + 1`
    causal keys has :math:`1/(i+1)`.  Chapter 14.

    Parameters
    ----------
    readouts : list of AttentionEnergies
        Readouts sharing one shape, with at least two tokens after BOS.
    layer : int >= 0, keyword-only, default 0
        The layer read.

    Returns
    -------
    numpy.ndarray, shape (heads,)
        Mean attention weight on the previous token, per head (dimensionless, in [0, 1]).
    """
    if not readouts or not all(isinstance(r, AttentionEnergies) for r in readouts):
        raise ValueError("readouts must be a non-empty list of AttentionEnergies (from attention_readout)")
    n_layers, n = readouts[0].alpha.shape[0], readouts[0].alpha.shape[-1]
    layer = check_int(layer, "layer", minimum=0, maximum=n_layers - 1)
    if n < 3 or any(r.alpha.shape != readouts[0].alpha.shape for r in readouts):
        raise ValueError("readouts must share one alpha shape with at least two tokens after BOS")
    i = np.arange(2, n)
    return np.mean([r.alpha[layer][:, i, i - 1].mean(-1) for r in readouts], axis=0)
