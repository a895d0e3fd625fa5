r"""The Transformer as a nonlinear time-varying VAR, and the feed-forward layer as a key-value memory (chapter 10).

Part of :mod:`semtheory.transformer`, which re-exports its public names.
"""

from __future__ import annotations

import copy
import math
from typing import NamedTuple, Sequence

import numpy as np
from .._extras import require as _require

torch = _require("torch", "torch", needed_by="semtheory.transformer")

from .._validate import check_flag, check_int
from ..core.torchloop import one_thread
from .model import Transformer

__all__ = ["VARCoefficients", "var_coefficients", "ffn_memory", "ffn_nonlinearity"]


class VARCoefficients(NamedTuple):
    r"""``A[i, j]`` (n, n, d, d): the coefficient of :math:`h_j` in the attention output at :math:`i` (zero for
    :math:`j > i`; with ``residual=True`` the identity is added on the diagonal), ``hidden`` (n, d) the
    :math:`h_j`, ``output`` (n, d) the sublayer output it reproduces (the attention output, or
    :math:`h_i` plus it with ``residual=True``).  Position 0 is BOS.

    Attributes
    ----------
    A : numpy.ndarray, shape (n, n, d, d)
        :math:`A_{ij}` (zero for :math:`j > i`).
    hidden : numpy.ndarray, shape (n, d)
        The :math:`h_j`.
    output : numpy.ndarray, shape (n, d)
        The sublayer output the coefficients reproduce.
    """

    A: np.ndarray
    hidden: np.ndarray
    output: np.ndarray


def var_coefficients(model: Transformer, context: Sequence[int], layer: int = 0, *,
                     residual: bool = False) -> VARCoefficients:
    r"""The time-varying VAR coefficients :math:`A_{ij}` of layer ``layer``'s attention sublayer on ``context``.

    .. math:: h_i^{\mathrm{att}} = \sum_{j\le i} A_{ij} h_j,\qquad
              A_{ij} = \sum_h \alpha^h_{ij} W_O^h W_V^h \operatorname{diag}(\gamma) P/\sigma_j

    (float64; ``residual=True`` returns :math:`\delta_{ij}I + A_{ij}`, the coefficients of
    :math:`h_i + h_i^{\mathrm{att}}`).  :math:`\sum_j A_{ij}h_j` equals the sublayer output to round-off.
    Chapter 10.

    Parameters
    ----------
    model : Transformer
        The model.
    context : sequence of int
        Tokens read after BOS.
    layer : int, default 0
        The block.
    residual : bool, keyword-only, default False
        Add the identity (the residual connection).

    Returns
    -------
    VARCoefficients
        Coefficients, hidden states and output (float64, no units).
    """
    if not isinstance(model, Transformer):
        raise ValueError(f"model must be a semtheory.transformer.Transformer, got {type(model).__name__}")
    layer = check_int(layer, "layer", minimum=0, maximum=len(model.blocks) - 1)
    check_flag(residual, "residual")
    tr = model.trace(context)
    blk = model.blocks[layer]
    h, alpha = tr.hidden[layer], tr.alpha[layer]
    n, d = h.shape
    Hn, dk = blk.attn.n_heads, blk.attn.d_k
    W_O = blk.attn.W_O.weight.detach().double().numpy()
    W_V = blk.attn.W_V.weight.detach().double().numpy()
    gamma = blk.ln1.weight.detach().double().numpy()
    P = np.eye(d) - 1.0 / d
    sigma = np.sqrt(((h - h.mean(axis=1, keepdims=True)) ** 2).mean(axis=1) + blk.ln1.eps)
    M = np.stack([W_O[:, k * dk:(k + 1) * dk] @ W_V[k * dk:(k + 1) * dk] for k in range(Hn)]) * gamma @ P  # (H, d, d)
    A = np.einsum("hij,hab->ijab", alpha, M) / sigma[None, :, None, None]
    out = tr.attn[layer]
    if residual:
        A = A + np.eye(n)[:, :, None, None] * np.eye(d)
        out = h + out
    return VARCoefficients(A, h, out)


