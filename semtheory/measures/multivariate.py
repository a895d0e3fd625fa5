"""Conditional divergences and multivariate measures on any number of groups, overlaps allowed
(co-information, interaction information, total and dual total correlation, O-information; chapter 2);
re-exported by :mod:`semtheory.measures`."""

from __future__ import annotations

import math
from numbers import Real
from typing import Sequence

import numpy as np
from scipy.special import xlogy

from ..core.types import ArrayLike
from .._validate import as_pmf, log_base
from ._common import (
    nonempty_axes,
    is_empty_group,
    axis_groups,
    axes_union,
    keep_axes,
    entropy_nats,
    clip_roundoff,
    positive_part,
    pmf_pair,
)
from .basic import kl_divergence, cross_entropy


# ----------------------------------------------------------------------------------------------
# conditional divergences and multivariate measures (any number of groups, overlaps allowed)
# ----------------------------------------------------------------------------------------------


def conditional_kl_divergence(p: ArrayLike, q: ArrayLike, given: int | Sequence[int] | None, *,
                              base: float = 2) -> float:
    r"""Conditional relative entropy :math:`D(p_{A\mid B} \,\|\, q_{A\mid B} \mid p_B) = \sum_{a,b} p(a,b) \log \frac{p(a \mid b)}{q(a \mid b)}`.

    ``p`` and ``q`` are joint pmfs of the same shape; ``given`` names the conditioning axes B and A is
    every other axis.  It is the expected KL divergence between the conditional laws, averaged over
    :math:`b \sim p_B`, and satisfies the chain rule :math:`D(p_{AB}\|q_{AB}) = D(p_B\|q_B) +
    D(p_{A\mid B}\|q_{A\mid B}\mid p_B)`.  ``inf`` when some :math:`p(a,b) > 0` has :math:`q(a,b) = 0`
    (then :math:`q(a\mid b) = 0` or is undefined).  ``given=()`` gives :func:`kl_divergence`.  Units of
    ``base``.  Chapters 2, 6.

    Parameters
    ----------
    p, q : array_like
        Pmfs of the same shape (any number of axes).
    given : int or tuple of int or None
        The conditioning axes B; A is every other axis (``()``: the unconditional divergence).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The conditional relative entropy :math:`D(p_{A\mid B}\|q_{A\mid B} \mid p_B) \ge 0`, or ``inf``, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p, q = pmf_pair(p, q)
    if is_empty_group(given):
        return kl_divergence(p, q, base=base)
    (b,) = axis_groups(p, {"given": given})
    if np.any((p > 0) & (q == 0)):
        return math.inf
    pb, qb = keep_axes(p, b), keep_axes(q, b)
    # log [p(a,b) q(b) / (q(a,b) p(b))]; where p(a,b) > 0 all four factors are > 0
    val = float(xlogy(p, p * positive_part(qb) / (positive_part(q) * positive_part(pb))).sum())
    return clip_roundoff(val, p.dtype, p.size) / lb


def conditional_cross_entropy(p: ArrayLike, q: ArrayLike, given: int | Sequence[int] | None, *,
                              base: float = 2) -> float:
    r"""Conditional cross-entropy :math:`H(p_{A\mid B}, q_{A\mid B}) = -\sum_{a,b} p(a,b) \log q(a \mid b)`.

    The expected per-token loss of a model :math:`q(a \mid b)` (next token A, context B) on data from
    :math:`p`: it equals :math:`H_p(A \mid B) + D(p_{A\mid B}\|q_{A\mid B}\mid p_B)`.  ``p``, ``q`` joint pmfs of
    the same shape, ``given`` the context axes, A every other axis; ``inf`` where :math:`q` misses
    support of :math:`p`.  ``given=()`` gives :func:`cross_entropy`.  Units of ``base``.  Chapters 1, 2.

    Parameters
    ----------
    p : array_like
        The joint law of the data, context axes and next-token axes.
    q : array_like
        The model's joint pmf, of the same shape; only its conditionals :math:`q(a \mid b)` matter.
    given : int or tuple of int or None
        The context axes B; A is every other axis.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The conditional cross-entropy (the expected per-token loss), or ``inf``, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p, q = pmf_pair(p, q)
    if is_empty_group(given):
        return cross_entropy(p, q, base=base)
    (b,) = axis_groups(p, {"given": given})
    if np.any((p > 0) & (q == 0)):
        return math.inf
    qb = keep_axes(q, b)
    return float(-xlogy(p, q / positive_part(qb)).sum()) / lb


