"""Fano's inequality and the MAP error probability (chapter 2); re-exported by :mod:`semtheory.measures`."""

from __future__ import annotations

import math
from numbers import Real
from typing import Sequence

import numpy as np

from ..core.types import ArrayLike
from .._validate import as_pmf, check_int, check_probability, log_base
from ._common import is_empty_group, axis_groups, axes_minus, axes_union, keep_axes
from .basic import binary_entropy


# ----------------------------------------------------------------------------------------------
# Fano's inequality
# ----------------------------------------------------------------------------------------------


def fano_bound(error_probability: float, vocab_size: int, *, base: float = 2) -> float:
    r"""Fano's bound :math:`H(X \mid \hat X) \le h(P_e) + P_e \log(|\mathcal X| - 1)`.

    Returns the right-hand side: the largest conditional entropy (equivocation) compatible with
    error probability ``P_e`` over an alphabet of size ``vocab_size`` (>= 2).  Units of ``base``.
    Chapter 2.

    Parameters
    ----------
    error_probability : float
        :math:`P_e \in [0, 1]`.
    vocab_size : int
        :math:`|\mathcal X| \ge 2`.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The largest equivocation :math:`h(P_e) + P_e \log(|\mathcal X| - 1)` compatible with :math:`P_e`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    pe = check_probability(error_probability, "error_probability")
    m = check_int(vocab_size, "vocab_size", minimum=2)
    return float(binary_entropy(pe, base=base)) + pe * math.log(m - 1) / lb


def fano_error_lower_bound(equivocation: float, vocab_size: int, *, base: float = 2) -> float:
    r"""Smallest error probability allowed by Fano's inequality for a given equivocation :math:`H(X\mid Y)`.

    The Fano function :math:`F(P_e) = h(P_e) + P_e \log(|\mathcal X|-1)` increases from 0 to
    :math:`\log|\mathcal X|` on :math:`[0, 1 - 1/|\mathcal X|]`; the result is the unique
    :math:`P_e` there with :math:`F(P_e) = H(X \mid Y)` (0 when the equivocation is 0).  Every
    estimator of X from Y errs at least this often.  ``equivocation`` is in units of ``base`` and must
    lie in :math:`[0, \log|\mathcal X|]`.  Chapter 2.

    Parameters
    ----------
    equivocation : float
        :math:`H(X \mid Y)`, in units of log ``base``, in :math:`[0, \log|\mathcal X|]`.
    vocab_size : int
        :math:`|\mathcal X| \ge 2`.
    base : float, keyword-only, default 2
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Returns
    -------
    float
        The smallest error probability allowed by Fano's inequality, in :math:`[0, 1 - 1/|\mathcal X|]`.
    """
    from scipy.optimize import brentq

    lb = log_base(base)
    m = check_int(vocab_size, "vocab_size", minimum=2)
    if isinstance(equivocation, bool) or not isinstance(equivocation, (Real, np.floating, np.integer)):
        raise ValueError(f"equivocation must be a real number, got {equivocation!r}")
    h = float(equivocation) * lb  # nats
    hmax = math.log(m)
    if not math.isfinite(h) or h < 0:
        raise ValueError(f"equivocation must be finite and >= 0 (in units of base), got {equivocation!r}")
    if h > hmax * (1 + 1e-12):
        raise ValueError(f"equivocation must be <= log(vocab_size) = {hmax / lb:.6g}, got {equivocation!r}")
    if h == 0:
        return 0.0
    top = 1 - 1 / m
    if h >= hmax:
        return top

    def f(x):
        return fano_bound(x, m, base=math.e) - h

    return float(brentq(f, 0.0, top, xtol=1e-15, rtol=4 * np.finfo(float).eps))


def map_error_probability(p: ArrayLike, axes: int | Sequence[int], given: int | Sequence[int] | None) -> float:
    r"""Error probability of the best (maximum a posteriori) guess of :math:`X_A` from :math:`X_B`.

    :math:`P_e^* = 1 - \sum_{x_B} \max_{x_A} p(x_A, x_B)`; with ``given=()`` or ``None`` it is
    :math:`1 - \max_{x_A} p(x_A)` (guessing blind).  No estimator of :math:`X_A` from :math:`X_B`
    does better, so Fano's inequality applied to :math:`P_e^*` is the strongest form.  Unitless.
    Chapter 2.

    Parameters
    ----------
    p : array_like
        A joint pmf, one axis per variable (``p[x, y] = P(X=x, Y=y)``).
    axes : int or tuple of int
        The axes of :math:`X_A`, the guessed variables.
    given : int or tuple of int or None
        The axes of :math:`X_B`, the observed ones (``()`` or None: guess blind).

    Returns
    -------
    float
        :math:`P_e^*`, a probability.
    """
    p = as_pmf(p, "p")
    if is_empty_group(given):
        (a,) = axis_groups(p, {"axes": axes})
        return float(max(0.0, 1.0 - keep_axes(p, a).max()))
    a, b = axis_groups(p, {"axes": axes, "given": given})
    a = axes_minus(a, b)  # overlap rule: the axes of A inside B are known
    if not a:
        return 0.0
    q = keep_axes(p, axes_union(a, b))
    best = q.max(axis=a)  # max over x_A, for every x_B (other axes have length 1)
    return float(min(1.0, max(0.0, 1.0 - best.sum())))