def ffn_memory(model: Transformer, layer: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""The feed-forward layer as a key–value memory: ``(keys (d_ff, d), key_bias (d_ff,), values (d_ff, d), value_bias (d,))``.

    :math:`\mathrm{FFN}(u) = \sum_m \mathrm{GELU}(k_m^\T u + b_m)\, v_m + c`.  Chapter 10.

    Parameters
    ----------
    model : Transformer
        The model.
    layer : int, default 0
        The block.

    Returns
    -------
    tuple of numpy.ndarray
        ``(keys, key_bias, values, value_bias)``, float64.
    """
    if not isinstance(model, Transformer):
        raise ValueError(f"model must be a semtheory.transformer.Transformer, got {type(model).__name__}")
    layer = check_int(layer, "layer", minimum=0, maximum=len(model.blocks) - 1)
    f = model.blocks[layer].ffn
    g = lambda t: t.detach().double().numpy().copy()  # noqa: E731
    return g(f.keys.weight), g(f.keys.bias), g(f.values.weight).T.copy(), g(f.values.bias)


def ffn_nonlinearity(model: Transformer, tokens: Sequence[int], layer: int = 0) -> float:
    r"""How far layer ``layer``'s feed-forward block is from affine on ``tokens``: :math:`1 - R^2` of the best affine fit.

    ``tokens`` is cut into windows of ``context_length - 1`` tokens (each read after BOS); at every position the
    block's input :math:`u_i = \mathrm{LN}_2(h_i + h_i^{\mathrm{att}})` and output :math:`f_i = \mathrm{FFN}(u_i)`
    are recorded (float64), and the least-squares affine map :math:`f \approx Gu + c` is fitted.  Returns
    :math:`\sum_i \lVert f_i - Gu_i - c\rVert^2 / \sum_i \lVert f_i - \bar f\rVert^2 \in [0, 1]`: 0 for an affine
    block, larger the more nonlinear it is on the data (the part that is not a VAR term, chapter 10).

    Parameters
    ----------
    model : Transformer
        The model.
    tokens : sequence of int
        The data the block is read on.
    layer : int, default 0
        The block.

    Returns
    -------
    float
        :math:`1 - R^2` of the affine fit, in :math:`[0, 1]` (no units).
    """
    if not isinstance(model, Transformer):
        raise ValueError(f"model must be a semtheory.transformer.Transformer, got {type(model).__name__}")
    layer = check_int(layer, "layer", minimum=0, maximum=len(model.blocks) - 1)
    toks = model.check_tokens(tokens, "tokens")
    L = model.context_length - 1
    n = len(toks) // L
    if n < 1:
        raise ValueError(f"tokens must hold at least context_length - 1 = {L} tokens, got {len(toks)}")
    x = np.concatenate([np.full((n, 1), model.bos), toks[: n * L].reshape(n, L)], axis=1).astype(np.int64)
    m = copy.deepcopy(model).double()
    with torch.inference_mode(), one_thread():
        h = m.embed(torch.as_tensor(x)) + m.pos.weight[: L + 1]
        for blk in m.blocks[:layer]:
            h = blk(h)
        blk = m.blocks[layer]
        h = h + blk.attn(blk.ln1(h))
        u = blk.ln2(h)
        f = blk.ffn(u)
    d = u.shape[-1]
    U, Fo = u.reshape(-1, d).numpy(), f.reshape(-1, d).numpy()
    Ua = np.hstack([U, np.ones((len(U), 1))])
    coef, *_ = np.linalg.lstsq(Ua, Fo, rcond=None)
    total = float(((Fo - Fo.mean(axis=0)) ** 2).sum())
    if total == 0.0:
        return 0.0
    return float(((Fo - Ua @ coef) ** 2).sum() / total)
