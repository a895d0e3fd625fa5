"""Spectral and innovations forms of a VAR (infinite history; chapter 8)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..core.types import ArrayLike
from .._validate import as_real_array, check_int, check_positive
from ._common import components, stable_var
from .var import companion_matrix, var_stationary_covariance


# ----------------------------------------------------------------------------------------------
# Spectral and innovations forms (infinite history)
# ----------------------------------------------------------------------------------------------


def spectral_density(coefs: ArrayLike, noise_cov: ArrayLike | None = None,
                     freqs: ArrayLike | None = None) -> np.ndarray:
    r"""Spectral density matrix :math:`S(\omega) = H(\omega)\Sigma H(\omega)^*`, :math:`H(\omega) = (I - \sum_k A_k e^{-ik\omega})^{-1}`.

    Normalised so that :math:`S(\omega) = \sum_h \Gamma(h) e^{-ih\omega}` and
    :math:`\Gamma(0) = \frac{1}{2\pi}\int_{-\pi}^{\pi} S(\omega)\,d\omega`.  ``freqs`` in radians (default: 512
    points in :math:`[0, \pi]`).  Returns ``(len(freqs), d, d)`` complex.  Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The coefficients of a stable VAR, ``coefs[k-1]`` = :math:`A_k`.
    noise_cov : array_like, shape (d, d) or (d,), optional
        The noise covariance :math:`\Sigma` (``None``: the identity; a 1-D array: its diagonal).
    freqs : array_like, shape (m,), optional
        The angular frequencies :math:`\omega`, in radians (default: 512 points in :math:`[0, \pi]`).

    Returns
    -------
    ndarray of complex, shape (m, d, d)
        ``out[i]`` = :math:`S(\omega_i)`, in squared units of the process per unit of angular frequency.
    """
    A, S = stable_var(coefs, noise_cov)
    if freqs is None:
        freqs = np.linspace(0.0, np.pi, 512)
    w = as_real_array(freqs, "freqs", finite=False, nonempty=False)
    if w.ndim != 1 or w.size == 0 or not np.all(np.isfinite(w)):
        raise ValueError("freqs must be a non-empty 1-D array of finite frequencies (radians)")
    p, d, _ = A.shape
    ks = np.arange(1, p + 1)
    Az = np.eye(d)[None] - np.einsum("fk,kij->fij", np.exp(-1j * np.outer(w, ks)), A)
    H = np.linalg.inv(Az)
    return H @ S @ np.conj(np.transpose(H, (0, 2, 1)))


def innovation_covariance(coefs: ArrayLike, noise_cov: ArrayLike | None = None, *, observed: int | Sequence[int],
                          history: int | None = None, tol: float = 1e-13, max_iter: int = 100_000) -> np.ndarray:
    r"""One-step prediction-error covariance of the ``observed`` components given their own past.

    With :math:`O_t = (X^{(i)}_t)_{i \in \text{observed}}` this is
    :math:`\Cov(O_t \mid O_{t-1}, \dots, O_{t-m})` for ``history`` = m past values, or
    :math:`m \to \infty` for ``history=None`` (the innovations covariance of the sub-process).  Components
    not observed are hidden.  Computed exactly by the Kalman–Riccati recursion on the companion state,
    started at the stationary covariance: after :math:`m` steps it is the finite-history value, and it
    is iterated to convergence (``tol``) for the infinite past.  Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The coefficients of a stable VAR, ``coefs[k-1]`` = :math:`A_k`.
    noise_cov : array_like, shape (d, d) or (d,), optional
        The noise covariance :math:`\Sigma` (``None``: the identity; a 1-D array: its diagonal).
    observed : int or sequence of int, keyword-only
        The observed components (indices ``0..d-1``); the others are hidden.
    history : int or None, keyword-only, default None
        The number m >= 0 of past values the prediction uses (``None``: the whole past).
    tol : float, keyword-only, default 1e-13
        The relative change below which the recursion has converged (``history=None`` only).
    max_iter : int, keyword-only, default 100000
        The largest number of Riccati steps (``history=None`` only).

    Returns
    -------
    ndarray, shape (len(observed), len(observed))
        The prediction-error covariance, in squared units of the process.

    Examples
    --------
    >>> round(float(innovation_covariance([[0.5]], observed=0)[0, 0]), 12)  # an AR(1) is its own innovation
    1.0
    """
    A, S = stable_var(coefs, noise_cov)
    p, d, _ = A.shape
    obs = components(observed, d, "observed")
    F = companion_matrix(A)
    Q = np.zeros_like(F)
    Q[:d, :d] = S
    P = var_stationary_covariance(A, S)
    idx = list(obs)
    if history is not None:
        steps = check_int(history, "history", minimum=0)
    else:
        steps = None
        check_positive(tol, "tol")
        max_iter = check_int(max_iter, "max_iter", minimum=1)
    prev = P[np.ix_(idx, idx)]
    it = 0
    while steps is None or it < steps:
        Sig = P[np.ix_(idx, idx)]
        if np.linalg.eigvalsh(Sig).min() <= 1e-14 * max(1.0, np.abs(Sig).max()):
            raise ValueError("observed: the observed components are (nearly) deterministic given their past")
        PC = P[:, idx]
        P = F @ (P - PC @ np.linalg.solve(Sig, PC.T)) @ F.T + Q
        P = 0.5 * (P + P.T)
        it += 1
        cur = P[np.ix_(idx, idx)]
        if steps is None:
            if np.abs(cur - prev).max() <= tol * max(1.0, np.abs(cur).max()):
                break
            if it >= max_iter:
                raise ValueError(f"max_iter: the Riccati recursion did not converge in {max_iter} steps")
        prev = cur
    return P[np.ix_(idx, idx)]


def innovation_logdet_spectral(coefs: ArrayLike, noise_cov: ArrayLike | None = None, *, observed: int | Sequence[int],
                               n_freq: int = 4096) -> float:
    r"""Kolmogorov–Szegő formula: :math:`\ln\det \Sigma_{\text{innov}} = \frac{1}{2\pi}\int_{-\pi}^{\pi} \ln\det S_{OO}(\omega)\,d\omega`.

    :math:`S_{OO}` is the block of :func:`spectral_density` of the ``observed`` components; the integral
    of this smooth periodic function is evaluated with the trapezoidal rule on ``n_freq`` points (exact
    to round-off for a few thousand points unless a root is near the unit circle).  An independent
    check of :func:`innovation_covariance` with ``history=None``.  Nats.  Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The coefficients of a stable VAR, ``coefs[k-1]`` = :math:`A_k`.
    noise_cov : array_like, shape (d, d) or (d,), optional
        The noise covariance :math:`\Sigma` (``None``: the identity; a 1-D array: its diagonal).
    observed : int or sequence of int, keyword-only
        The observed components (indices ``0..d-1``); the others are hidden.
    n_freq : int, keyword-only, default 4096
        The number of points of the trapezoidal rule (>= 8).

    Returns
    -------
    float
        :math:`\ln\det\Sigma_{\text{innov}}`, in nats (a log-determinant of squared units of the process).
    """
    A, S = stable_var(coefs, noise_cov)
    obs = list(components(observed, A.shape[1], "observed"))
    n_freq = check_int(n_freq, "n_freq", minimum=8)
    w = 2 * np.pi * np.arange(n_freq) / n_freq
    Sw = spectral_density(A, S, w)[:, obs][:, :, obs]
    sign, ld = np.linalg.slogdet(Sw)
    if np.any(np.real(sign) <= 0):
        raise ValueError("observed: the spectral density is singular on the observed components")
    return float(np.mean(ld))
