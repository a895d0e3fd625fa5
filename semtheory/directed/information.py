"""Directed information, its reverse, causally conditioned entropies and the conservation law (chapter 3).

Each measure validates the joint law once and computes every term from its prefix entropies."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..core.types import ArrayLike
from .. import measures
from .._validate import log_base
from ..core.law import as_joint_law, x_axes, y_axes
from ._common import di_terms, entropy_profile, joint_with_entropy, profile_of, rdi_terms


def causally_conditioned_entropy(p: ArrayLike, *, base: float = 2) -> float:
    r"""Causally conditioned entropy :math:`H(Y^n \| X^n) = \sum_{t=1}^n H(Y_t \mid Y^{t-1}, X^t) = E[-\log P(Y^n \| X^n)]`.

    ``p`` is a joint law in the module's layout.  Computed as
    :math:`\sum_t [H(X^t, Y^t) - H(X^t, Y^{t-1})]` from the prefix entropies of ``p`` (validated once; see
    :func:`directed_information_terms`).  Units of ``base`` (bits by default).  Chapters 3, 5.

    Parameters
    ----------
        p : array_like, 2n axes
            A joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

    Returns
    -------
        float
            :math:`H(Y^n \| X^n)`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    pr = profile_of(p)
    return max(float(np.sum(pr.xy[1:] - pr.xy_[1:])), 0.0) / lb


