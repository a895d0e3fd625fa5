"""VAR(p) processes: validation, companion form, stability, simulation and least-squares fit (chapter 8)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import linalg, signal

from ..core.types import ArrayLike, SeedLike
from .._validate import as_covariance, as_rng, check_int
from ._common import as_series, psd_sqrt, real, stable_var

#: Largest condition number of the companion eigenvectors for the fast (modal) VAR simulation.
_MODAL_COND = 1e6


# ----------------------------------------------------------------------------------------------
# VAR(p): validation, companion form, stability
# ----------------------------------------------------------------------------------------------


def as_var(coefs: ArrayLike, noise_cov: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""Validate a VAR(p): return ``(coefs, noise_cov)`` as arrays of shapes ``(p, d, d)`` and ``(d, d)``.

    ``coefs`` is ``(p, d, d)`` (or ``(d, d)`` for p = 1) with finite entries; ``noise_cov`` is ``None``
    (identity), a 1-D array of ``d`` non-negative variances, or a symmetric positive semi-definite
    ``(d, d)`` matrix.  Raises ``ValueError`` naming the argument otherwise.  Stability is *not* checked
    here (see :func:`is_stable`).  Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The VAR coefficients, ``coefs[k-1]`` = :math:`A_k` (a ``(d, d)`` array is a VAR(1)).
    noise_cov : array_like, shape (d, d) or (d,), optional
        The noise covariance :math:`\Sigma` (``None``: the identity; a 1-D array: its diagonal).

    Returns
    -------
    coefs : ndarray, shape (p, d, d)
        The coefficients, as floats.
    noise_cov : ndarray, shape (d, d)
        The noise covariance, symmetric positive semi-definite.

    Examples
    --------
    >>> A, S = as_var([[0.5]])
    >>> A.shape, S.shape
    ((1, 1, 1), (1, 1))
    """
    A = real(coefs, "coefs")
    if A.ndim == 2:
        A = A[None]
    if A.ndim != 3 or A.shape[1] != A.shape[2] or A.shape[0] < 1 or A.shape[1] < 1:
        raise ValueError(f"coefs must have shape (p, d, d) or (d, d), got {np.shape(coefs)}")
    if not np.all(np.isfinite(A)):
        raise ValueError("coefs contains NaN or inf")
    d = A.shape[1]
    if noise_cov is None:
        S = np.eye(d)
    else:
        S = as_covariance(noise_cov, "noise_cov", d)
    return A, S


def companion_matrix(coefs: ArrayLike) -> np.ndarray:
    r"""Companion matrix :math:`F` of a VAR(p): the state :math:`s_t = (X_t, \dots, X_{t-p+1})` obeys :math:`s_t = F s_{t-1} + (\varepsilon_t, 0, \dots)`.

    .. math:: F = \begin{pmatrix} A_1 & A_2 & \cdots & A_p \\ I & 0 & \cdots & 0 \\ & \ddots & & \vdots \\ 0 & \cdots & I & 0\end{pmatrix}

    Shape ``(dp, dp)``.  Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The VAR coefficients, ``coefs[k-1]`` = :math:`A_k` (a ``(d, d)`` array is a VAR(1)).

    Returns
    -------
    ndarray, shape (d p, d p)
        The companion matrix :math:`F`.

    Examples
    --------
    >>> companion_matrix([[[0.5]], [[0.2]]])
    array([[0.5, 0.2],
           [1. , 0. ]])
    """
    A, _ = as_var(coefs)
    p, d, _ = A.shape
    F = np.zeros((d * p, d * p))
    F[:d, :] = np.concatenate(list(A), axis=1)
    if p > 1:
        F[d:, :-d] = np.eye(d * (p - 1))
    return F


def spectral_radius(coefs: ArrayLike) -> float:
    r"""Largest modulus of an eigenvalue of the companion matrix (the VAR is stable iff it is < 1).  Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The VAR coefficients, ``coefs[k-1]`` = :math:`A_k` (a ``(d, d)`` array is a VAR(1)).

    Returns
    -------
    float
        The spectral radius of the companion matrix (dimensionless).

    Examples
    --------
    >>> spectral_radius([[0.5]])
    0.5
    """
    return float(np.abs(np.linalg.eigvals(companion_matrix(coefs))).max())


def is_stable(coefs: ArrayLike) -> bool:
    r"""True iff the VAR(p) is stable: every root of :math:`\det(I - \sum_k A_k z^k)` lies outside the unit circle,
    i.e. the spectral radius of the companion matrix is < 1 (then a unique stationary law exists).  Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The VAR coefficients, ``coefs[k-1]`` = :math:`A_k` (a ``(d, d)`` array is a VAR(1)).

    Returns
    -------
    bool
        Whether the spectral radius of the companion matrix is below 1.

    Examples
    --------
    >>> is_stable([[0.5]]), is_stable([[1.0]])
    (True, False)
    """
    return spectral_radius(coefs) < 1.0


