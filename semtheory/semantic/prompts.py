r"""Prompts drawn from a finite set and the exact joint law of prompt and generation (chapter 14).

:func:`prompts_from_law` lists the support of a prompt law; :func:`prompt_flow_law` enumerates
:math:`P(X = x_k, y^n) = w_k \prod_t P_\theta(y_t \mid x_k, y^{t-1})` through :func:`next_token_table`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._validate import as_pmf, as_token_ids, check_int
from ..core.law import MAX_CELLS
from ..core.models import check_model
from ..core.tables import next_token_table
from ._common import prompt_weights

if TYPE_CHECKING:
    from ..core.models import LanguageModel
    from ..core.types import ArrayLike, FloatArray, IntArray


def prompts_from_law(prompt_law: ArrayLike) -> tuple[IntArray, FloatArray, IntArray]:
    r"""The support of a prompt law of shape ``(V,) * m`` as ``(prompts (K, m), weights (K,), index (K,))``.

    ``index`` is each prompt's position in C order, i.e. its value of the prompt axis :math:`X_1` of
    :func:`semtheory.channel.prompt_generation_law`; ``weights`` are the (positive) probabilities.  Chapter 14.

    Parameters
    ----------
    prompt_law : array_like, shape (V,) * m
        A pmf over prompts of ``m`` tokens.

    Returns
    -------
    prompts : numpy.ndarray of int, shape (K, m)
        The prompts of positive probability, in C order.
    weights : numpy.ndarray, shape (K,)
        Their probabilities (dimensionless).
    index : numpy.ndarray of int, shape (K,)
        Each prompt's flat C-order position in ``prompt_law``.
    """
    q = as_pmf(prompt_law, "prompt_law")
    if q.ndim == 0 or any(s != q.shape[0] for s in q.shape):
        raise ValueError(f"prompt_law must have shape (V,) * m, got {q.shape}")
    index = np.flatnonzero(q.reshape(-1) > 0)
    prompts = np.stack(np.unravel_index(index, q.shape), axis=1).astype(np.int64)
    return prompts, q.reshape(-1)[index], index


def prompt_flow_law(model: LanguageModel, prompts: ArrayLike, n: int, *,
                    weights: ArrayLike | None = None) -> FloatArray:
    r"""Exact joint law of a prompt :math:`X` drawn from a finite set and the ``n`` tokens generated after it.

    .. math:: P(X = x_k, y^n) = w_k \prod_{t=1}^n P_\theta(y_t \mid x_k, y^{t-1}),

    in :mod:`semtheory.directed`'s layout: axis :math:`X_1` of size :math:`K` (prompt :math:`k` of ``prompts``),
    :math:`X_2..X_n` of size 1, then :math:`Y_1..Y_n` of size :math:`V`; ready for
    :func:`semtheory.flow.exact_flow` and :func:`semtheory.directed.directed_information` (which equals
    :math:`I(X; Y^n)` here).  ``prompts`` ``(K, m)`` may be any prompts (e.g. snippets of a real text);
    ``weights`` default to uniform.  With all :math:`V^m` prompts in C order and their probabilities it equals
    :func:`semtheory.channel.prompt_generation_law` (which walks the state protocol history by history); here
    the :math:`K V^{n-1}` continuations are read through :func:`next_token_table`.  Needs
    :math:`K V^n \le 2^{24}` cells.  Chapter 14.

    Parameters
    ----------
    model : semtheory.channel.LanguageModel
        The language model (a :class:`~semtheory.transformer.Transformer` gets the batched fast path).
    prompts : array_like of int, shape (K, m)
        The ``K`` prompts, token ids in ``[0, V)``.
    n : int >= 1
        Number of generated tokens.
    weights : array_like, shape (K,), keyword-only, optional
        Prompt probabilities (a pmf); default uniform.

    Returns
    -------
    numpy.ndarray, shape (K,) + (1,) * (n - 1) + (V,) * n
        The joint pmf of prompt index and generation (dimensionless), in :mod:`semtheory.directed`'s layout.
    """
    model = check_model(model)
    V = model.vocab_size
    P = as_token_ids(prompts, "prompts", vocab_size=V, ndim=2)
    K, m = P.shape
    w = prompt_weights(weights, K)
    n = check_int(n, "n", minimum=1)
    if K * float(V) ** n > MAX_CELLS:
        raise ValueError(f"n={n} with {K} prompts and vocab_size={V} gives more than {MAX_CELLS} cells")
    Yc = np.indices((V,) * (n - 1)).reshape(n - 1, -1).T if n > 1 else np.zeros((1, 0), dtype=np.int64)  # C order
    ctx = np.concatenate([np.repeat(P, len(Yc), axis=0), np.tile(Yc, (K, 1))], axis=1)
    tab = next_token_table(model, ctx, start=m).reshape((K,) + (V,) * (n - 1) + (n, V))
    logp = np.zeros((K,) + (V,) * n)
    for t in range(n):  # add log P(y_{t+1} | x, y^t), read from the row of the full continuation (causality)
        lt = tab[..., t, :]  # (K, V^{n-1} axes, V)
        if t < n - 1:
            lt = np.take_along_axis(lt, np.indices(lt.shape[:-1])[1 + t][..., None], axis=-1)[..., 0]
            logp = logp + lt[..., None]
        else:
            logp = logp + lt
    with np.errstate(divide="ignore"):
        logp = logp + np.log(w).reshape((K,) + (1,) * n)
    law = np.exp(logp)
    return (law / law.sum()).reshape((K,) + (1,) * (n - 1) + (V,) * n)
