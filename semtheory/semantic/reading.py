r"""Exact laws read at sampled paths, the ergodicity of a Markov source and the price of a shorter memory (chapter 14).

:func:`generation_law` and :func:`path_densities` read a :func:`~semtheory.semantic.prompt_flow_law`;
:func:`mixing_modulus` and :func:`markov_order_gap` are exact quantities of a
:class:`semtheory.sources.MarkovSource`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._validate import as_pmf, check_int
from ..flow import FlowPaths
from ._common import as_markov_source

if TYPE_CHECKING:
    from ..sources import MarkovSource
    from ..core.types import ArrayLike, FloatArray


def _prompt_law_shape(law) -> tuple[np.ndarray, int, int, int]:
    q = as_pmf(law, "law")
    if q.ndim < 2 or q.ndim % 2:
        raise ValueError(f"law must be a prompt_flow_law (axes X_1, 1.., Y_1..Y_n), got shape {q.shape}")
    n = q.ndim // 2
    if any(s != 1 for s in q.shape[1:n]) or any(s != q.shape[-1] for s in q.shape[n:]):
        raise ValueError(f"law must be a prompt_flow_law (axes X_1, 1.., Y_1..Y_n), got shape {q.shape}")
    return q, q.shape[0], n, q.shape[-1]


def generation_law(law: ArrayLike, k: int) -> FloatArray:
    r"""The law :math:`P(y^n \mid X = x_k)` of the generation given prompt ``k``, shape ``(V,) * n``.

    ``law`` is a :func:`prompt_flow_law`; the result is its slice at :math:`X_1 = k` divided by the prompt's
    weight.  Comparable with :func:`semtheory.channel.sequence_law` ``(model, n, prompt=prompts[k])``.  Chapter 14.

    Parameters
    ----------
    law : array_like
        A :func:`prompt_flow_law`.
    k : int
        The prompt index, ``0 <= k < K``.

    Returns
    -------
    numpy.ndarray, shape (V,) * n
        The pmf of the generation given prompt ``k`` (dimensionless).
    """
    q, K, n, V = _prompt_law_shape(law)
    k = check_int(k, "k", minimum=0, maximum=K - 1)
    row = q[k].reshape((V,) * n)
    if row.sum() <= 0:
        raise ValueError(f"prompt k = {k} has probability 0 under law")
    return row / row.sum()


def path_densities(law: ArrayLike, paths: FlowPaths, *, base: float = 2) -> FloatArray:
    r"""The exact densities :math:`\iota_t` of a :func:`prompt_flow_law`, read at the sampled paths, shape ``(N, n)``.

    For path :math:`i` with prompt index ``paths.inputs[i, 0]`` and generation ``paths.outputs[i]`` this is
    :func:`semtheory.flow.exact_flow` ``(law).iota`` at that outcome: the enumerated value to compare with the
    densities that :func:`sample_prompt_flow` computes along the path.  Units of ``base``.  Chapter 14.

    Parameters
    ----------
    law : array_like
        A :func:`prompt_flow_law` with ``n`` generated tokens.
    paths : semtheory.flow.FlowPaths
        Sampled paths of the same ``n`` (e.g. from :func:`sample_prompt_flow`).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape (N, n)
        The exact densities at the sampled outcomes, in units of log ``base`` (bits by default).
    """
    from ..flow import exact_flow

    q, K, n, V = _prompt_law_shape(law)
    if not isinstance(paths, FlowPaths):
        raise ValueError("paths must be a semtheory.flow.FlowPaths (from sample_prompt_flow)")
    if paths.outputs.shape[1] != n:
        raise ValueError(f"paths have {paths.outputs.shape[1]} generated tokens but law has n = {n}")
    k = paths.inputs[:, 0]
    if k.min() < 0 or k.max() >= K or paths.outputs.min() < 0 or paths.outputs.max() >= V:
        raise ValueError("paths hold prompt indices or tokens outside the law's axes")
    cells = np.ravel_multi_index(tuple(paths.outputs.T), (V,) * n)
    return exact_flow(q, base=base).iota.reshape(K, V**n, n)[k, cells]

# ==============================================================================================
# Ergodicity of a Markov source, and the price of a shorter memory
# ==============================================================================================


def mixing_modulus(source: MarkovSource) -> float:
    r"""Second-largest eigenvalue modulus of a Markov source's chain on its :math:`V^k` states (dimensionless).

    The order-:math:`k` source is lifted to a first-order chain on the blocks :math:`(x_{t-k+1}, \dots, x_t)`.
    A value below 1 means the chain has one closed class and is aperiodic, so the distribution of the state
    converges to the stationary law geometrically at this rate and the source is mixing; then every blocked
    process :math:`(X_{sj+1}, \dots, X_{s(j+1)})_j` is mixing, hence ergodic, which is what the proof of the
    perplexity gap needs.  Order 0 (i.i.d.) returns 0.  Chapter 14.

    Parameters
    ----------
    source : semtheory.sources.MarkovSource
        A Markov source of any order.

    Returns
    -------
    float
        The second-largest eigenvalue modulus of the lifted chain (dimensionless, in [0, 1]).
    """
    from ..sources import lifted_transition

    src = as_markov_source(source)
    if src.order == 0:
        return 0.0
    ev = np.sort(np.abs(np.linalg.eigvals(lifted_transition(src.transition))))[::-1]
    return float(ev[1]) if ev.size > 1 else 0.0


def markov_order_gap(source: MarkovSource, order: int, *, base: float = 2) -> float:
    r"""Relative-entropy rate between a stationary order-:math:`k` Markov source and its best order-``order`` model.

    The best Markov model of order :math:`j < k` predicts with the source's own stationary conditional
    :math:`Q(x_{k+1} \mid x_{k-j+1}^{k})`, and

    .. math:: \bar D = H(X_{k+1} \mid X_{k-j+1}^{k}) - H(X_{k+1} \mid X^{k}) = I(X_1^{k-j}; X_{k+1} \mid X_{k-j+1}^{k}),

    computed exactly from the stationary law of :math:`k+1` consecutive symbols.  ``order`` :math:`= j`,
    :math:`0 \le j \le k` (``j = k`` gives 0).  Units of ``base``.  Chapter 14.

    Parameters
    ----------
    source : semtheory.sources.MarkovSource
        A Markov source of order ``k``.
    order : int
        The memory ``j`` of the model, ``0 <= j <= k``.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The relative-entropy rate, in units of log ``base`` per token (bits by default).
    """
    from .. import measures

    src = as_markov_source(source)
    k = src.order
    j = check_int(order, "order", minimum=0, maximum=k)
    if k == 0 or j == k:
        return 0.0
    law = src.stationary[..., None] * src.transition  # (V,)*(k+1): stationary law of k+1 consecutive symbols
    past = tuple(range(0, k - j))
    recent = tuple(range(k - j, k))
    return float(max(measures.conditional_mutual_information(law, past, (k,), recent, base=base), 0.0))
