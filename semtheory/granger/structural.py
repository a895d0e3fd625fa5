"""Linear structural models: Granger (rung 1) versus intervention (rung 2) (chapter 8)."""

from __future__ import annotations

import math

import numpy as np

from ..core.types import ArrayLike, SeedLike
from .._validate import as_rng, check_int
from ._common import psd_sqrt, stable_var
from .var import companion_matrix, var_stationary_covariance


# ----------------------------------------------------------------------------------------------
# Linear structural models: Granger (rung 1) versus intervention (rung 2)
# ----------------------------------------------------------------------------------------------


def spurious_granger_var(a: float = 1.0, b: float = 1.0, rho: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    r"""A hidden common cause that makes X Granger-cause Y with **no causal effect** of X on Y.

    Components ``(X, Y, Z)``; Z is the hidden confounder (an AR(1)) that reaches X one step before Y:

    .. math:: Z_t = \rho Z_{t-1} + e^Z_t,\quad X_t = a Z_{t-1} + e^X_t,\quad Y_t = b Z_{t-2} + e^Y_t,

    with unit-variance independent noises.  :math:`X_{t-1}` carries news of :math:`Z_{t-2}` that
    :math:`Y_t` will reflect, so :math:`\mathrm{TE}_{X\to Y} > 0`, yet Y's mechanism contains no X:
    :math:`\Psi_h[Y, X] = 0` for every h.  Returns ``(coefs, noise_cov)`` of a VAR(2).  Chapter 8.

    Parameters
    ----------
    a : float, default 1.0
        The effect of :math:`Z_{t-1}` on :math:`X_t`.
    b : float, default 1.0
        The effect of :math:`Z_{t-2}` on :math:`Y_t`.
    rho : float, default 0.8
        The autoregression of the confounder, :math:`|\rho| < 1`.

    Returns
    -------
    coefs : ndarray, shape (2, 3, 3)
        The coefficients of the VAR(2) on the components ``(X, Y, Z)``.
    noise_cov : ndarray, shape (3, 3)
        The noise covariance, the identity.
    """
    for v, name in ((a, "a"), (b, "b"), (rho, "rho")):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) or not math.isfinite(v):
            raise ValueError(f"{name} must be a finite real number, got {v!r}")
    if not abs(rho) < 1:
        raise ValueError(f"rho must satisfy |rho| < 1 for a stationary confounder, got {rho!r}")
    A = np.zeros((2, 3, 3))
    A[0, 0, 2] = a
    A[0, 2, 2] = rho
    A[1, 1, 2] = b
    return A, np.eye(3)


def masked_effect_var(effect_size: float = 0.5, a: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""The reverse failure: X **causes** Y but X does not Granger-cause Y (a confounder cancels the effect).

    Components ``(X, Y, Z)`` with i.i.d. :math:`Z_t = e^Z_t`, :math:`X_t = a Z_{t-1} + e^X_t` and

    .. math:: Y_t = \beta X_{t-1} + c\,Z_{t-2} + e^Y_t,\qquad c = -\beta\,(a^2 + 1)/a,

    so that :math:`\Cov(Y_t, X_{t-1}) = \beta(a^2+1) + c\,a = 0`; every covariance between :math:`Y_t` and the
    past of (X, Y) vanishes, hence :math:`\mathrm{TE}_{X\to Y} = 0` at every history length, while the causal
    effect is :math:`\Psi_1[Y, X] = \beta`.  Returns ``(coefs, noise_cov)`` of a VAR(2).  Chapter 8.

    Parameters
    ----------
    effect_size : float, default 0.5
        The causal effect :math:`\beta` of :math:`X_{t-1}` on :math:`Y_t`.
    a : float, default 1.0
        The effect of :math:`Z_{t-1}` on :math:`X_t` (non-zero).

    Returns
    -------
    coefs : ndarray, shape (2, 3, 3)
        The coefficients of the VAR(2) on the components ``(X, Y, Z)``.
    noise_cov : ndarray, shape (3, 3)
        The noise covariance, the identity.
    """
    for v, name in ((effect_size, "effect_size"), (a, "a")):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) or not math.isfinite(v):
            raise ValueError(f"{name} must be a finite real number, got {v!r}")
    if a == 0:
        raise ValueError("a must be non-zero (the confounder must reach X)")
    A = np.zeros((2, 3, 3))
    A[0, 0, 2] = a
    A[0, 1, 0] = effect_size
    A[1, 1, 2] = -effect_size * (a * a + 1.0) / a
    return A, np.eye(3)


def var_do(coefs: ArrayLike, noise_cov: ArrayLike | None = None, *, component: int, value: float, steps: int = 1,
           repeats: int = 10_000, seed: SeedLike = None) -> np.ndarray:
    r"""Monte Carlo intervention :math:`do(X^{(j)}_0 = x)` in a stable VAR read as a structural causal model.

    Each replicate starts from the stationary law, the mechanism of ``component`` at time 0 is replaced
    by the constant ``value`` (its noise is discarded), and the process runs ``steps`` more steps with
    its own equations.  Returns an array ``(repeats, steps + 1, d)``; ``out[:, h].mean(0)`` estimates
    :math:`E[X_h \mid do(X^{(j)}_0 = x)]`, whose exact value for a zero-mean VAR is
    :math:`\Psi_h[:, j]\,x` (:func:`var_impulse_response`).  Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The coefficients of a stable VAR, ``coefs[k-1]`` = :math:`A_k`.
    noise_cov : array_like, shape (d, d) or (d,), optional
        The noise covariance :math:`\Sigma` (``None``: the identity; a 1-D array: its diagonal).
    component : int, keyword-only
        The intervened component j, in ``0..d-1``.
    value : float, keyword-only
        The value x it is set to.
    steps : int, keyword-only, default 1
        The number of steps after the intervention (>= 0).
    repeats : int, keyword-only, default 10000
        The number of Monte Carlo repeats (>= 1).
    seed : int, numpy.random.Generator or None, keyword-only, default None
        The randomness (an int >= 0 gives reproducible draws).

    Returns
    -------
    ndarray, shape (repeats, steps + 1, d)
        ``out[r, h]`` = :math:`X_h` in replicate r, in the units of the process.
    """
    A, S = stable_var(coefs, noise_cov)
    p, d, _ = A.shape
    j = check_int(component, "component", minimum=0, maximum=d - 1)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) or not math.isfinite(value):
        raise ValueError(f"value must be a finite real number, got {value!r}")
    steps = check_int(steps, "steps", minimum=0)
    R = check_int(repeats, "repeats", minimum=1)
    rng = as_rng(seed)
    F = companion_matrix(A)
    s = rng.standard_normal((R, d * p)) @ psd_sqrt(var_stationary_covariance(A, S)).T
    s[:, j] = value
    root = psd_sqrt(S)
    out = np.empty((R, steps + 1, d))
    out[:, 0] = s[:, :d]
    for h in range(1, steps + 1):
        s = s @ F.T
        s[:, :d] += rng.standard_normal((R, d)) @ root.T
        out[:, h] = s[:, :d]
    return out
