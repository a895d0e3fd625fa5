r"""Distortion measures :math:`d(x, y)` as matrices: Hamming, squared error, log-loss, additive (block) and
difference distortions (chapter 5).  Part of :mod:`semtheory.ratedistortion`.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_real_array, as_stochastic, check_int, log_base
from ._common import MAX_CELLS, as_distortion, reject_complex
from ..core.types import ArrayLike


def hamming_distortion(vocab_size: int, reproductions: ArrayLike | None = None) -> np.ndarray:
    r"""Hamming distortion :math:`d(x, y) = \mathbb 1[x \ne y]` on ``vocab_size`` source symbols.

    ``reproductions`` (default ``vocab_size``) is the number of reproduction symbols; symbol ``y`` reproduces ``x``
    exactly iff ``y == x``.  Dimensionless (an error probability).  Chapter 5.

    Parameters
    ----------
    vocab_size : int
        Number of source symbols, at least 1.
    reproductions : int, optional
        Number of reproduction symbols (default ``vocab_size``), at least 1.

    Returns
    -------
    numpy.ndarray, shape (size, reproductions)
        The matrix :math:`d[x, y] = \mathbb 1[x \ne y]` (dimensionless).

    Examples
    --------
    >>> hamming_distortion(2)
    array([[0., 1.],
           [1., 0.]])
    """
    m = check_int(vocab_size, "vocab_size", minimum=1)
    k = m if reproductions is None else check_int(reproductions, "reproductions", minimum=1)
    return (np.arange(m)[:, None] != np.arange(k)[None, :]).astype(float)


def squared_error_distortion(points: ArrayLike, reproductions: ArrayLike | None = None) -> np.ndarray:
    r"""Squared-error distortion :math:`d(x, y) = (x - y)^2` between real source ``points`` and ``reproductions``.

    Both are 1-D arrays of finite reals (``reproductions`` defaults to ``points``).  Units: squared units of
    the points.  Chapter 5.

    Parameters
    ----------
    points : array_like, shape (m,)
        The source letters, finite reals.
    reproductions : array_like, shape (k,), optional
        The reproduction letters, finite reals (default ``points``).

    Returns
    -------
    numpy.ndarray, shape (m, k)
        The matrix :math:`d[x, y] = (x - y)^2`, in squared units of the points.

    Examples
    --------
    >>> squared_error_distortion([0.0, 1.0], [0.5])
    array([[0.25],
           [0.25]])
    """
    x = as_real_array(points, "points", ndim=1)
    y = x if reproductions is None else as_real_array(reproductions, "reproductions", ndim=1)
    return (x[:, None] - y[None, :]) ** 2


def log_loss_distortion(reproductions: ArrayLike | None, *, base: float = 2) -> np.ndarray:
    r"""Log-loss distortion :math:`d(x, q) = -\log q(x)` for a list of reproduction pmfs ``q``.

    ``reproductions[j]`` is a pmf over the source alphabet (rows of a row-stochastic matrix of shape
    ``(|Y|, |X|)``); the result has shape ``(|X|, |Y|)`` with ``+inf`` where :math:`q_j(x) = 0`.  The average
    distortion of a test channel is then a cross-entropy, in units of ``base``.  With the point masses
    :math:`\delta_x` and the source pmf itself among the reproductions, :math:`R(D) = H(X) - D`
    exactly (:func:`log_loss_rd`).  Chapter 5.

    Parameters
    ----------
    reproductions : array_like, shape (k, m)
        Row-stochastic matrix: row ``j`` is the reproduction pmf :math:`q_j` over the ``m`` source letters.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    numpy.ndarray, shape (m, k)
        :math:`d[x, j] = -\log q_j(x)` in units of log ``base`` (bits by default); ``+inf`` where
        :math:`q_j(x) = 0`.
    """
    lb = log_base(base)
    Q = as_stochastic(reproductions, "reproductions")
    if Q.ndim != 2:
        raise ValueError(f"reproductions must be a matrix whose rows are pmfs, got shape {Q.shape}")
    with np.errstate(divide="ignore"):
        return (-np.log(Q) / lb).T.copy()


def additive_distortion(distortion: ArrayLike, n: int) -> np.ndarray:
    r"""Block distortion :math:`d_n(x^n, y^n) = \sum_{t=1}^n d(x_t, y_t)` as an array with axes :math:`X_1..X_n, Y_1..Y_n`.

    The *total* (not the average) per-letter distortion; divide by ``n`` for the per-symbol average.  The axis
    layout is the joint layout of :mod:`semtheory.directed`.  Chapter 5.

    Parameters
    ----------
    distortion : array_like, shape (nx, ny)
        Per-letter distortion matrix :math:`d(x, y)` (``+inf`` forbids a pair).
    n : int
        Block length, at least 1; the table has at most ``2**23`` cells.

    Returns
    -------
    numpy.ndarray, shape (nx,) * n + (ny,) * n
        :math:`d_n(x^n, y^n)`, axes :math:`X_1..X_n, Y_1..Y_n`, in the units of ``distortion`` (a total, not
        a per-symbol average).
    """
    d = as_distortion(distortion)
    n = check_int(n, "n", minimum=1)
    nx, ny = d.shape
    if (nx * ny) ** n > MAX_CELLS:
        raise ValueError(f"n={n} with a {nx}x{ny} distortion gives more than {MAX_CELLS} cells")
    out = np.zeros((nx,) * n + (ny,) * n)
    for t in range(n):
        shape = [1] * (2 * n)
        shape[t], shape[n + t] = nx, ny
        out = out + d.reshape(shape)
    return out


def difference_distortion(rho: ArrayLike) -> np.ndarray:
    r"""The matrix :math:`d(x, y) = \rho((x - y) \bmod m)` of a difference distortion on :math:`\mathbb Z_m` (chapter 5).

    Parameters
    ----------
    rho : array_like, shape (m,)
        Finite distortions :math:`\rho(z)` of the differences :math:`z = 0..m-1`, ``m >= 2``.

    Returns
    -------
    numpy.ndarray, shape (m, m)
        The matrix :math:`d[x, y] = \rho((x - y) \bmod m)`, in the units of ``rho``.

    Examples
    --------
    >>> difference_distortion([0.0, 1.0, 1.0])
    array([[0., 1., 1.],
           [1., 0., 1.],
           [1., 1., 0.]])
    """
    reject_complex(rho, "rho")
    try:
        r = np.asarray(rho, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("rho must be a 1-D array of finite distortions") from None
    if r.ndim != 1 or r.size < 2 or not np.isfinite(r).all():
        raise ValueError("rho must be a finite 1-D array with at least two entries")
    m = r.size
    idx = (np.arange(m)[:, None] - np.arange(m)[None, :]) % m
    return r[idx]
