r"""The one log-sum-exp of the package's solvers: :func:`~semtheory.core.logexp.logsumexp` and :func:`~semtheory.core.logexp.log_normalise` in plain numpy.

Core (no chapter).  The log-domain solvers call these in their inner loops: chapter 5's Blahut–Arimoto
(:mod:`semtheory.ratedistortion`) on a log output law, chapter 9's information bottleneck
(:mod:`semtheory.embedding`) on the rows of its log encoder.  ``scipy.special.logsumexp`` computes the same
values (within round-off) but costs a per-call dispatch that dominates these small arrays; :func:`exp0` is
``numpy.exp`` bit for bit without the slow path numpy takes on every entry that underflows.

Conventions of the kernel (tested against ``scipy.special.logsumexp`` in ``tests/test_core_logsumexp.py``):
entries may be :math:`-\infty` (a zero weight); a slice that is :math:`-\infty` everywhere (an empty sum) has
log-sum-exp :math:`-\infty`, as in scipy, and :func:`log_normalise` refuses it with a ``ValueError`` (its law is
undefined), so no NaN comes out of an input without NaN or :math:`+\infty`.  :func:`logsumexp` does not validate
(NaN entries give NaN, :math:`+\infty` gives :math:`+\infty`): it sits in solvers' inner loops, whose callers
decide.  Units: those of the input (nats for natural-log weights).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["EXP_ZERO", "exp0", "logsumexp", "log_normalise"]

EXP_ZERO = -746.0
"""``numpy.exp(x)`` is exactly 0.0 for every ``x < -745.14`` (below half the smallest subnormal): below this, skip it."""


def exp0(A: np.ndarray, out: np.ndarray | None = None, mask: np.ndarray | None = None) -> np.ndarray:
    r""":math:`e^{A}` elementwise, ``numpy.exp(A)`` bit for bit, without evaluating the entries below ``-746`` (whose exponential is exactly 0).

    numpy's exp takes a slow path on every entry that underflows; on a Gibbs kernel at large :math:`\beta` most
    entries do, and skipping them makes a 256 x 256 kernel several times cheaper (chapter 5).  NaN entries give
    0 on arrays of 4096 entries or more (``numpy.exp``'s NaN below that).

    Parameters
    ----------
    A : numpy.ndarray
        The exponents (real).
    out : numpy.ndarray or None, default None
        A float work array of ``A``'s shape for the result.
    mask : numpy.ndarray or None, default None
        A bool work array of ``A``'s shape.

    Returns
    -------
    numpy.ndarray
        :math:`e^{A}`, of ``A``'s shape (``out`` when given).
    """
    if A.size < 4096:  # small arrays: the mask costs more than it saves
        with np.errstate(under="ignore"):
            return np.exp(A, out=out)
    if out is None:
        out = np.zeros(A.shape)
    else:
        out.fill(0.0)
    with np.errstate(under="ignore", invalid="ignore"):
        mask = np.greater_equal(A, EXP_ZERO, out=mask)
        np.exp(A, out=out, where=mask)
    return out


def logsumexp(A: np.ndarray, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> np.ndarray:
    r"""Log-sum-exp :math:`\log\sum_i e^{a_i}` along ``axis``, shifted by the maximum: :math:`m + \log\sum_i e^{a_i - m}`.

    A slice that is :math:`-\infty` everywhere gives :math:`-\infty` (the log of an empty sum), as
    ``scipy.special.logsumexp`` does, without its warning; a :math:`+\infty` entry gives :math:`+\infty`; NaN
    propagates (no validation: an inner-loop kernel).  Chapters 5 and 9.

    Parameters
    ----------
    A : numpy.ndarray
        Real log weights (nats, or any log units).
    axis : int, tuple of int or None, default None
        The axes summed over (``None``: all).
    keepdims : bool, default False
        Keep the summed axes with length 1.

    Returns
    -------
    numpy.ndarray
        The log-sum-exp, in the units of ``A``: a 0-d array for ``axis=None`` without ``keepdims``.

    Examples
    --------
    >>> float(logsumexp(np.log(np.array([0.25, 0.25, 0.5]))))
    0.0
    >>> logsumexp(np.array([[0.0, 0.0], [-np.inf, -np.inf]]), axis=1).tolist() == [math.log(2), -math.inf]
    True
    """
    m = np.max(A, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore", under="ignore", invalid="ignore"):
        out = np.log(np.sum(exp0(A - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        out = np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
    return out


def log_normalise(u: np.ndarray, axis: int | None = None) -> np.ndarray:
    r"""Log weights normalised to a log pmf along ``axis``: :math:`u - \log\sum e^{u}` (:func:`logsumexp`), bit for bit.

    With ``axis=None`` the whole array is one law (the Blahut–Arimoto step on a 1-D log output law, chapter 5,
    with fewer numpy calls than the general route); with an axis, each slice along it is one (the rows of the
    information bottleneck's log encoder, chapter 9).  :math:`-\infty` entries stay :math:`-\infty` (zero mass).

    Parameters
    ----------
    u : numpy.ndarray
        Real log weights (nats, or any log units), entries in :math:`[-\infty, \infty)`.
    axis : int or None, default None
        The axis of each law (``None``: the whole array).

    Returns
    -------
    numpy.ndarray
        The log pmf(s), of ``u``'s shape: :math:`\log\sum e^{\cdot} = 0` along ``axis``.

    Raises
    ------
    ValueError
        If ``u`` has a NaN or :math:`+\infty` entry, or a slice that is :math:`-\infty` everywhere (a law of no
        mass: nothing to normalise).

    Examples
    --------
    >>> np.exp(log_normalise(np.log(np.array([[1.0, 3.0], [2.0, 2.0]])), axis=1)).round(12).tolist()
    [[0.25, 0.75], [0.5, 0.5]]
    """
    m = np.max(u, axis=axis, keepdims=axis is not None)
    if axis is None:
        if math.isfinite(m):
            return u - (np.log(np.exp(u - m).sum()) + m)  # (an underflow in exp is ignored by numpy's default state)
        bad = m
    elif np.isfinite(m).all():
        return u - logsumexp(u, axis=axis, keepdims=True)
    else:
        bad = m[~np.isfinite(m)].flat[0]
    if np.isnan(bad) or bad == math.inf:
        raise ValueError("u must not hold NaN or +inf (the log weights of a law)")
    raise ValueError("u is -inf everywhere along the normalised axis (a law of no mass cannot be normalised)"
                     if axis is not None else "u is -inf everywhere (a law of no mass cannot be normalised)")