def _group_list(p, groups, name: str) -> list[tuple[int, ...]]:
    """``groups`` (None: one group per axis) as a non-empty list of non-empty axis groups."""
    if groups is None:
        return [(a,) for a in range(p.ndim)]
    if isinstance(groups, (str, bytes, Real, np.integer)) or not hasattr(groups, "__len__"):
        raise ValueError(f"{name} must be a sequence of axis groups (ints or tuples of ints), got {groups!r}")
    if len(groups) == 0:
        raise ValueError(f"{name} must hold at least one axis group")
    if len(groups) > 16:
        raise ValueError(f"{name} holds {len(groups)} groups; at most 16 (the sums run over all 2**n subsets)")
    return [nonempty_axes(g, p.ndim, f"{name}[{i}]") for i, g in enumerate(groups)]


def _cond_h(p, axes: tuple[int, ...], c: tuple[int, ...]) -> float:
    """H(axes | c) in nats on a validated pmf (overlap rule), the difference of two entropies."""
    u = axes_union(axes, c)
    return entropy_nats(keep_axes(p, u), 1.0) - (entropy_nats(keep_axes(p, c), 1.0) if c else 0.0)


def co_information(p: ArrayLike, groups: Sequence[int | Sequence[int]] | None = None,
                   given: int | Sequence[int] | None = None, *, base: float = 2) -> float:
    r"""Co-information :math:`I(X_1; \dots; X_n \mid Z) = -\sum_{\emptyset \ne T \subseteq [n]} (-1)^{|T|} H(X_T \mid Z)` (Bell 2003).

    :math:`X_T` is the union of the groups in :math:`T` (the overlap rule: a shared axis counts once).
    For :math:`n = 1` it is :math:`H(X_1 \mid Z)`, for :math:`n = 2` the (conditional) mutual information,
    and for :math:`n = 3`, :math:`I(X;Y;Z) = I(X;Y) - I(X;Y \mid Z)`, which may be negative: for
    :math:`Z = X \oplus Y` with independent fair bits it is :math:`-1` bit.  This is the sign convention of
    Fano, Yeung's I-measure and Bell; :func:`interaction_information` is the other one.  ``groups``: a
    sequence of axis groups (default: one per axis), at most 16; ``given``: axes of :math:`Z` (default
    none); with ``given`` inside a group the co-information is 0.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    groups : sequence of (int or tuple of int), optional
        The variable groups, as axis groups of ``p`` (default: one group per axis). At most 16.
    given : int or tuple of int, optional
        The axes of :math:`Z` (default: none).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The co-information (any sign), in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    gs = _group_list(p, groups, "groups")
    c = () if is_empty_group(given) else axis_groups(p, {"given": given})[0]
    n = len(gs)
    total = 0.0
    for mask in range(1, 2**n):
        members = [gs[i] for i in range(n) if mask >> i & 1]
        total -= (-1) ** len(members) * _cond_h(p, axes_union(*members), c)
    return total / lb


def interaction_information(p: ArrayLike, groups: Sequence[int | Sequence[int]] | None = None,
                            given: int | Sequence[int] | None = None, *, base: float = 2) -> float:
    r"""Interaction information :math:`\mathrm{II}(X_1; \dots; X_n) = (-1)^n\, I(X_1; \dots; X_n)` (Jakulin and Bratko 2003).

    The co-information (:func:`co_information`) with the sign flipped for an odd number of groups:
    :math:`\mathrm{II}(X;Y) = I(X;Y)` and :math:`\mathrm{II}(X;Y;Z) = I(X;Y \mid Z) - I(X;Y)`, positive
    (*synergy*) when knowing Z increases the information between X and Y, as for
    :math:`Z = X \oplus Y` (+1 bit).  Arguments as :func:`co_information`.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    groups : sequence of (int or tuple of int), optional
        The variable groups, as axis groups of ``p`` (default: one group per axis).
    given : int or tuple of int, optional
        The axes of :math:`Z` (default: none).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The interaction information (any sign; positive for synergy), in units of log ``base`` (bits by default).
    """
    gs = _group_list(as_pmf(p, "p"), groups, "groups")
    return (-1) ** len(gs) * co_information(p, gs, given, base=base)


def total_correlation(p: ArrayLike, groups: Sequence[int | Sequence[int]] | None = None, *, base: float = 2) -> float:
    r"""Total correlation (Watanabe 1960) :math:`C(X_1, \dots, X_n) = \sum_i H(X_i) - H(X_1, \dots, X_n)`.

    Equal to :math:`D(p \,\|\, \prod_i p_{X_i})` for disjoint groups, so :math:`\ge 0` with equality iff
    the groups are independent; for two groups it is :math:`I(X_1;X_2)`.  ``groups`` as in
    :func:`co_information`; the joint entropy is that of their union.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    groups : sequence of (int or tuple of int), optional
        The variable groups, as axis groups of ``p`` (default: one group per axis).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The total correlation :math:`\ge 0` (for disjoint groups), in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    gs = _group_list(p, groups, "groups")
    margs = [keep_axes(p, g) for g in gs]
    val = sum(entropy_nats(m, 1.0) for m in margs) - entropy_nats(keep_axes(p, axes_union(*gs)), 1.0)
    # each entropy of a law of total T = 1 + d is shifted by about -d: n - 1 of them do not cancel
    defect = (len(gs) - 1) * abs(float(margs[0].sum()) - 1.0)
    return clip_roundoff(val, p.dtype, p.size, defect) / lb


