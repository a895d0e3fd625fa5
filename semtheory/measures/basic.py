"""Entropy, conditional entropy, (conditional) mutual information, relative entropy, cross-entropy,
perplexity and the binary entropy (chapter 2); re-exported by :mod:`semtheory.measures`."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from scipy.special import xlogy

from ..core.types import ArrayLike, FloatArray
from .._validate import as_real_array, as_pmf, as_pmf_reduce, log_base
from ._common import (
    nonempty_axes,
    is_empty_group,
    axis_groups,
    axes_minus,
    axes_union,
    keep_axes,
    neg_xlogx_block,
    entropy_nats,
    q_log_q_over,
    ratio_sum,
    clip_roundoff,
    cmi_nats,
    pmf_pair,
)


# ----------------------------------------------------------------------------------------------
# measures of pmfs
# ----------------------------------------------------------------------------------------------


def marginal(p: ArrayLike, axes: int | Sequence[int] | None) -> np.ndarray:
    r"""Marginal pmf of the variables on ``axes``: :math:`p(x_A) = \sum_{x_{\bar A}} p(x)`.

    The result keeps the named axes in ascending order (``axes=None``: all of them, i.e. ``p``).
    Unitless.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes : int or tuple of int or None
        The axes to keep (None: all).

    Returns
    -------
    numpy.ndarray
        The marginal pmf, with the kept axes in ascending order.

    Examples
    --------
    >>> marginal([[0.1, 0.2], [0.3, 0.4]], 0).round(2).tolist()
    [0.3, 0.7]
    """
    p = as_pmf(p, "p")
    keep = nonempty_axes(axes, p.ndim, "axes")
    drop = tuple(a for a in range(p.ndim) if a not in keep)
    return p.sum(axis=drop) if drop else p


def entropy(p: ArrayLike, axes: int | Sequence[int] | None = None, *, base: float = 2) -> float:
    r"""Entropy :math:`H(X_A) = -\sum_{x_A} p(x_A) \log p(x_A)` of the variables on ``axes``.

    ``axes=None`` means all axes, i.e. the joint entropy of every variable.  Units of ``base``
    (bits by default).  Chapters 1, 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes : int or tuple of int or None, default None
        The axes of the variables :math:`X_A` (None: every axis).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The entropy :math:`H(X_A) \ge 0`, in units of log ``base`` (bits by default).

    Examples
    --------
    >>> entropy([0.5, 0.25, 0.25])
    1.5
    """
    lb = log_base(base)
    if axes is None:  # the joint entropy: validation fused into the computing pass (one sweep over memory)
        _, h = as_pmf_reduce(p, neg_xlogx_block, "p")
        return max(h, 0.0) / lb
    p = as_pmf(p, "p")
    keep = nonempty_axes(axes, p.ndim, "axes")
    return entropy_nats(keep_axes(p, keep), lb)


def conditional_entropy(p: ArrayLike, axes: int | Sequence[int], given: int | Sequence[int] | None, *,
                        base: float = 2) -> float:
    r"""Conditional entropy :math:`H(X_A \mid X_B) = -\sum p(x_A, x_B) \log \frac{p(x_A, x_B)}{p(x_B)}`.

    Equal to :math:`H(X_A, X_B) - H(X_B)`, but computed as one sum of non-positive log-ratios so it
    is never negative.  ``axes`` names A and ``given`` names B; they may overlap (a shared axis counts
    once, so :math:`H(X \mid X) = H(X \mid X, Y) = 0`); ``given=()`` or ``None`` gives :math:`H(X_A)`.
    Units of ``base``.  Chapters 2, 3.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes : int or tuple of int
        The axes of :math:`X_A`.
    given : int or tuple of int or None
        The axes of :math:`X_B` (``()`` or None: no conditioning).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The conditional entropy :math:`H(X_A \mid X_B) \ge 0`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    if is_empty_group(given):
        (a,) = axis_groups(p, {"axes": axes})
        return entropy_nats(keep_axes(p, a), lb)
    a, b = axis_groups(p, {"axes": axes, "given": given})
    if not axes_minus(a, b):
        return 0.0
    q = keep_axes(p, axes_union(a, b))
    return max(-q_log_q_over(q, [q.sum(axis=axes_minus(a, b), keepdims=True)]), 0.0) / lb