def var_stationary_covariance(coefs: ArrayLike, noise_cov: ArrayLike | None = None) -> np.ndarray:
    r"""Stationary covariance of the companion state :math:`s_t = (X_t, \dots, X_{t-p+1})`.

    Solves the discrete Lyapunov equation :math:`P = F P F^\top + Q`, :math:`Q = \mathrm{diag}(\Sigma, 0, \dots)`.
    Block ``(i, j)`` is :math:`E[X_{t-i} X_{t-j}^\top] = \Gamma(j - i)`.  Requires a stable VAR.  Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The VAR coefficients, ``coefs[k-1]`` = :math:`A_k` (a ``(d, d)`` array is a VAR(1)).
    noise_cov : array_like, shape (d, d) or (d,), optional
        The noise covariance :math:`\Sigma` (``None``: the identity; a 1-D array: its diagonal).

    Returns
    -------
    ndarray, shape (d p, d p)
        The stationary covariance :math:`P` of the companion state, in squared units of the process.

    Examples
    --------
    >>> round(float(var_stationary_covariance([[0.5]])[0, 0]), 6)  # 1 / (1 - 0.5**2)
    1.333333
    """
    A, S = stable_var(coefs, noise_cov)
    p, d, _ = A.shape
    F = companion_matrix(A)
    Q = np.zeros_like(F)
    Q[:d, :d] = S
    P = linalg.solve_discrete_lyapunov(F, Q)
    return 0.5 * (P + P.T)


def var_autocovariance(coefs: ArrayLike, noise_cov: ArrayLike | None = None, max_lag: int = 10) -> np.ndarray:
    r"""Exact autocovariances :math:`\Gamma(h) = E[X_t X_{t-h}^\top]`, :math:`h = 0..` ``max_lag``, of a stable VAR(p).

    The first ``p`` lags come from the Lyapunov solution (:func:`var_stationary_covariance`); later ones
    from the Yule–Walker recursion :math:`\Gamma(h) = \sum_{k=1}^p A_k \Gamma(h-k)`.  Shape
    ``(max_lag + 1, d, d)``; :math:`\Gamma(-h) = \Gamma(h)^\top`.  Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The VAR coefficients, ``coefs[k-1]`` = :math:`A_k` (a ``(d, d)`` array is a VAR(1)).
    noise_cov : array_like, shape (d, d) or (d,), optional
        The noise covariance :math:`\Sigma` (``None``: the identity; a 1-D array: its diagonal).
    max_lag : int, default 10
        The largest lag :math:`h` (>= 0).

    Returns
    -------
    ndarray, shape (max_lag + 1, d, d)
        ``out[h]`` = :math:`\Gamma(h)`, in squared units of the process.
    """
    A, S = stable_var(coefs, noise_cov)
    max_lag = check_int(max_lag, "max_lag", minimum=0)
    p, d, _ = A.shape
    P = var_stationary_covariance(A, S)
    G = np.zeros((max(max_lag, p - 1) + 1, d, d))
    for j in range(p):
        G[j] = P[:d, j * d : (j + 1) * d]
    for h in range(p, len(G)):
        G[h] = sum(A[k] @ G[h - k - 1] for k in range(p))
    return G[: max_lag + 1]


def var_impulse_response(coefs: ArrayLike, horizon: int = 10) -> np.ndarray:
    r"""Impulse responses :math:`\Psi_h`, :math:`h = 0..` ``horizon``: :math:`\Psi_0 = I`, :math:`\Psi_h = \sum_{k=1}^{p} A_k \Psi_{h-k}`.

    In the VAR read as a structural causal model (each equation a mechanism, :math:`\varepsilon_t`
    exogenous), :math:`\Psi_h[i, j]` is the **causal effect** of an intervention on component ``j``:
    :math:`E[X^{(i)}_{t+h} \mid do(X^{(j)}_t = x)] = \Psi_h[i, j]\,x` for a zero-mean process (rung 2).
    Shape ``(horizon + 1, d, d)``.  Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The VAR coefficients, ``coefs[k-1]`` = :math:`A_k` (a ``(d, d)`` array is a VAR(1)).
    horizon : int, default 10
        The largest lag :math:`h` (>= 0).

    Returns
    -------
    ndarray, shape (horizon + 1, d, d)
        ``out[h]`` = :math:`\Psi_h` (dimensionless: the response per unit of intervention).
    """
    A, _ = as_var(coefs)
    horizon = check_int(horizon, "horizon", minimum=0)
    p, d, _ = A.shape
    Psi = np.zeros((horizon + 1, d, d))
    Psi[0] = np.eye(d)
    for h in range(1, horizon + 1):
        Psi[h] = sum(A[k] @ Psi[h - k - 1] for k in range(min(p, h)))
    return Psi