def dual_total_correlation(p: ArrayLike, groups: Sequence[int | Sequence[int]] | None = None, *,
                           base: float = 2) -> float:
    r"""Dual total correlation (Han 1978) :math:`D(X_1, \dots, X_n) = H(X) - \sum_i H(X_i \mid X_{-i})`.

    :math:`X` is the union of all groups and :math:`X_{-i}` the union of all but the :math:`i`-th: the
    part of the joint entropy shared by at least two groups (the *binding information*).  Non-negative
    for disjoint groups; for two groups it equals :math:`I(X_1;X_2)`.  ``groups`` as in
    :func:`co_information`.  Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    groups : sequence of (int or tuple of int), optional
        The variable groups, as axis groups of ``p`` (default: one group per axis).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The dual total correlation :math:`\ge 0`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    p = as_pmf(p, "p")
    gs = _group_list(p, groups, "groups")
    whole = axes_union(*gs)
    rest = [axes_union(*(gs[:i] + gs[i + 1 :])) for i in range(len(gs))]
    pw = keep_axes(p, whole)
    val = entropy_nats(pw, 1.0) - sum(_cond_h(p, g, r) for g, r in zip(gs, rest))
    # the entropies' shifts by the mass defect cancel in each H(X_i | X_-i) and leave the one of H(X)
    return clip_roundoff(val, p.dtype, p.size, abs(float(pw.sum()) - 1.0)) / lb


def o_information(p: ArrayLike, groups: Sequence[int | Sequence[int]] | None = None, *, base: float = 2) -> float:
    r"""O-information (Rosas et al. 2019) :math:`\Omega(X_1, \dots, X_n) = C(X) - D(X)`, total minus dual total correlation.

    Positive when the dependences are dominated by redundancy, negative when by synergy; for three
    variables it equals the co-information :math:`I(X_1;X_2;X_3)`.  Equivalently
    :math:`\Omega = (n-2)H(X) + \sum_i [H(X_i) - H(X_{-i})]`.  ``groups`` as in :func:`co_information`.
    Units of ``base``.  Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    groups : sequence of (int or tuple of int), optional
        The variable groups, as axis groups of ``p`` (default: one group per axis).
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The O-information (positive: redundancy dominates; negative: synergy), in units of log ``base`` (bits by default).
    """
    return total_correlation(p, groups, base=base) - dual_total_correlation(p, groups, base=base)
