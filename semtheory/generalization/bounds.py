"""The loss range of the softmax cross-entropy and the information-theoretic generalisation bounds
(chapter 12): Hoeffding's constant, the Xu-Raginsky bound, the logit budgets and the Steinke-Zakynthinou bound."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import logsumexp

from .._validate import as_array as _asarray
from .._validate import as_float, as_logits, check_int, check_positive, check_real, log_base

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray


def _finite(x, name) -> float:
    v = check_real(x, name, finite=False)  # a real number: strings, bools and complex refused
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {x!r}")
    return v


def hoeffding_sigma(a: float, b: float) -> float:
    r"""Sub-Gaussian constant :math:`\sigma = (b-a)/2` of a random variable in :math:`[a, b]` (Hoeffding's lemma).

    :math:`\log \E e^{\lambda(L - \E L)} \le \lambda^2 (b-a)^2/8` for all :math:`\lambda`.  Units of the
    loss (nats for cross-entropy).  Chapter 12.

    Parameters
    ----------
    a : float
        The lower end of the range (finite).
    b : float
        The upper end of the range (finite), greater than ``a``.

    Returns
    -------
    float
        :math:`\sigma = (b-a)/2`, in the units of the loss.

    Examples
    --------
    >>> hoeffding_sigma(0.0, 3.0)
    1.5
    """
    a, b = _finite(a, "a"), _finite(b, "b")
    if not b > a:
        raise ValueError(f"b must exceed a, got a={a}, b={b}")
    return (b - a) / 2.0


def mi_generalization_bound(mi: float, n: int, sigma: float, *, base: float = 2) -> float:
    r"""Xu–Raginsky bound :math:`|\E[L_\mu(W) - L_S(W)]| \le \sqrt{2\sigma^2 \I(W;S)/n}`.

    ``mi`` is :math:`\I(W;S)` in units of log ``base`` (bits by default), ``n`` the sample size, ``sigma`` the
    sub-Gaussian constant of the loss (same units as the loss).  The formula holds with :math:`\I(W;S)` in nats,
    so ``mi`` is converted to nats first (:math:`\I_{\text{nats}} = \I \cdot \ln \text{base}`); the bound is a
    gap of losses, in the loss's units (nats of cross-entropy), whatever ``base``.  Chapter 12.

    Parameters
    ----------
    mi : float
        :math:`\I(W;S) \ge 0`, in units of log ``base``.
    n : int
        The sample size, at least 1.
    sigma : float
        The sub-Gaussian constant of the loss, positive (units of the loss).
    base : float, keyword-only, default 2
        Logarithm base of ``mi`` (2: bits, e: nats).

    Returns
    -------
    float
        The bound on the expected gap, in the units of the loss (nats for cross-entropy).

    Examples
    --------
    >>> mi_generalization_bound(0.5, 100, 1.0, base=math.e)
    0.1
    >>> mi_generalization_bound(1.0, 100, 1.0) == mi_generalization_bound(math.log(2), 100, 1.0, base=math.e)
    True
    """
    lb = log_base(base)
    mi = _finite(mi, "mi")
    if mi < 0:
        raise ValueError(f"mi must be >= 0, got {mi}")
    n = check_int(n, "n", minimum=1)
    sigma = check_positive(sigma, "sigma")
    return math.sqrt(2.0 * sigma**2 * (mi * lb) / n)


def softmax_cross_entropy(logits: ArrayLike, label: ArrayLike) -> FloatArray:
    r"""Softmax cross-entropy :math:`\ell(z, y) = \log\sum_{k} e^{z_k} - z_y` in nats.

    ``logits`` has shape (..., K); ``label`` integer(s) in ``0..K-1`` broadcastable to the leading
    shape.  Chapter 12.

    Parameters
    ----------
    logits : array_like, shape (..., K)
        Finite logits, :math:`K \ge 2`.
    label : int or array_like of int
        Label(s) in ``0..K-1``, broadcastable to ``logits.shape[:-1]``.

    Returns
    -------
    numpy.ndarray, shape logits.shape[:-1]
        The losses, in nats.

    Examples
    --------
    >>> float(softmax_cross_entropy([0.0, 0.0], 1)) == math.log(2)
    True
    """
    z = as_logits(logits, finite=True, min_classes=2)
    y = _asarray(label, "label")
    if y.dtype.kind not in "iu":
        raise ValueError(f"label must be integer, got dtype {y.dtype}")
    K = z.shape[-1]
    if np.any(y < 0) or np.any(y >= K):
        raise ValueError(f"label must lie in 0..{K - 1}")
    try:
        y = np.broadcast_to(y, z.shape[:-1])
    except ValueError:
        raise ValueError(f"label of shape {y.shape} does not broadcast to the leading shape {z.shape[:-1]} of logits") from None
    zy = np.take_along_axis(z, y[..., None], axis=-1)[..., 0]
    return logsumexp(z, axis=-1) - zy


def cross_entropy_range(logits: ArrayLike) -> tuple[FloatArray, FloatArray]:
    r"""Smallest and largest loss over labels: :math:`(\mathrm{lse}(z) - \max z,\ \mathrm{lse}(z) - \min z)`.

    Both lie in :math:`[0, \log K + \max z - \min z]`.  Nats.  Chapter 12.

    Parameters
    ----------
    logits : array_like, shape (..., K)
        Finite logits, :math:`K \ge 2`.

    Returns
    -------
    tuple of numpy.ndarray, each of shape logits.shape[:-1]
        The smallest and the largest loss over labels, in nats.
    """
    z = as_logits(logits, finite=True, min_classes=2)
    lse = logsumexp(z, axis=-1)
    return lse - z.max(axis=-1), lse - z.min(axis=-1)


def cross_entropy_upper(logits: ArrayLike) -> FloatArray:
    r"""Upper end of the loss range :math:`\log K + \max_k z_k - \min_k z_k` (nats).  Chapter 12.

    Parameters
    ----------
    logits : array_like, shape (..., K)
        Finite logits, :math:`K \ge 2`.

    Returns
    -------
    numpy.ndarray, shape logits.shape[:-1]
        :math:`\log K + \max z - \min z`, in nats.

    Examples
    --------
    >>> float(cross_entropy_upper([0.0, 0.0])) == math.log(2)
    True
    """
    z = as_logits(logits, finite=True, min_classes=2)
    return math.log(z.shape[-1]) + z.max(axis=-1) - z.min(axis=-1)


def cross_entropy_sup_given_range(K: int, r: ArrayLike) -> FloatArray:
    r"""Exact :math:`\sup \ell(z,y)` over logits with :math:`\max z - \min z = r`: :math:`r + \log(K-1+e^{-r})`.

    Attained with :math:`K-1` logits at the maximum and the label's logit at the minimum; it is at most
    :math:`\log K + r` with equality iff :math:`r = 0`.  Nats.  Chapter 12.

    Parameters
    ----------
    K : int
        The number of classes, at least 2.
    r : float or array_like
        Logit spread(s) :math:`r \ge 0` (finite).

    Returns
    -------
    numpy.ndarray
        The supremum of the loss for each ``r``, in nats (shape of ``r``).

    Examples
    --------
    >>> float(cross_entropy_sup_given_range(2, 0.0)) == math.log(2)
    True
    """
    K = check_int(K, "K", minimum=2)
    r = as_float(r, "r")
    if not np.all(np.isfinite(r)) or np.any(r < 0):
        raise ValueError("r must be finite and >= 0")
    return r + np.log(K - 1 + np.exp(-r))


def logit_sum_bound(mi: float, n: int, K: int, logit_l1: float, *, base: float = 2) -> float:
    r"""Bound in terms of the logits' absolute sum: :math:`(\log K + B)\sqrt{\I(W;S)/(2n)}`.

    Valid when every hypothesis' logits satisfy :math:`\sum_k |z_k| \le B` (``logit_l1``), since then
    :math:`\ell \in [0, \log K + B]` and :math:`\sigma = (\log K + B)/2`.  ``mi`` is in units of log ``base`` (bits
    by default) and converted to nats inside; the bound is a gap of cross-entropy losses, in nats.  Chapter 12.

    Parameters
    ----------
    mi : float
        :math:`\I(W;S) \ge 0`, in units of log ``base``.
    n : int
        The sample size, at least 1.
    K : int
        The number of classes, at least 2.
    logit_l1 : float
        The budget :math:`B \ge 0` on :math:`\sum_k |z_k|`.
    base : float, keyword-only, default 2
        Logarithm base of ``mi`` (2: bits, e: nats).

    Returns
    -------
    float
        The bound on the expected gap of cross-entropy losses, in nats (whatever ``base``).
    """
    K = check_int(K, "K", minimum=2)
    B = check_positive(logit_l1, "logit_l1", allow_zero=True)
    return mi_generalization_bound(mi, n, hoeffding_sigma(0.0, math.log(K) + B), base=base)


def logit_spread_bound(mi: float, n: int, K: int, spread: float, *, base: float = 2) -> float:
    r"""Bound in terms of the logits' spread: :math:`(\log K + R)\sqrt{\I(W;S)/(2n)}`.

    Valid when every hypothesis' logits satisfy :math:`\max_k z_k - \min_k z_k \le R` (``spread``): then
    :math:`\ell \in [0, \log K + R]` (:func:`cross_entropy_upper`) and :math:`\sigma = (\log K + R)/2`.  The spread
    is invariant under a common shift of the logits, unlike their absolute sum.  ``mi`` is in units of log ``base``
    (bits by default) and converted to nats inside; the bound is a gap of cross-entropy losses, in nats.  Chapter 12.

    Parameters
    ----------
    mi : float
        :math:`\I(W;S) \ge 0`, in units of log ``base``.
    n : int
        The sample size, at least 1.
    K : int
        The number of classes, at least 2.
    spread : float
        The budget :math:`R \ge 0` on :math:`\max_k z_k - \min_k z_k`.
    base : float, keyword-only, default 2
        Logarithm base of ``mi`` (2: bits, e: nats).

    Returns
    -------
    float
        The bound on the expected gap of cross-entropy losses, in nats (whatever ``base``).
    """
    K = check_int(K, "K", minimum=2)
    R = check_positive(spread, "spread", allow_zero=True)
    return mi_generalization_bound(mi, n, hoeffding_sigma(0.0, math.log(K) + R), base=base)


class LogitBudgets(NamedTuple):
    """``(spread, l1, l1_centred)`` of :func:`logit_budgets`.

    Attributes
    ----------
    spread : numpy.ndarray
        max z - min z over the last axis (units of the logits).
    l1 : numpy.ndarray
        The absolute sum of the logits.
    l1_centred : numpy.ndarray
        The absolute sum after the best common shift (about the median).
    """

    spread: np.ndarray
    l1: np.ndarray
    l1_centred: np.ndarray


def logit_budgets(logits: ArrayLike) -> LogitBudgets:
    r"""Three budgets of a logit vector (last axis): spread :math:`\max z - \min z`, :math:`\|z\|_1`, and
    :math:`\min_c \|z - c\mathbf 1\|_1 = \|z - \operatorname{median}(z)\|_1` (the absolute sum after the best shift).

    Always ``spread <= l1_centred <= l1`` (:math:`\max z - \min z = |z_{\max} - c| + |c - z_{\min}|` for any
    :math:`c` between them).  Units of the logits (nats).  Chapter 12.

    Parameters
    ----------
    logits : array_like, shape (..., K)
        Finite logits, :math:`K \ge 2`.

    Returns
    -------
    LogitBudgets
        ``(spread, l1, l1_centred)``, each an array of shape ``logits.shape[:-1]``, in the units of the logits.

    Examples
    --------
    >>> b = logit_budgets([1.0, -1.0, 0.0])
    >>> float(b.spread), float(b.l1), float(b.l1_centred)
    (2.0, 2.0, 2.0)
    """
    z = as_logits(logits, finite=True, min_classes=2)
    med = np.median(z, axis=-1, keepdims=True)
    return LogitBudgets(np.ptp(z, axis=-1), np.abs(z).sum(axis=-1), np.abs(z - med).sum(axis=-1))


def cmi_generalization_bound(cmi: float, n: int, loss_range: float, *, base: float = 2) -> float:
    r"""Steinke–Zakynthinou bound :math:`|\E[\mathrm{gen}]| \le c\sqrt{2\,\mathrm{CMI}/n}` for a loss in :math:`[0, c]`.

    Since :math:`\mathrm{CMI} \le n\log 2` (:math:`n` bits), it never exceeds :math:`c\sqrt{2\log 2}`: finite for
    every learner.  ``cmi`` is in units of log ``base`` (bits by default) and converted to nats inside (the formula
    is in nats); the bound is a gap of losses, in the units of the loss.  Chapter 12.

    Parameters
    ----------
    cmi : float
        The conditional mutual information, >= 0, in units of log ``base``.
    n : int
        The sample size, at least 1.
    loss_range : float
        The upper end :math:`c > 0` of the loss range (units of the loss).
    base : float, keyword-only, default 2
        Logarithm base of ``cmi`` (2: bits, e: nats).

    Returns
    -------
    float
        The bound on the expected gap, in the units of the loss.

    Examples
    --------
    >>> cmi_generalization_bound(0.5, 100, 1.0, base=math.e)
    0.1
    >>> math.isclose(cmi_generalization_bound(100, 100, 1.0), math.sqrt(2 * math.log(2)))   # CMI = n bits, the most
    True
    """
    lb = log_base(base)
    cmi = _finite(cmi, "cmi")
    if cmi < 0:
        raise ValueError(f"cmi must be >= 0, got {cmi}")
    n = check_int(n, "n", minimum=1)
    c = check_positive(loss_range, "loss_range")
    return c * math.sqrt(2.0 * (cmi * lb) / n)