def simulate_var(coefs: ArrayLike, n: int, noise_cov: ArrayLike | None = None, *, seed: SeedLike = None) -> np.ndarray:
    r"""Simulate ``n`` consecutive values :math:`X_1..X_n` of a stable Gaussian VAR(p), returned as an ``(n, d)`` array.

    The initial state :math:`(X_0, \dots, X_{1-p})` is drawn from the exact stationary law (Lyapunov
    solution), so no burn-in is needed and every :math:`X_t` is stationary.  Deterministic under ``seed``.
    The recursion runs mode by mode (eigen-decomposition of the companion matrix, one ``lfilter`` per
    mode) when the eigenvectors are well conditioned, and as a plain loop otherwise.  Raises
    ``ValueError`` naming ``coefs`` if the VAR is not stable.  Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The VAR coefficients, ``coefs[k-1]`` = :math:`A_k` (a ``(d, d)`` array is a VAR(1)).
    n : int
        The number of time steps (>= 1).
    noise_cov : array_like, shape (d, d) or (d,), optional
        The noise covariance :math:`\Sigma` (``None``: the identity; a 1-D array: its diagonal).
    seed : int, numpy.random.Generator or None, keyword-only, default None
        The randomness (an int >= 0 gives a reproducible path).

    Returns
    -------
    ndarray, shape (n, d)
        The path, one row per time step.
    """
    return _simulate_var(coefs, n, noise_cov, seed=seed)


def _simulate_var(coefs, n, noise_cov=None, *, seed=None, method="auto") -> np.ndarray:
    A, S = stable_var(coefs, noise_cov)
    n = check_int(n, "n", minimum=1)
    rng = as_rng(seed)
    p, d, _ = A.shape
    F = companion_matrix(A)
    s0 = psd_sqrt(var_stationary_covariance(A, S)) @ rng.standard_normal(d * p)
    eps = rng.standard_normal((n, d)) @ psd_sqrt(S).T
    lam, V = np.linalg.eig(F)
    if method == "auto":
        method = "modal" if np.linalg.cond(V) < _MODAL_COND else "loop"
    if method == "modal":
        Vinv = np.linalg.inv(V)
        z0 = Vinv @ s0
        out = np.zeros((n, d))
        for i in range(d * p):
            u = eps @ Vinv[i, :d]  # the mode's input (the noise enters the first block only)
            z, _ = signal.lfilter([1.0], [1.0, -lam[i]], u.astype(complex), zi=np.array([lam[i] * z0[i]]))
            out += np.real(np.outer(z, V[:d, i]))
        return out
    out = np.empty((n, d))
    s = s0.copy()
    for t in range(n):
        s = F @ s
        s[:d] += eps[t]
        out[t] = s[:d]
    return out


class VARFit(NamedTuple):
    r"""Least-squares VAR fit: coefficients ``(p, d, d)``, intercept ``(d,)`` and residual covariance ``(d, d)``.

    Attributes
    ----------
    coefs : ndarray, shape (p, d, d)
        The estimated coefficients :math:`\hat A_k`.
    intercept : ndarray, shape (d,)
        The estimated intercept.
    noise_cov : ndarray, shape (d, d)
        The maximum-likelihood residual covariance :math:`\hat\Sigma` (squared units of the data).
    """

    coefs: np.ndarray
    intercept: np.ndarray
    noise_cov: np.ndarray


def fit_var(data: ArrayLike, lags: int = 1) -> VARFit:
    r"""Ordinary least squares fit of a VAR(p) with intercept to ``data`` of shape ``(n, d)``.

    Each component is regressed on :math:`1, X_{t-1}, \dots, X_{t-p}`; the residual covariance is the
    maximum-likelihood one, :math:`\hat\Sigma = \frac{1}{N}\sum_t \hat\varepsilon_t\hat\varepsilon_t^\top` with
    :math:`N = n - p` rows.  Chapter 8.

    Parameters
    ----------
    data : array_like, shape (n, d) or (n,)
        The observed series, one row per time step.
    lags : int, default 1
        The VAR order p (>= 1).

    Returns
    -------
    VARFit
        The coefficients, the intercept and the residual covariance.
    """
    X = as_series(data, "data")
    lags = check_int(lags, "lags", minimum=1)
    n, d = X.shape
    if n - lags <= d * lags + 1:
        raise ValueError(f"data has too few rows ({n}) for a VAR with lags={lags} and d={d}")
    D = np.concatenate([X[lags - j : n - j] for j in range(1, lags + 1)], axis=1)
    D1 = np.column_stack([np.ones(n - lags), D])
    beta, *_ = np.linalg.lstsq(D1, X[lags:], rcond=None)
    resid = X[lags:] - D1 @ beta
    coefs = beta[1:].T.reshape(d, lags, d).transpose(1, 0, 2)
    return VARFit(coefs, beta[0], resid.T @ resid / (n - lags))