def mutual_information(p: ArrayLike, axes_a: int | Sequence[int], axes_b: int | Sequence[int], *,
                       base: float = 2) -> float:
    r"""Mutual information :math:`I(X_A; X_B) = \sum p(a,b) \log \frac{p(a,b)}{p(a)p(b)}`.

    Equal to :math:`H(X_A) + H(X_B) - H(X_A \cup X_B)`.  The groups may overlap (a shared axis counts
    once: :math:`I(X;X) = H(X)`).  The log-ratio form is never negative, and by the module's round-off
    rule it is exactly 0 for a product law.  Units of ``base``.  Chapters 2, 3.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes_a, axes_b : int or tuple of int
        The axes of :math:`X_A` and of :math:`X_B`.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The mutual information :math:`I(X_A; X_B) \ge 0`, in units of log ``base`` (bits by default).

    Examples
    --------
    >>> mutual_information([[0.5, 0.0], [0.0, 0.5]], 0, 1)
    1.0
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    a, b = axis_groups(p, {"axes_a": axes_a, "axes_b": axes_b})
    return cmi_nats(p, a, b, (), lb)


def conditional_mutual_information(p: ArrayLike, axes_a: int | Sequence[int], axes_b: int | Sequence[int],
                                   given: int | Sequence[int] | None, *, base: float = 2) -> float:
    r"""Conditional mutual information :math:`I(X_A; X_B \mid X_C)`.

    :math:`\sum p(a,b,c) \log \frac{p(a,b,c)\,p(c)}{p(a,c)\,p(b,c)}`; ``given=()`` or ``None`` gives
    the unconditional MI.  Groups may overlap (the overlap rule: :math:`I(A;B \mid C) = I(A\setminus C;
    B\setminus C \mid C)`, e.g. :math:`I(X;Y \mid X) = 0`).  Units of ``base``.  Chapters 2, 3, 8.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes_a, axes_b : int or tuple of int
        The axes of :math:`X_A` and of :math:`X_B`.
    given : int or tuple of int or None
        The axes of :math:`X_C` (``()`` or None: the unconditional MI).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The conditional mutual information :math:`I(X_A; X_B \mid X_C) \ge 0`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    if is_empty_group(given):
        a, b = axis_groups(p, {"axes_a": axes_a, "axes_b": axes_b})
        return cmi_nats(p, a, b, (), lb)
    a, b, c = axis_groups(p, {"axes_a": axes_a, "axes_b": axes_b, "given": given})
    return cmi_nats(p, a, b, c, lb)



def kl_divergence(p: ArrayLike, q: ArrayLike, *, base: float = 2) -> float:
    r"""Relative entropy :math:`D(p\,\|\,q) = \sum_x p(x) \log \frac{p(x)}{q(x)}`.

    ``p`` and ``q`` are pmfs of the same shape (any number of axes).  Returns ``inf`` when ``p`` puts
    mass where ``q`` has none (the honest answer, not an error).  Units of ``base``.  Chapters 2, 4, 6.

    Parameters
    ----------
    p, q : array_like
        Pmfs of the same shape (any number of axes).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The relative entropy :math:`D(p\|q) \ge 0` (``inf`` when ``p`` is not absolutely continuous with respect to ``q``), in units of log ``base`` (bits by default).

    Examples
    --------
    >>> kl_divergence([0.5, 0.5], [0.25, 0.75]) > 0
    True
    """
    lb = log_base(base)
    p, q = pmf_pair(p, q)
    if np.any((p > 0) & (q == 0)):
        return math.inf
    # totals T_p, T_q shift the computed divergence by about T_p - T_q (the round-off rule's mass defect)
    return clip_roundoff(ratio_sum(p, p, q), p.dtype, p.size, abs(float(p.sum()) - float(q.sum()))) / lb


def cross_entropy(p: ArrayLike, q: ArrayLike, *, base: float = 2) -> float:
    r"""Cross-entropy :math:`H(p, q) = -\sum_x p(x) \log q(x) = H(p) + D(p\|q)`.

    The expected code length (per symbol) of a code built for ``q`` when the data follow ``p``:
    the pre-training loss of a language model.  ``inf`` when ``q`` misses support of ``p``.
    Units of ``base``.  Chapters 1, 2, 5.

    Parameters
    ----------
    p : array_like
        The law of the data.
    q : array_like
        The model's pmf, of the same shape as ``p``.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The cross-entropy :math:`H(p, q) \ge H(p)` (``inf`` when ``q`` misses the support of ``p``), in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p, q = pmf_pair(p, q)
    if np.any((p > 0) & (q == 0)):
        return math.inf
    return float(-xlogy(p, q).sum() / lb)


def perplexity(p: ArrayLike, q: ArrayLike | None = None) -> float:
    r"""Perplexity :math:`\mathrm{PPL} = e^{H(p, q)}` (nats), i.e. :math:`2^{H(p,q)}` in bits.

    With ``q=None`` this is the perplexity of ``p`` itself, :math:`e^{H(p)}`: the size of a uniform
    law with the same entropy.  Unitless (the same in any base).  Chapters 1, 2.

    Parameters
    ----------
    p : array_like
        The law of the data.
    q : array_like, optional
        The model's pmf, of the same shape (default: ``p`` itself).

    Returns
    -------
    float
        The perplexity :math:`e^{H(p,q)} \ge 1`, a number of equally likely choices (unitless).
    """
    if q is None:
        return math.exp(entropy(p, base=math.e))
    return math.exp(cross_entropy(p, q, base=math.e))


def binary_entropy(x: ArrayLike, *, base: float = 2) -> float | FloatArray:
    r"""Binary entropy :math:`h(x) = -x \log x - (1-x) \log(1-x)`, vectorised over ``x`` in [0, 1].

    Units of ``base``.  Chapters 2, 3, 5.

    Parameters
    ----------
    x : float or array_like
        Probabilities in [0, 1].
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float or numpy.ndarray
        :math:`h(x)`, in units of log ``base`` (bits by default); an array for an array ``x``.
    """
    lb = log_base(base)
    arr = as_real_array(x, "x", finite=False, nonempty=False)
    if arr.size == 0:
        raise ValueError("x is empty")
    if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise ValueError("x must lie in [0, 1] (and be finite)")
    out = -(xlogy(arr, arr) + xlogy(1 - arr, 1 - arr)) / lb
    return float(out) if out.ndim == 0 else out