def reverse_causally_conditioned_entropy(p: ArrayLike, *, base: float = 2) -> float:
    r"""Delayed causally conditioned entropy :math:`H(X^n \| Y^{n-1}) = \sum_{t=1}^n H(X_t \mid X^{t-1}, Y^{t-1})`.

    Chain rule: :math:`H(X^n, Y^n) = H(Y^n \| X^n) + H(X^n \| Y^{n-1})`.  Computed as
    :math:`\sum_t [H(X^t, Y^{t-1}) - H(X^{t-1}, Y^{t-1})]` from the prefix entropies.  Units of ``base``.
    Chapter 3.

    Parameters
    ----------
        p : array_like, 2n axes
            A joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

    Returns
    -------
        float
            :math:`H(X^n \| Y^{n-1})`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    pr = profile_of(p)
    return max(float(np.sum(pr.xy_[1:] - pr.xy[:-1])), 0.0) / lb


def directed_information_terms(p: ArrayLike, *, base: float = 2) -> np.ndarray:
    r"""Per-step terms :math:`I(X^t; Y_t \mid Y^{t-1})`, :math:`t = 1..n`, of Massey's directed information.

    Computed as :math:`H(X^t, Y^{t-1}) - H(X^t, Y^t) + H(Y^t) - H(Y^{t-1})` from the entropies of the
    prefixes of ``p``: the joint law is validated once, in the same sweep that sums the entropy of the whole
    law; each prefix marginal is formed once, and only :math:`-q \ln q` of single masses is summed (in the
    log domain, no ratio or product of two small marginals, so laws with subnormal masses give finite
    values).  A ``2^22``-cell law costs about two passes of logarithms.  Their sum is
    :func:`directed_information`; their running sum is the expected cumulative information flow of
    chapter 7.  Units of ``base``.  Chapters 3, 7.

    Parameters
    ----------
        p : array_like, 2n axes
            A joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

    Returns
    -------
        ndarray, shape (n,)
            :math:`I(X^t; Y_t \mid Y^{t-1})` for :math:`t = 1..n`, in units of log ``base``.
    """
    lb = log_base(base)
    return di_terms(profile_of(p)) / lb


def directed_information(p: ArrayLike, *, base: float = 2) -> float:
    r"""Massey's directed information :math:`I(X^n \to Y^n) = \sum_{t=1}^n I(X^t; Y_t \mid Y^{t-1}) = H(Y^n) - H(Y^n \| X^n)`.

    ``p`` is a joint law with axes :math:`X_1..X_n, Y_1..Y_n`.  Non-negative, at most
    :math:`I(X^n; Y^n)`, with equality when there is no feedback.  Computed from prefix entropies as in
    :func:`directed_information_terms`.  Units of ``base`` (bits by default).  Chapters 3, 4, 5, 7, 8, 14.

    Parameters
    ----------
        p : array_like, 2n axes
            A joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

    Returns
    -------
        float
            :math:`I(X^n \to Y^n)`, in units of log ``base`` (bits by default).

    Examples
    --------
    >>> from semtheory import directed as d
    >>> p = d.joint_law(d.iid_policy([0.5, 0.5], 3), d.memoryless_channel(d.binary_symmetric_channel(0.0), 3))
    >>> round(d.directed_information(p), 12)
    3.0
    """
    return float(directed_information_terms(p, base=base).sum())


def reverse_directed_information_terms(p: ArrayLike, *, base: float = 2) -> np.ndarray:
    r"""Per-step terms :math:`I(Y^{t-1}; X_t \mid X^{t-1})`, :math:`t = 1..n` (the first is 0), of the reverse DI.

    Computed as :math:`H(X^t) - H(X^{t-1}) - H(X^t, Y^{t-1}) + H(X^{t-1}, Y^{t-1})` from the prefix
    entropies, like :func:`directed_information_terms`.  Units of ``base``.  Chapter 3.

    Parameters
    ----------
        p : array_like, 2n axes
            A joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

    Returns
    -------
        ndarray, shape (n,)
            :math:`I(Y^{t-1}; X_t \mid X^{t-1})` for :math:`t = 1..n` (the first is 0), in units of log ``base``.
    """
    lb = log_base(base)
    return rdi_terms(profile_of(p)) / lb


def reverse_directed_information(p: ArrayLike, *, base: float = 2) -> float:
    r"""Delayed reverse directed information :math:`I(0{*}Y^{n-1} \to X^n) = \sum_{t=1}^n I(Y^{t-1}; X_t \mid X^{t-1})`.

    The information the past outputs carry into the inputs (the feedback); zero iff the policy ignores
    past outputs.  Equals :math:`H(X^n) - H(X^n \| Y^{n-1})`.  Units of ``base``.  Chapters 3, 4.

    Parameters
    ----------
        p : array_like, 2n axes
            A joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

    Returns
    -------
        float
            :math:`I(0{*}Y^{n-1} \to X^n)`, in units of log ``base`` (bits by default).
    """
    return float(reverse_directed_information_terms(p, base=base).sum())


def sequence_mutual_information(p: ArrayLike, *, base: float = 2) -> float:
    r"""Mutual information :math:`I(X^n; Y^n)` between the whole sequences of a joint law in the module's layout.

    A thin wrapper of :func:`semtheory.measures.mutual_information` over the X and Y axes.  Units of
    ``base``.  Chapter 3.

    Parameters
    ----------
        p : array_like, 2n axes
            A joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

    Returns
    -------
        float
            :math:`I(X^n; Y^n)`, in units of log ``base`` (bits by default).
    """
    p, n = as_joint_law(p)
    return measures.mutual_information(p, x_axes(n), y_axes(n), base=base)


class Conservation(NamedTuple):
    r"""The three terms of the conservation law and the residual ``mutual - directed - reverse``.

    Attributes
    ----------
    mutual : float
        :math:`I(X^n; Y^n)`, in units of log ``base``.
    directed : float
        :math:`I(X^n \to Y^n)`, in units of log ``base``.
    reverse : float
        :math:`I(0{*}Y^{n-1} \to X^n)`, in units of log ``base``.
    residual : float
        ``mutual - directed - reverse`` (zero up to round-off).
    """

    mutual: float
    directed: float
    reverse: float
    residual: float


def conservation(p: ArrayLike, *, base: float = 2) -> Conservation:
    r"""Massey & Massey's conservation law :math:`I(X^n; Y^n) = I(X^n \to Y^n) + I(0{*}Y^{n-1} \to X^n)`.

    Returns ``Conservation(mutual, directed, reverse, residual)`` with ``residual`` = mutual - directed -
    reverse (zero up to round-off).  The mutual information is the ratio form over the whole law
    (:func:`semtheory.measures.mutual_information`), an independent route; both directed terms come from
    one profile of prefix entropies.  Units of ``base``.  Chapter 3.

    Parameters
    ----------
        p : array_like, 2n axes
            A joint pmf of :math:`(X^n, Y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`.
        base : float, keyword-only, default 2
            Logarithm base (2: bits, e: nats).

    Returns
    -------
        Conservation
            ``(mutual, directed, reverse, residual)``, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    arr, n, h = joint_with_entropy(p)
    mi = measures.mutual_information(arr, x_axes(n), y_axes(n), base=base)
    pr = entropy_profile(arr, n, h)
    di = float(di_terms(pr).sum()) / lb
    rdi = float(rdi_terms(pr).sum()) / lb
    return Conservation(mi, di, rdi, mi - di - rdi)
