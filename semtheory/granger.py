r"""Granger causality, transfer entropy, directed information and Pearl's ladder (chapter 8).

**Vector autoregressions.**  A VAR(p) process :math:`X_t \in \mathbb{R}^d` is

.. math:: X_t = \sum_{k=1}^{p} A_k X_{t-k} + \varepsilon_t,\qquad \varepsilon_t \sim \mathcal N(0, \Sigma)\ \text{i.i.d.}

``coefs`` is an array of shape ``(p, d, d)`` with ``coefs[k-1] = A_k`` (a ``(d, d)`` array means p = 1);
``noise_cov`` is :math:`\Sigma` (``None`` = identity, a 1-D array = a diagonal).  Components are addressed by
their index ``0..d-1``.  Autocovariances follow the convention :math:`\Gamma(h) = E[X_t X_{t-h}^\top]`.

**Direction.**  Every directed quantity takes the keyword-only arguments ``source=`` and ``target=``: it
measures how much the *past of the source* improves the prediction of the *target* beyond the target's
own past.  There is no positional form, so the direction can never be read backwards (contrast
``statsmodels.tsa.stattools.grangercausalitytests``, which tests whether *column 2* causes *column 1*).

**Units.**  ``base=2`` (bits) by default, ``base=math.e`` for nats, as everywhere in :mod:`semtheory`.
Geweke's measure is classically quoted in nats, :math:`F = \ln(\sigma^2_{r}/\sigma^2_{f})`; the identity
:math:`\mathrm{TE} = F/2` holds in any base as long as both sides use the same one.

**Structural causal models.**  :class:`DiscreteSCM` holds a finite SCM (exogenous noise pmfs and
deterministic structural equations) and answers the three rungs of Pearl's ladder exactly:
association :meth:`DiscreteSCM.probability` with ``given=``, intervention with ``do=``, and
counterfactuals :meth:`DiscreteSCM.counterfactual` by abduction, action and prediction.

**Geweke's decomposition** :func:`geweke_decomposition` splits the total linear dependence of two series into
the two Granger directions and the instantaneous part, :math:`F_{X,Y} = F_{X\to Y} + F_{Y\to X} + F_{X\cdot Y}`;
:func:`granger_chi2_test` and :func:`granger_surrogate_test` test :math:`F = 0`; :func:`granger_by_training`
compares two trained Transformers, Granger's definition with learned predictors.

References: Granger (1969); Geweke (1982); Schreiber (2000); Barnett, Barrett & Seth (2009);
Amblard & Michel (2011); Pearl (2009); Bareinboim, Correa, Ibeling & Icard (2022).
"""

from __future__ import annotations

import itertools
import math
from typing import Callable, Mapping, NamedTuple, Sequence

import numpy as np
from scipy import linalg, signal, stats

from . import directed, measures
from ._validate import as_array as _asarray
from ._validate import (
    as_axes,
    as_pmf,
    as_real_array,
    as_rng,
    as_stochastic,
    check_disjoint,
    check_int,
    check_positive,
    check_probability,
    log_base,
)

__all__ = [
    # VAR processes
    "as_var",
    "companion_matrix",
    "spectral_radius",
    "is_stable",
    "simulate_var",
    "fit_var",
    "VARFit",
    "var_stationary_covariance",
    "var_autocovariance",
    "var_impulse_response",
    "spectral_density",
    "innovation_covariance",
    "innovation_logdet_spectral",
    # Granger and transfer entropy
    "gaussian_conditional_mutual_information",
    "geweke_granger",
    "granger_test",
    "GrangerTest",
    "transfer_entropy_gaussian",
    "transfer_entropy_var",
    "granger_var",
    "transfer_entropy_plugin",
    "simulate_delayed_copy",
    "GewekeParts",
    "geweke_decomposition",
    "geweke_decomposition_sample",
    "granger_null_statistics",
    "granger_chi2_test",
    "SurrogateTest",
    "granger_surrogate_test",
    "simulate_markov_pair",
    "TrainedGranger",
    "granger_by_training",
    # directed information
    "DIParts",
    "di_decomposition",
    "coupled_pair_transition",
    # causal models
    "spurious_granger_var",
    "masked_effect_var",
    "var_do",
    "DiscreteSCM",
    "confounded_scm",
    "direct_scm",
    "observational_twin",
]

#: Largest condition number of the companion eigenvectors for the fast (modal) VAR simulation.
_MODAL_COND = 1e6


# ----------------------------------------------------------------------------------------------
# VAR(p): validation, companion form, stability
# ----------------------------------------------------------------------------------------------


def _real(x, name: str) -> np.ndarray:
    """A float copy of ``x``; complex (whose imaginary part would be dropped), strings and None raise naming ``name``."""
    return np.array(as_real_array(x, name, finite=False, nonempty=False), dtype=float)


def as_var(coefs, noise_cov=None) -> tuple[np.ndarray, np.ndarray]:
    r"""Validate a VAR(p): return ``(coefs, noise_cov)`` as arrays of shapes ``(p, d, d)`` and ``(d, d)``.

    ``coefs`` is ``(p, d, d)`` (or ``(d, d)`` for p = 1) with finite entries; ``noise_cov`` is ``None``
    (identity), a 1-D array of ``d`` non-negative variances, or a symmetric positive semi-definite
    ``(d, d)`` matrix.  Raises ``ValueError`` naming the argument otherwise.  Stability is *not* checked
    here (see :func:`is_stable`).  Chapter 8.
    """
    A = _real(coefs, "coefs")
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
        S = _real(noise_cov, "noise_cov")
        if S.ndim == 1:
            if S.shape != (d,):
                raise ValueError(f"noise_cov as variances must have length {d}, got shape {S.shape}")
            if not np.all(np.isfinite(S)) or np.any(S < 0):
                raise ValueError("noise_cov variances must be finite and >= 0")
            S = np.diag(S)
        if S.shape != (d, d):
            raise ValueError(f"noise_cov must have shape ({d}, {d}), got {S.shape}")
        if not np.all(np.isfinite(S)):
            raise ValueError("noise_cov contains NaN or inf")
        scale = max(1.0, float(np.abs(S).max()))
        if np.abs(S - S.T).max() > 1e-10 * scale:
            raise ValueError("noise_cov must be symmetric")
        S = 0.5 * (S + S.T)
        if np.linalg.eigvalsh(S).min() < -1e-10 * scale:
            raise ValueError("noise_cov must be positive semi-definite")
    return A, S


def companion_matrix(coefs) -> np.ndarray:
    r"""Companion matrix :math:`F` of a VAR(p): the state :math:`s_t = (X_t, \dots, X_{t-p+1})` obeys :math:`s_t = F s_{t-1} + (\varepsilon_t, 0, \dots)`.

    .. math:: F = \begin{pmatrix} A_1 & A_2 & \cdots & A_p \\ I & 0 & \cdots & 0 \\ & \ddots & & \vdots \\ 0 & \cdots & I & 0\end{pmatrix}

    Shape ``(dp, dp)``.  Chapter 8.
    """
    A, _ = as_var(coefs)
    p, d, _ = A.shape
    F = np.zeros((d * p, d * p))
    F[:d, :] = np.concatenate(list(A), axis=1)
    if p > 1:
        F[d:, :-d] = np.eye(d * (p - 1))
    return F


def spectral_radius(coefs) -> float:
    r"""Largest modulus of an eigenvalue of the companion matrix (the VAR is stable iff it is < 1).  Chapter 8."""
    return float(np.abs(np.linalg.eigvals(companion_matrix(coefs))).max())


def is_stable(coefs) -> bool:
    r"""True iff the VAR(p) is stable: every root of :math:`\det(I - \sum_k A_k z^k)` lies outside the unit circle,
    i.e. the spectral radius of the companion matrix is < 1 (then a unique stationary law exists).  Chapter 8.
    """
    return spectral_radius(coefs) < 1.0


def _stable_var(coefs, noise_cov) -> tuple[np.ndarray, np.ndarray]:
    A, S = as_var(coefs, noise_cov)
    r = spectral_radius(A)
    if not r < 1.0:
        raise ValueError(f"coefs: the VAR is not stable (spectral radius {r:.6g} >= 1); no stationary law exists")
    return A, S


def _psd_sqrt(S: np.ndarray) -> np.ndarray:
    """A matrix R with R R^T = S for a symmetric PSD S (eigen-decomposition; tolerates singular S)."""
    w, V = np.linalg.eigh(S)
    return V * np.sqrt(np.clip(w, 0.0, None))


def var_stationary_covariance(coefs, noise_cov=None) -> np.ndarray:
    r"""Stationary covariance of the companion state :math:`s_t = (X_t, \dots, X_{t-p+1})`.

    Solves the discrete Lyapunov equation :math:`P = F P F^\top + Q`, :math:`Q = \mathrm{diag}(\Sigma, 0, \dots)`.
    Block ``(i, j)`` is :math:`E[X_{t-i} X_{t-j}^\top] = \Gamma(j - i)`.  Requires a stable VAR.  Chapter 8.
    """
    A, S = _stable_var(coefs, noise_cov)
    p, d, _ = A.shape
    F = companion_matrix(A)
    Q = np.zeros_like(F)
    Q[:d, :d] = S
    P = linalg.solve_discrete_lyapunov(F, Q)
    return 0.5 * (P + P.T)


def var_autocovariance(coefs, noise_cov=None, max_lag=10) -> np.ndarray:
    r"""Exact autocovariances :math:`\Gamma(h) = E[X_t X_{t-h}^\top]`, :math:`h = 0..` ``max_lag``, of a stable VAR(p).

    The first ``p`` lags come from the Lyapunov solution (:func:`var_stationary_covariance`); later ones
    from the Yule–Walker recursion :math:`\Gamma(h) = \sum_{k=1}^p A_k \Gamma(h-k)`.  Shape
    ``(max_lag + 1, d, d)``; :math:`\Gamma(-h) = \Gamma(h)^\top`.  Chapter 8.
    """
    A, S = _stable_var(coefs, noise_cov)
    max_lag = check_int(max_lag, "max_lag", minimum=0)
    p, d, _ = A.shape
    P = var_stationary_covariance(A, S)
    G = np.zeros((max(max_lag, p - 1) + 1, d, d))
    for j in range(p):
        G[j] = P[:d, j * d : (j + 1) * d]
    for h in range(p, len(G)):
        G[h] = sum(A[k] @ G[h - k - 1] for k in range(p))
    return G[: max_lag + 1]


def var_impulse_response(coefs, horizon=10) -> np.ndarray:
    r"""Impulse responses :math:`\Psi_h`, :math:`h = 0..` ``horizon``: :math:`\Psi_0 = I`, :math:`\Psi_h = \sum_{k=1}^{p} A_k \Psi_{h-k}`.

    In the VAR read as a structural causal model (each equation a mechanism, :math:`\varepsilon_t`
    exogenous), :math:`\Psi_h[i, j]` is the **causal effect** of an intervention on component ``j``:
    :math:`E[X^{(i)}_{t+h} \mid do(X^{(j)}_t = x)] = \Psi_h[i, j]\,x` for a zero-mean process (rung 2).
    Shape ``(horizon + 1, d, d)``.  Chapter 8.
    """
    A, _ = as_var(coefs)
    horizon = check_int(horizon, "horizon", minimum=0)
    p, d, _ = A.shape
    Psi = np.zeros((horizon + 1, d, d))
    Psi[0] = np.eye(d)
    for h in range(1, horizon + 1):
        Psi[h] = sum(A[k] @ Psi[h - k - 1] for k in range(min(p, h)))
    return Psi


def simulate_var(coefs, n, noise_cov=None, *, seed=None) -> np.ndarray:
    r"""Simulate ``n`` consecutive values :math:`X_1..X_n` of a stable Gaussian VAR(p), returned as an ``(n, d)`` array.

    The initial state :math:`(X_0, \dots, X_{1-p})` is drawn from the exact stationary law (Lyapunov
    solution), so no burn-in is needed and every :math:`X_t` is stationary.  Deterministic under ``seed``.
    The recursion runs mode by mode (eigen-decomposition of the companion matrix, one ``lfilter`` per
    mode) when the eigenvectors are well conditioned, and as a plain loop otherwise.  Raises
    ``ValueError`` naming ``coefs`` if the VAR is not stable.  Chapter 8.
    """
    return _simulate_var(coefs, n, noise_cov, seed=seed)


def _simulate_var(coefs, n, noise_cov=None, *, seed=None, method="auto") -> np.ndarray:
    A, S = _stable_var(coefs, noise_cov)
    n = check_int(n, "n", minimum=1)
    rng = as_rng(seed)
    p, d, _ = A.shape
    F = companion_matrix(A)
    s0 = _psd_sqrt(var_stationary_covariance(A, S)) @ rng.standard_normal(d * p)
    eps = rng.standard_normal((n, d)) @ _psd_sqrt(S).T
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
    """Least-squares VAR fit: coefficients ``(p, d, d)``, intercept ``(d,)`` and residual covariance ``(d, d)``."""

    coefs: np.ndarray
    intercept: np.ndarray
    noise_cov: np.ndarray


def fit_var(data, lags=1) -> VARFit:
    r"""Ordinary least squares fit of a VAR(p) with intercept to ``data`` of shape ``(n, d)``.

    Each component is regressed on :math:`1, X_{t-1}, \dots, X_{t-p}`; the residual covariance is the
    maximum-likelihood one, :math:`\hat\Sigma = \frac{1}{N}\sum_t \hat\varepsilon_t\hat\varepsilon_t^\top` with
    :math:`N = n - p` rows.  Chapter 8.
    """
    X = _as_series(data, "data")
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


# ----------------------------------------------------------------------------------------------
# Spectral and innovations forms (infinite history)
# ----------------------------------------------------------------------------------------------


def spectral_density(coefs, noise_cov=None, freqs=None) -> np.ndarray:
    r"""Spectral density matrix :math:`S(\omega) = H(\omega)\Sigma H(\omega)^*`, :math:`H(\omega) = (I - \sum_k A_k e^{-ik\omega})^{-1}`.

    Normalised so that :math:`S(\omega) = \sum_h \Gamma(h) e^{-ih\omega}` and
    :math:`\Gamma(0) = \frac{1}{2\pi}\int_{-\pi}^{\pi} S(\omega)\,d\omega`.  ``freqs`` in radians (default: 512
    points in :math:`[0, \pi]`).  Returns ``(len(freqs), d, d)`` complex.  Chapter 8.
    """
    A, S = _stable_var(coefs, noise_cov)
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


def _component_axes(sel, d: int, name: str) -> tuple[int, ...]:
    """``as_axes`` without Python's negative indices: components are addressed as 0..d-1 only."""
    out = as_axes(sel, d, name)
    if sel is not None and any(int(c) < 0 for c in np.ravel(np.asarray(sel, dtype=object))):
        raise ValueError(f"{name} must hold indices 0..{d - 1} (no negative indices), got {sel!r}")
    return out


def _components(sel, d: int, name: str) -> tuple[int, ...]:
    if sel is None:
        raise ValueError(f"{name} is required (a component index or a list of indices)")
    out = _component_axes(sel, d, name)
    if not out:
        raise ValueError(f"{name} must name at least one component")
    return out


def innovation_covariance(coefs, noise_cov=None, *, observed, history=None, tol=1e-13, max_iter=100_000) -> np.ndarray:
    r"""One-step prediction-error covariance of the ``observed`` components given their own past.

    With :math:`O_t = (X^{(i)}_t)_{i \in \text{observed}}` this is
    :math:`\Cov(O_t \mid O_{t-1}, \dots, O_{t-m})` for ``history`` = m past values, or
    :math:`m \to \infty` for ``history=None`` (the innovations covariance of the sub-process).  Components
    not observed are hidden.  Computed exactly by the Kalman–Riccati recursion on the companion state,
    started at the stationary covariance: after :math:`m` steps it is the finite-history value, and it
    is iterated to convergence (``tol``) for the infinite past.  Chapter 8.
    """
    A, S = _stable_var(coefs, noise_cov)
    p, d, _ = A.shape
    obs = _components(observed, d, "observed")
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


def innovation_logdet_spectral(coefs, noise_cov=None, *, observed, n_freq=4096) -> float:
    r"""Kolmogorov–Szegő formula: :math:`\ln\det \Sigma_{\text{innov}} = \frac{1}{2\pi}\int_{-\pi}^{\pi} \ln\det S_{OO}(\omega)\,d\omega`.

    :math:`S_{OO}` is the block of :func:`spectral_density` of the ``observed`` components; the integral
    of this smooth periodic function is evaluated with the trapezoidal rule on ``n_freq`` points (exact
    to round-off for a few thousand points unless a root is near the unit circle).  An independent
    check of :func:`innovation_covariance` with ``history=None``.  Nats.  Chapter 8.
    """
    A, S = _stable_var(coefs, noise_cov)
    obs = list(_components(observed, A.shape[1], "observed"))
    n_freq = check_int(n_freq, "n_freq", minimum=8)
    w = 2 * np.pi * np.arange(n_freq) / n_freq
    Sw = spectral_density(A, S, w)[:, obs][:, :, obs]
    sign, ld = np.linalg.slogdet(Sw)
    if np.any(np.real(sign) <= 0):
        raise ValueError("observed: the spectral density is singular on the observed components")
    return float(np.mean(ld))


# ----------------------------------------------------------------------------------------------
# Gaussian conditional mutual information, Granger, transfer entropy
# ----------------------------------------------------------------------------------------------


def gaussian_conditional_mutual_information(cov, a, b, given=(), base=2) -> float:
    r"""Conditional mutual information of jointly Gaussian variables from their covariance matrix.

    .. math:: I(A; B \mid C) = \tfrac12 \log \frac{\det\Sigma_{AC}\,\det\Sigma_{BC}}{\det\Sigma_{ABC}\,\det\Sigma_{C}}

    ``a``, ``b``, ``given`` are disjoint groups of row indices of ``cov`` (``given=()`` gives the MI).
    Equals :math:`\tfrac12 \log(\det\Sigma_{A\mid C}/\det\Sigma_{A\mid BC})`, a ratio of residual
    (co)variances.  Units of ``base``.  Chapter 8.
    """
    lb = log_base(base)
    C = _real(cov, "cov")
    if C.ndim != 2 or C.shape[0] != C.shape[1] or C.shape[0] == 0:
        raise ValueError(f"cov must be a non-empty square matrix, got shape {C.shape}")
    if not np.all(np.isfinite(C)):
        raise ValueError("cov contains NaN or inf")
    if np.abs(C - C.T).max() > 1e-10 * max(1.0, np.abs(C).max()):
        raise ValueError("cov must be symmetric")
    m = C.shape[0]
    ga, gb = _component_axes(a, m, "a"), _component_axes(b, m, "b")
    gc = () if given is None or _empty(given) else _component_axes(given, m, "given")
    if not ga or not gb:
        raise ValueError("a and b must each name at least one variable")
    check_disjoint("a", ga, "b", gb)
    check_disjoint("a", ga, "given", gc)
    check_disjoint("b", gb, "given", gc)

    def ld(idx):
        if not idx:
            return 0.0
        sign, val = np.linalg.slogdet(C[np.ix_(idx, idx)])
        if sign <= 0:
            raise ValueError("cov is not positive definite on the variables involved")
        return val

    ac, bc, abc, c = sorted(ga + gc), sorted(gb + gc), sorted(ga + gb + gc), sorted(gc)
    val = 0.5 * (ld(ac) + ld(bc) - ld(abc) - ld(c))
    return max(val, 0.0) / lb


def _empty(x) -> bool:
    try:
        return len(x) == 0
    except TypeError:
        return False


def _as_series(x, name: str) -> np.ndarray:
    arr = _real(x, name)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must have shape (n,) or (n, m) with n >= 1, got {np.shape(x)}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def _lagged(series: np.ndarray, lags: int, start: int) -> list[np.ndarray]:
    n = series.shape[0]
    return [series[start - j : n - j] for j in range(1, lags + 1)]


def _regression_blocks(source, target, condition, k, l):
    """Response and the (target past, source past, condition past) blocks, rows t = h..n-1."""
    y = _as_series(target, "target")
    x = _as_series(source, "source")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"source and target must have the same length, got {x.shape[0]} and {y.shape[0]}")
    z = None if condition is None else _as_series(condition, "condition")
    if z is not None and z.shape[0] != y.shape[0]:
        raise ValueError(f"condition must have the same length as target, got {z.shape[0]} and {y.shape[0]}")
    h = max(k, l)
    n = y.shape[0]
    ncols = 1 + k * y.shape[1] + l * x.shape[1] + (0 if z is None else k * z.shape[1])
    if n - h <= ncols:
        raise ValueError(f"target is too short ({n} values) for these histories (k={k}, l={l})")
    resp = y[h:]
    own = _lagged(y, k, h) + ([] if z is None else _lagged(z, k, h))
    src = _lagged(x, l, h)
    cat = lambda blocks: np.concatenate(blocks, axis=1) if blocks else np.zeros((n - h, 0))  # noqa: E731
    return resp, cat(own), cat(src)


def _ssr(resp: np.ndarray, design: np.ndarray) -> np.ndarray:
    """Residual cross-product matrix of the OLS regression of resp on [1, design].

    Normal equations on centred, unit-scaled columns (Cholesky), with the residual formed explicitly:
    the SSR is first-order insensitive to the coefficients' round-off, and this is ~15x faster than an
    SVD least-squares solve on long series.
    """
    r = resp - resp.mean(axis=0)
    if design.shape[1]:
        D = design - design.mean(axis=0)
        scale = np.sqrt(np.einsum("ij,ij->j", D, D))
        if np.any(scale <= 1e-12 * max(1.0, float(scale.max()))):
            raise ValueError("source/target: a lagged regressor is constant (collinear with the intercept)")
        D = D / scale
        try:
            cf = linalg.cho_factor(D.T @ D, check_finite=False)
        except linalg.LinAlgError:
            raise ValueError("source/target: the lagged regressors are collinear") from None
        r = r - D @ linalg.cho_solve(cf, D.T @ r, check_finite=False)
    return r.T @ r


def _logdet(M: np.ndarray, name: str) -> float:
    sign, val = np.linalg.slogdet(np.atleast_2d(M))
    if sign <= 0:
        raise ValueError(f"{name}: a residual covariance is singular (collinear or constant series)")
    return float(val)


def geweke_granger(*, source, target, lags=1, condition=None, base=2) -> float:
    r"""Geweke's Granger-causality measure from ``source`` to ``target``, estimated by least squares.

    .. math:: F_{X \to Y} = \log \frac{\det \hat\Sigma_{\text{restricted}}}{\det \hat\Sigma_{\text{full}}}

    where the restricted regression predicts :math:`Y_t` from :math:`1, Y_{t-1..t-p}` (and the optional
    ``condition`` series' past) and the full one adds :math:`X_{t-1..t-p}`, ``p = lags``; for a scalar
    target the ratio is :math:`\sigma^2_r/\sigma^2_f = \mathrm{SSR}_r/\mathrm{SSR}_f`.  ``source``,
    ``target``, ``condition`` are arrays of shape ``(n,)`` or ``(n, m)``.  :math:`F \ge 0`; for Gaussian
    processes :math:`F = 2\,\mathrm{TE}`.  Units of ``base`` (Geweke used nats: ``base=math.e``).  Chapter 8.
    """
    lb = log_base(base)
    lags = check_int(lags, "lags", minimum=1)
    resp, own, src = _regression_blocks(source, target, condition, lags, lags)
    ssr_r = _ssr(resp, own)
    ssr_f = _ssr(resp, np.concatenate([own, src], axis=1))
    val = _logdet(ssr_r, "target") - _logdet(ssr_f, "target")
    return max(val, 0.0) / lb


class GrangerTest(NamedTuple):
    """Granger F-test of ``source -> target`` (scalar target); ``measure`` is Geweke's F in nats."""

    measure: float
    f_statistic: float
    p_value: float
    ssr_restricted: float
    ssr_full: float
    nobs: int
    df_num: int
    df_den: int


def granger_test(*, source, target, lags=1) -> GrangerTest:
    r"""Classical Granger F-test that ``source`` does not Granger-cause the scalar ``target``.

    .. math:: F_{\text{stat}} = \frac{(\mathrm{SSR}_r - \mathrm{SSR}_f)/(p\,m)}{\mathrm{SSR}_f/(N - 1 - p - p\,m)}

    with :math:`N = n - p` rows, :math:`p` = ``lags`` and :math:`m` source components; under the null it is
    :math:`F(pm, N-1-p-pm)`-distributed.  This is the ``ssr_ftest`` of
    ``statsmodels.tsa.stattools.grangercausalitytests(np.column_stack([target, source]), [lags])`` (which
    tests whether its *second* column causes its *first*).  ``measure`` =
    :math:`\ln(\mathrm{SSR}_r/\mathrm{SSR}_f)`, Geweke's F in nats.  Chapter 8.
    """
    lags = check_int(lags, "lags", minimum=1)
    y = _as_series(target, "target")
    if y.shape[1] != 1:
        raise ValueError("target must be a single series for the F-test (use geweke_granger for vectors)")
    resp, own, src = _regression_blocks(source, y, None, lags, lags)
    ssr_r = float(_ssr(resp, own)[0, 0])
    ssr_f = float(_ssr(resp, np.concatenate([own, src], axis=1))[0, 0])
    if not ssr_f > 0:
        raise ValueError("target: the full regression fits exactly (collinear series)")
    nobs = resp.shape[0]
    df_num = src.shape[1]
    df_den = nobs - 1 - own.shape[1] - src.shape[1]
    fstat = (ssr_r - ssr_f) / df_num / (ssr_f / df_den)
    return GrangerTest(
        measure=math.log(ssr_r / ssr_f),
        f_statistic=float(fstat),
        p_value=float(stats.f.sf(fstat, df_num, df_den)),
        ssr_restricted=ssr_r,
        ssr_full=ssr_f,
        nobs=int(nobs),
        df_num=int(df_num),
        df_den=int(df_den),
    )


class GewekeParts(NamedTuple):
    r"""Geweke's decomposition :math:`F_{X,Y} = F_{X\to Y} + F_{Y \to X} + F_{X\cdot Y}` (units of the ``base`` used).

    ``total`` the total linear dependence, ``forward`` :math:`F_{X\to Y}`, ``backward`` :math:`F_{Y\to X}`,
    ``instantaneous`` :math:`F_{X\cdot Y}`; ``residual`` = total minus the three parts (round-off).
    """

    total: float
    forward: float
    backward: float
    instantaneous: float

    @property
    def residual(self) -> float:
        return self.total - self.forward - self.backward - self.instantaneous


def _geweke_from_logdets(lx, ly, l11, l22, lxy, lb) -> GewekeParts:
    return GewekeParts((lx + ly - lxy) / lb, (ly - l22) / lb, (lx - l11) / lb, (l11 + l22 - lxy) / lb)


def geweke_decomposition(coefs, noise_cov=None, *, source, target, history=None, method="riccati", base=2) -> GewekeParts:
    r"""Geweke's (1982) decomposition of the linear dependence between two groups of a stable VAR.

    With :math:`\Sigma_x` (:math:`\Sigma_y`) the one-step prediction-error covariance of the source (target) from
    its own past, and :math:`\Sigma = \left(\begin{smallmatrix}\Sigma_{11} & \Sigma_{12}\\ \Sigma_{21} & \Sigma_{22}\end{smallmatrix}\right)`
    that of the pair from the joint past,

    .. math::

        F_{X,Y} = \log\frac{|\Sigma_x|\,|\Sigma_y|}{|\Sigma|},\quad F_{X\to Y} = \log\frac{|\Sigma_y|}{|\Sigma_{22}|},\quad
        F_{Y\to X} = \log\frac{|\Sigma_x|}{|\Sigma_{11}|},\quad F_{X\cdot Y} = \log\frac{|\Sigma_{11}|\,|\Sigma_{22}|}{|\Sigma|},

    so :math:`F_{X,Y} = F_{X\to Y} + F_{Y\to X} + F_{X\cdot Y}`.  For Gaussian processes (nats) :math:`F_{X,Y}/2` is the
    mutual-information rate :math:`\lim \frac1n I(X^n;Y^n)`, :math:`F_{X\to Y}/2` and :math:`F_{Y\to X}/2` the
    transfer-entropy rates and :math:`F_{X\cdot Y}/2` the instantaneous rate
    :math:`I(X_t; Y_t \mid X^{t-1}, Y^{t-1})`: the Gaussian form of the conservation law of chapter 3 split
    by Amblard and Michel.  ``history=None`` uses infinite pasts, an integer the last ``history`` values.
    ``method="riccati"`` (:func:`innovation_covariance`) or ``"spectral"`` (infinite past only): then
    :math:`\log|\Sigma_x|`, :math:`\log|\Sigma_y|` and :math:`\log|\Sigma|`, hence the total :math:`F_{X,Y}`, come from
    the Kolmogorov–Szegő formula (:func:`innovation_logdet_spectral`), an independent route; the diagonal
    blocks :math:`\Sigma_{11}, \Sigma_{22}` are not spectral quantities and still come from the Riccati
    recursion.  Other components are hidden.  Units of ``base``.  Chapter 8.
    """
    lb = log_base(base)
    A, S = _stable_var(coefs, noise_cov)
    d = A.shape[1]
    src, tgt = _components(source, d, "source"), _components(target, d, "target")
    check_disjoint("source", src, "target", tgt)
    both = list(src) + list(tgt)
    if method == "spectral":
        if history is not None:
            raise ValueError("history: the spectral method gives the infinite-past values only (history=None)")
        lx = innovation_logdet_spectral(A, S, observed=src)
        ly = innovation_logdet_spectral(A, S, observed=tgt)
        lxy = innovation_logdet_spectral(A, S, observed=both)
        # the blocks of the joint innovation covariance are not spectral quantities: Riccati for those
        J = innovation_covariance(A, S, observed=both)
    elif method == "riccati":
        J = innovation_covariance(A, S, observed=both, history=history)
        lx = _logdet(innovation_covariance(A, S, observed=src, history=history), "source")
        ly = _logdet(innovation_covariance(A, S, observed=tgt, history=history), "target")
        lxy = _logdet(J, "source")
    else:
        raise ValueError(f"method must be 'riccati' or 'spectral', got {method!r}")
    m = len(src)
    return _geweke_from_logdets(lx, ly, _logdet(J[:m, :m], "source"), _logdet(J[m:, m:], "target"), lxy, lb)


def geweke_decomposition_sample(*, source, target, lags=1, base=2) -> GewekeParts:
    r"""Least-squares estimate of :func:`geweke_decomposition` from two observed series with ``lags`` lags.

    :math:`\hat\Sigma_x`, :math:`\hat\Sigma_y`: residual covariances of each series regressed on a constant and
    its own ``lags`` past values; :math:`\hat\Sigma`: residual covariance of the pair regressed on a constant
    and ``lags`` past values of both (on the same rows).  ``source``, ``target``: arrays ``(n,)`` or
    ``(n, m)``.  Units of ``base``.  Chapter 8.
    """
    lb = log_base(base)
    lags = check_int(lags, "lags", minimum=1)
    x, y = _as_series(source, "source"), _as_series(target, "target")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"source and target must have the same length, got {x.shape[0]} and {y.shape[0]}")
    n = x.shape[0]
    if n <= 2 * lags * (x.shape[1] + y.shape[1]) + 2:
        raise ValueError(f"lags: too many lags ({lags}) for {n} samples")
    X, Y = x[lags:], y[lags:]
    lx_, ly_ = np.concatenate(_lagged(x, lags, lags), axis=1), np.concatenate(_lagged(y, lags, lags), axis=1)
    rows = n - lags  # _ssr centres, which fits the constant
    Sx = _ssr(X, lx_) / rows
    Sy = _ssr(Y, ly_) / rows
    J = _ssr(np.concatenate([X, Y], axis=1), np.concatenate([lx_, ly_], axis=1)) / rows
    m = x.shape[1]
    return _geweke_from_logdets(_logdet(Sx, "source"), _logdet(Sy, "target"), _logdet(J[:m, :m], "source"),
                                _logdet(J[m:, m:], "target"), _logdet(J, "source"), lb)


def granger_null_statistics(coefs, noise_cov=None, *, source, target, lags=1, n=500, replicates=1000, seed=None) -> np.ndarray:
    r"""Monte-Carlo draws of the likelihood-ratio statistic :math:`N\hat F_{X\to Y} = 2N\,\widehat{\mathrm{TE}}` (nats).

    Each replicate simulates ``n`` steps of the VAR from its stationary law (all replicates at once, on
    the companion state), estimates Geweke's
    :math:`\hat F` with ``lags`` lags (:func:`geweke_granger`, nats) and multiplies by the number of
    regression rows :math:`N = n - \text{lags}`.  When the source does not Granger-cause the target and
    the VAR order is at most ``lags``, the statistic is asymptotically :math:`\chi^2` with
    ``lags * dim(source) * dim(target)`` degrees of freedom (Geweke 1982).  Deterministic under ``seed``.
    Returns an array of length ``replicates``.  Chapter 8.
    """
    A, S = _stable_var(coefs, noise_cov)
    d = A.shape[1]
    src, tgt = list(_components(source, d, "source")), list(_components(target, d, "target"))
    check_disjoint("source", tuple(src), "target", tuple(tgt))
    lags = check_int(lags, "lags", minimum=1)
    n = check_int(n, "n", minimum=4 * lags * d + 4)
    reps = check_int(replicates, "replicates", minimum=1)
    rng = as_rng(seed)
    p = A.shape[0]
    F = companion_matrix(A)
    R0, Re = _psd_sqrt(var_stationary_covariance(A, S)), _psd_sqrt(S)
    state = rng.standard_normal((reps, d * p)) @ R0.T  # stationary start, every replicate at once
    data = np.empty((reps, n, d))
    for t in range(n):
        if t:
            state = state @ F.T
            state[:, :d] += rng.standard_normal((reps, d)) @ Re.T
        data[:, t] = state[:, :d]
    out = np.empty(reps)
    for r in range(reps):
        out[r] = (n - lags) * geweke_granger(source=data[r][:, src], target=data[r][:, tgt], lags=lags, base=math.e)
    return out


def granger_chi2_test(*, source, target, lags=1) -> tuple[float, int, float]:
    r"""Asymptotic likelihood-ratio test of "``source`` does not Granger-cause ``target``".

    Returns ``(statistic, df, p_value)``: :math:`N\hat F` in nats (:math:`N` = rows of the regressions),
    ``df`` = ``lags`` :math:`\times` the two dimensions, and the :math:`\chi^2_{df}` upper tail.  Chapter 8.
    """
    lags = check_int(lags, "lags", minimum=1)
    x, y = _as_series(source, "source"), _as_series(target, "target")
    stat = (x.shape[0] - lags) * geweke_granger(source=x, target=y, lags=lags, base=math.e)
    df = lags * x.shape[1] * y.shape[1]
    return float(stat), int(df), float(stats.chi2.sf(stat, df))


class SurrogateTest(NamedTuple):
    """Surrogate (shift) test: observed ``measure`` (Geweke's F, nats), ``p_value``, the ``surrogates``."""

    measure: float
    p_value: float
    surrogates: np.ndarray


def granger_surrogate_test(*, source, target, lags=1, n_surrogates=199, seed=None) -> SurrogateTest:
    r"""Surrogate test of Granger causality: circularly shift the source by random offsets.

    A circular shift keeps the source's own autocorrelation and the target untouched but breaks their
    alignment, so the surrogates of :math:`\hat F_{X\to Y}` (:func:`geweke_granger`, nats) sample its law
    when the two series are independent.  :math:`p = (1 + \#\{\hat F_s \ge \hat F\})/(1 + S)`.  Offsets are drawn
    from ``lags + 1 .. n - lags - 1``; deterministic under ``seed``.  A test of independence: when the
    series are dependent but the source does not Granger-cause the target it can reject (use
    :func:`granger_chi2_test` or :func:`granger_test` for that null).  Chapter 8.
    """
    lags = check_int(lags, "lags", minimum=1)
    x, y = _as_series(source, "source"), _as_series(target, "target")
    S = check_int(n_surrogates, "n_surrogates", minimum=1)
    n = x.shape[0]
    if n < 2 * lags + 4:
        raise ValueError(f"source: too short ({n}) for {lags} lags")
    rng = as_rng(seed)
    obs = geweke_granger(source=x, target=y, lags=lags, base=math.e)
    shifts = rng.integers(lags + 1, n - lags, size=S)
    sur = np.array([geweke_granger(source=np.roll(x, k, axis=0), target=y, lags=lags, base=math.e) for k in shifts])
    return SurrogateTest(float(obs), float((1 + np.sum(sur >= obs)) / (1 + S)), sur)


def simulate_markov_pair(transition, n, *, initial=None, seed=None) -> tuple[np.ndarray, np.ndarray]:
    r"""One path ``(x, y)`` of length ``n`` of a jointly Markov pair ``transition[x', y', x, y]`` (stationary start by default).

    The layout of :func:`semtheory.directed.markov_pair_law`.  Deterministic under ``seed``.  Chapter 8.
    """
    T = _real(transition, "transition")
    if T.ndim != 4 or T.shape[:2] != T.shape[2:]:
        raise ValueError(f"transition must have shape (|X|, |Y|, |X|, |Y|), got {T.shape}")
    K, L = T.shape[:2]
    as_stochastic(T.reshape(K * L, K * L), "transition")  # each row (x, y) a pmf over (x2, y2)
    n = check_int(n, "n", minimum=1)
    init = directed.markov_pair_stationary(T) if initial is None else as_pmf(initial, "initial", ndim=2)
    if init.shape != (K, L):
        raise ValueError(f"initial must have shape ({K}, {L}), got {init.shape}")
    rng = as_rng(seed)
    flat = T.reshape(K * L, K * L)
    cum = np.cumsum(flat, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(n)
    s = np.empty(n, dtype=np.int64)
    s[0] = min(int(np.searchsorted(np.cumsum(init.ravel()), u[0], side="right")), K * L - 1)
    for t in range(1, n):
        s[t] = int(np.searchsorted(cum[s[t - 1]], u[t], side="right"))
    return s // L, s % L


class TrainedGranger(NamedTuple):
    r"""Granger inference by two trained predictors (bits per token on held-out data).

    ``full_target``: cross-entropy of the interleaved model on the target tokens (it reads
    :math:`X^t, Y^{t-1}` before :math:`Y_t`); ``restricted_target``: of the model trained on the target alone;
    ``full_source``: of the interleaved model on the source tokens (it reads :math:`X^{t-1}, Y^{t-1}`).
    ``gain`` = restricted minus full, the estimated directed-information rate from source to target.
    """

    full_target: float
    restricted_target: float
    full_source: float
    gain: float


def granger_by_training(*, source, target, test_source, test_target, steps=200, seed=0, d_model=16, n_layers=1,
                        context_length=16, lr=1e-2) -> TrainedGranger:
    r"""Granger's comparison of two predictors, with both predictors trained Transformers (:mod:`semtheory.transformer`).

    The *full* model is trained on the interleaved stream :math:`x_1 y_1 x_2 y_2 \dots` (source tokens
    ``0..K-1``, target tokens ``K..K+L-1``), the *restricted* one on the target series alone; both with
    :func:`semtheory.transformer.train` (``steps``, ``lr``, ``seed``).  On the test series,
    ``gain`` :math:`= \mathrm{CE}_{\text{restricted}} - \mathrm{CE}_{\text{full}}` on the target tokens estimates
    :math:`\lim\frac1n[H(Y^n) - H(Y^n \| X^n)]`, the directed-information rate: the model reads :math:`X_t` before
    :math:`Y_t`, so the gain is the transfer *and* instantaneous parts of the Amblard–Michel split.  The first
    ``context_length`` test positions are skipped.  Imports torch.  Chapter 8.
    """
    from . import transformer as _tr  # torch only when asked

    xs, ys = _as_int_series(source, "source"), _as_int_series(target, "target")
    txs, tys = _as_int_series(test_source, "test_source"), _as_int_series(test_target, "test_target")
    if xs.size != ys.size or txs.size != tys.size:
        raise ValueError("source and target (and test_source and test_target) must have equal lengths")
    K = int(max(xs.max(), txs.max())) + 1
    L = int(max(ys.max(), tys.max())) + 1
    L0 = check_int(context_length, "context_length", minimum=4)
    if tys.size <= L0:
        raise ValueError(f"test_target must be longer than context_length = {L0}")

    def inter(a, b):
        s = np.empty(2 * a.size, dtype=np.int64)
        s[0::2], s[1::2] = a, b + K
        return s

    kw = dict(d_model=d_model, n_heads=2, n_layers=n_layers, context_length=L0, seed=seed)
    full = _tr.Transformer(K + L, **kw)
    _tr.train(full, inter(xs, ys), steps, lr=lr, seed=seed)
    restr = _tr.Transformer(L, **kw)
    _tr.train(restr, ys, steps, lr=lr, seed=seed)
    lp = full.token_logprobs(inter(txs, tys), base=2)[2 * L0:]
    src_ce, tgt_ce = -float(lp[0::2].mean()), -float(lp[1::2].mean())
    r_ce = -float(restr.token_logprobs(tys, base=math.e)[L0:].mean()) / math.log(2)
    return TrainedGranger(tgt_ce, r_ce, src_ce, r_ce - tgt_ce)


def _histories(k, l, *, k_min=0):
    k = check_int(k, "k", minimum=k_min)
    l = max(k, 1) if l is None else check_int(l, "l", minimum=1)
    return k, l


def transfer_entropy_gaussian(*, source, target, k=1, l=None, condition=None, base=2) -> float:
    r"""Gaussian (linear) transfer entropy from ``source`` to ``target`` estimated from samples.

    .. math:: \mathrm{TE}_{X\to Y} = I(Y_t;\, X^{(l)}_{t-1} \mid Y^{(k)}_{t-1}) = \tfrac12 \log\frac{\det\Sigma_{Y_t\mid Y^{(k)}}}{\det\Sigma_{Y_t \mid Y^{(k)}, X^{(l)}}}

    (Schreiber 2000) with :math:`Y^{(k)}_{t-1} = (Y_{t-1}, \dots, Y_{t-k})`, evaluated with the log-determinant
    formula of :func:`gaussian_conditional_mutual_information` on the sample covariance of the embedded
    vectors (``condition``'s past, with ``k`` lags, joins the conditioning set).  ``l`` defaults to
    ``max(k, 1)``.  With ``k = l`` it equals ``geweke_granger(...) / 2`` on the same data (Barnett, Barrett
    & Seth 2009).  Units of ``base``.  Chapter 8.
    """
    lb = log_base(base)
    k, l = _histories(k, l)
    resp, own, src = _regression_blocks(source, target, condition, k, l)
    M = np.concatenate([resp, own, src], axis=1)
    C = np.cov(M, rowvar=False)
    C = np.atleast_2d(C)
    m0, m1 = resp.shape[1], own.shape[1]
    a = tuple(range(m0))
    c = tuple(range(m0, m0 + m1))
    b = tuple(range(m0 + m1, M.shape[1]))
    return gaussian_conditional_mutual_information(C, a, b, c, base=math.e) / lb


def _lag_cov(G: np.ndarray, items: list[tuple[int, int]]) -> np.ndarray:
    """Covariance of (X^{(c)}_{t-a}) for items (c, a): E[X^{(ci)}_{t-ai} X^{(cj)}_{t-aj}] = Gamma(aj - ai)[ci, cj]."""
    m = len(items)
    C = np.empty((m, m))
    for i, (ci, ai) in enumerate(items):
        for j, (cj, aj) in enumerate(items):
            h = aj - ai
            C[i, j] = G[h][ci, cj] if h >= 0 else G[-h][cj, ci]
    return 0.5 * (C + C.T)


def _roles(A, source, target, condition):
    d = A.shape[1]
    src = _components(source, d, "source")
    tgt = _components(target, d, "target")
    cond = () if condition is None or _empty(condition) else _component_axes(condition, d, "condition")
    check_disjoint("source", src, "target", tgt)
    check_disjoint("source", src, "condition", cond)
    check_disjoint("target", tgt, "condition", cond)
    return src, tgt, cond


def _var_blocks(A, S, src, tgt, cond, k, l):
    G = var_autocovariance(A, S, max(k, l) + 1)
    items = [(c, 0) for c in tgt]
    n0 = len(items)
    items += [(c, j) for j in range(1, k + 1) for c in tgt + cond]
    n1 = len(items)
    items += [(c, j) for j in range(1, l + 1) for c in src]
    C = _lag_cov(G, items)
    return C, tuple(range(n0)), tuple(range(n0, n1)), tuple(range(n1, len(items)))


def _infinite_residuals(A, S, src, tgt, cond):
    """Target blocks of the innovations covariances of (target+condition) and (target+condition+source)."""
    restricted_obs = sorted(tgt + cond)
    full_obs = sorted(tgt + cond + src)
    R = innovation_covariance(A, S, observed=restricted_obs)
    Fu = innovation_covariance(A, S, observed=full_obs)
    ir = [restricted_obs.index(c) for c in tgt]
    jf = [full_obs.index(c) for c in tgt]
    return R[np.ix_(ir, ir)], Fu[np.ix_(jf, jf)]


def transfer_entropy_var(coefs, noise_cov=None, *, source, target, k=1, l=None, condition=None, base=2) -> float:
    r"""Exact transfer entropy of a stable Gaussian VAR from component(s) ``source`` to ``target``.

    Finite history (``k`` target lags, ``l`` source lags, default ``l = max(k, 1)``): the Gaussian
    conditional MI :math:`I(Y_t; X^{(l)}_{t-1} \mid Y^{(k)}_{t-1})` of the exact joint covariance built from the
    autocovariances (:func:`var_autocovariance`).  Infinite history (``k=None``, ``l`` must be ``None``):

    .. math:: \mathrm{TE}^{\infty}_{X\to Y} = \tfrac12 \log\frac{\det\Cov(Y_t \mid Y^{-}_t)}{\det\Cov(Y_t \mid Y^{-}_t, X^{-}_t)}

    with the innovations covariances of :func:`innovation_covariance`.  Components that are neither
    source, target nor ``condition`` are hidden (marginalised, not conditioned on); ``condition``
    components' past joins the conditioning set (conditional Granger causality).  Units of ``base``.
    Chapter 8.
    """
    lb = log_base(base)
    A, S = _stable_var(coefs, noise_cov)
    src, tgt, cond = _roles(A, source, target, condition)
    if k is None:
        if l is not None:
            raise ValueError("l must be None when k is None (infinite history for both)")
        Sr, Sf = _infinite_residuals(A, S, src, tgt, cond)
        return max(0.5 * (_logdet(Sr, "target") - _logdet(Sf, "target")), 0.0) / lb
    k, l = _histories(k, l)
    C, a, c, b = _var_blocks(A, S, src, tgt, cond, k, l)
    return gaussian_conditional_mutual_information(C, a, b, c, base=math.e) / lb


def granger_var(coefs, noise_cov=None, *, source, target, k=1, condition=None, base=2) -> float:
    r"""Population Geweke measure :math:`F = \log(\det\Sigma_r/\det\Sigma_f)` of a stable VAR, by regression.

    The residual covariances solve the population normal equations of the restricted regression (target
    and ``condition`` past, ``k`` lags) and the full one (plus ``k`` lags of ``source``):
    :math:`\Sigma = \Gamma_{yy} - \Gamma_{yz}\Gamma_{zz}^{-1}\Gamma_{zy}`.  ``k=None``: infinite past
    (innovations covariances).  :math:`F = 2\,\mathrm{TE}` (:func:`transfer_entropy_var`).  Units of ``base``.
    Chapter 8.
    """
    lb = log_base(base)
    A, S = _stable_var(coefs, noise_cov)
    src, tgt, cond = _roles(A, source, target, condition)
    if k is None:
        Sr, Sf = _infinite_residuals(A, S, src, tgt, cond)
    else:
        k = check_int(k, "k", minimum=0)
        C, a, c, b = _var_blocks(A, S, src, tgt, cond, k, max(k, 1))

        def resid(regs):
            regs = list(regs)
            Cyy = C[np.ix_(a, a)]
            if not regs:
                return Cyy
            Cyz = C[np.ix_(a, regs)]
            beta = np.linalg.solve(C[np.ix_(regs, regs)], Cyz.T)
            return Cyy - Cyz @ beta

        Sr, Sf = resid(c), resid(c + b)
    return max(_logdet(Sr, "target") - _logdet(Sf, "target"), 0.0) / lb


# ----------------------------------------------------------------------------------------------
# Discrete plug-in transfer entropy
# ----------------------------------------------------------------------------------------------


def _as_int_series(x, name: str) -> np.ndarray:
    arr = _asarray(x, name)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D integer series, got shape {arr.shape}")
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must hold integer symbols (got non-integer values)")
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer symbols, got dtype {arr.dtype}")
    if arr.min() < 0:
        raise ValueError(f"{name} must hold non-negative integer symbols (min {arr.min()})")
    return arr.astype(np.int64)


def _encode(blocks: list[np.ndarray], radix: int, m: int) -> np.ndarray:
    code = np.zeros(m, dtype=np.int64)
    for b in blocks:
        code = code * radix + b
    return code


def transfer_entropy_plugin(*, source, target, k=1, l=1, base=2) -> float:
    r"""Plug-in transfer entropy from the integer series ``source`` to ``target`` (Schreiber 2000).

    .. math:: \widehat{\mathrm{TE}}_{X\to Y} = \hat H(Y_t, Y^{(k)}) + \hat H(Y^{(k)}, X^{(l)}) - \hat H(Y_t, Y^{(k)}, X^{(l)}) - \hat H(Y^{(k)})

    with :math:`Y^{(k)} = (Y_{t-1}..Y_{t-k})`, :math:`X^{(l)} = (X_{t-1}..X_{t-l})`, over
    :math:`t = \max(k,l)..n-1`, and :func:`semtheory.measures.entropy_plugin` on encoded histories.
    ``k = 0`` gives the lagged MI :math:`I(Y_t; X^{(l)})`.  Biased upward by about
    :math:`\frac{(|\mathcal Y|-1)|\mathcal Y|^k(|\mathcal X|^l-1)}{2N}` nats under independence.  Units of
    ``base``.  Chapter 8.
    """
    lb = log_base(base)
    x = _as_int_series(source, "source")
    y = _as_int_series(target, "target")
    if x.size != y.size:
        raise ValueError(f"source and target must have the same length, got {x.size} and {y.size}")
    k = check_int(k, "k", minimum=0)
    l = check_int(l, "l", minimum=1)
    h = max(k, l)
    n = y.size
    if n <= h:
        raise ValueError(f"target is too short ({n} values) for histories k={k}, l={l}")
    radix = int(max(x.max(), y.max())) + 1
    if math.log2(max(radix, 2)) * (k + l + 1) > 62:
        raise ValueError(f"k and l are too long for an alphabet of {radix} symbols (state codes overflow)")
    m = n - h
    yk = _encode([y[h - j : n - j] for j in range(1, k + 1)], radix, m)
    xl = _encode([x[h - j : n - j] for j in range(1, l + 1)], radix, m)
    yt = y[h:]
    rk = radix**k
    rl = radix**l
    H = lambda codes: measures.entropy_plugin(codes, base=math.e)  # noqa: E731
    te = H(yt * rk + yk) + H(xl * rk + yk) - H((yt * rl + xl) * rk + yk) - H(yk)
    return max(te, 0.0) / lb


def simulate_delayed_copy(n, *, flip=0.1, delay=1, alphabet=2, seed=None) -> tuple[np.ndarray, np.ndarray]:
    r"""A noisy delayed copy: :math:`X_t` i.i.d. uniform on ``alphabet`` symbols and :math:`Y_t = X_{t-\text{delay}} + N_t \bmod |\mathcal X|`.

    :math:`N_t = 0` with probability ``1 - flip`` and uniform on the other symbols otherwise.  For
    ``delay=1`` the exact transfer entropy with ``k = l = 1`` is
    :math:`\log|\mathcal X| - h(\text{flip}) - \text{flip}\log(|\mathcal X|-1)` from X to Y and 0 from Y to X.
    Returns ``(x, y)`` integer arrays of length ``n``.  Chapter 8.
    """
    n = check_int(n, "n", minimum=1)
    f = check_probability(flip, "flip")
    delay = check_int(delay, "delay", minimum=0)
    q = check_int(alphabet, "alphabet", minimum=2)
    rng = as_rng(seed)
    x = rng.integers(0, q, n + delay)
    noise = np.where(rng.random(n) < f, rng.integers(1, q, n), 0)
    y = (x[:n] + noise) % q
    return x[delay:], y


# ----------------------------------------------------------------------------------------------
# Directed information = transfer part + instantaneous part (Amblard & Michel)
# ----------------------------------------------------------------------------------------------


class DIParts(NamedTuple):
    """Amblard–Michel split of Massey's directed information (units of the ``base`` used)."""

    transfer_terms: np.ndarray
    instantaneous_terms: np.ndarray
    transfer: float
    instantaneous: float
    directed: float
    residual: float


def di_decomposition(p, base=2) -> DIParts:
    r"""Directed information as transfer entropy plus instantaneous coupling (Amblard & Michel 2011).

    .. math:: I(X^n \to Y^n) = \sum_{t=1}^{n} I(X^{t-1}; Y_t \mid Y^{t-1}) + \sum_{t=1}^{n} I(X_t; Y_t \mid X^{t-1}, Y^{t-1})

    ``p`` is an exact joint pmf with axes :math:`X_1..X_n, Y_1..Y_n` (the layout of
    :mod:`semtheory.directed`).  The terms are :func:`semtheory.directed.amblard_michel_terms`
    (conditional mutual informations); ``directed`` is
    :func:`semtheory.directed.directed_information`, and ``residual = directed - transfer - instantaneous``
    is zero up to round-off (the chain rule of CMI, step by step).  Units of ``base``.  Chapter 8.
    """
    te, inst = directed.amblard_michel_terms(p, base)
    di = directed.directed_information(p, base)
    return DIParts(te, inst, float(te.sum()), float(inst.sum()), di, float(di - te.sum() - inst.sum()))


def coupled_pair_transition(lagged=0.7, flip=0.1) -> np.ndarray:
    r"""A binary Markov pair with both lagged and instantaneous coupling, ``transition[x, y, x2, y2]``.

    :math:`X_t` i.i.d. fair bits; :math:`Y_t = X_{t-1} \oplus N_t` with probability ``lagged`` and
    :math:`Y_t = X_t \oplus N_t` otherwise, :math:`N_t \sim \mathrm{Bern}(\text{flip})`.  Its directed
    information splits into a transfer part (from the lagged copy) and an instantaneous part (from the
    simultaneous copy).  For :func:`semtheory.directed.markov_pair_law`.  Chapter 8.
    """
    a = check_probability(lagged, "lagged")
    f = check_probability(flip, "flip")
    T = np.zeros((2, 2, 2, 2))
    for x, y, x2, y2 in itertools.product(range(2), repeat=4):
        def bsc(src):
            return 1 - f if y2 == src else f

        T[x, y, x2, y2] = 0.5 * (a * bsc(x) + (1 - a) * bsc(x2))
    return T


# ----------------------------------------------------------------------------------------------
# Linear structural models: Granger (rung 1) versus intervention (rung 2)
# ----------------------------------------------------------------------------------------------


def spurious_granger_var(a=1.0, b=1.0, rho=0.8) -> tuple[np.ndarray, np.ndarray]:
    r"""A hidden common cause that makes X Granger-cause Y with **no causal effect** of X on Y.

    Components ``(X, Y, Z)``; Z is the hidden confounder (an AR(1)) that reaches X one step before Y:

    .. math:: Z_t = \rho Z_{t-1} + e^Z_t,\quad X_t = a Z_{t-1} + e^X_t,\quad Y_t = b Z_{t-2} + e^Y_t,

    with unit-variance independent noises.  :math:`X_{t-1}` carries news of :math:`Z_{t-2}` that
    :math:`Y_t` will reflect, so :math:`\mathrm{TE}_{X\to Y} > 0`, yet Y's mechanism contains no X:
    :math:`\Psi_h[Y, X] = 0` for every h.  Returns ``(coefs, noise_cov)`` of a VAR(2).  Chapter 8.
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


def masked_effect_var(effect=0.5, a=1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""The reverse failure: X **causes** Y but X does not Granger-cause Y (a confounder cancels the effect).

    Components ``(X, Y, Z)`` with i.i.d. :math:`Z_t = e^Z_t`, :math:`X_t = a Z_{t-1} + e^X_t` and

    .. math:: Y_t = \beta X_{t-1} + c\,Z_{t-2} + e^Y_t,\qquad c = -\beta\,(a^2 + 1)/a,

    so that :math:`\Cov(Y_t, X_{t-1}) = \beta(a^2+1) + c\,a = 0`; every covariance between :math:`Y_t` and the
    past of (X, Y) vanishes, hence :math:`\mathrm{TE}_{X\to Y} = 0` at every history length, while the causal
    effect is :math:`\Psi_1[Y, X] = \beta`.  Returns ``(coefs, noise_cov)`` of a VAR(2).  Chapter 8.
    """
    for v, name in ((effect, "effect"), (a, "a")):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) or not math.isfinite(v):
            raise ValueError(f"{name} must be a finite real number, got {v!r}")
    if a == 0:
        raise ValueError("a must be non-zero (the confounder must reach X)")
    A = np.zeros((2, 3, 3))
    A[0, 0, 2] = a
    A[0, 1, 0] = effect
    A[1, 1, 2] = -effect * (a * a + 1.0) / a
    return A, np.eye(3)


def var_do(coefs, noise_cov=None, *, component, value, steps=1, replicates=10_000, seed=None) -> np.ndarray:
    r"""Monte Carlo intervention :math:`do(X^{(j)}_0 = x)` in a stable VAR read as a structural causal model.

    Each replicate starts from the stationary law, the mechanism of ``component`` at time 0 is replaced
    by the constant ``value`` (its noise is discarded), and the process runs ``steps`` more steps with
    its own equations.  Returns an array ``(replicates, steps + 1, d)``; ``out[:, h].mean(0)`` estimates
    :math:`E[X_h \mid do(X^{(j)}_0 = x)]`, whose exact value for a zero-mean VAR is
    :math:`\Psi_h[:, j]\,x` (:func:`var_impulse_response`).  Chapter 8.
    """
    A, S = _stable_var(coefs, noise_cov)
    p, d, _ = A.shape
    j = check_int(component, "component", minimum=0, maximum=d - 1)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) or not math.isfinite(value):
        raise ValueError(f"value must be a finite real number, got {value!r}")
    steps = check_int(steps, "steps", minimum=0)
    R = check_int(replicates, "replicates", minimum=1)
    rng = as_rng(seed)
    F = companion_matrix(A)
    s = rng.standard_normal((R, d * p)) @ _psd_sqrt(var_stationary_covariance(A, S)).T
    s[:, j] = value
    root = _psd_sqrt(S)
    out = np.empty((R, steps + 1, d))
    out[:, 0] = s[:, :d]
    for h in range(1, steps + 1):
        s = s @ F.T
        s[:, :d] += rng.standard_normal((R, d)) @ root.T
        out[:, h] = s[:, :d]
    return out


# ----------------------------------------------------------------------------------------------
# Discrete structural causal models: the three rungs of Pearl's ladder
# ----------------------------------------------------------------------------------------------


class DiscreteSCM:
    r"""A finite structural causal model: exogenous noises with pmfs and deterministic mechanisms.

    ``noise`` maps each exogenous variable's name to its pmf (1-D, values ``0..K-1``; independent of each
    other).  ``equations`` is an ordered list of ``(name, cardinality, mechanism)``: ``mechanism(v)``
    receives a mapping ``v`` from names (noises and earlier variables) to integer arrays over every
    noise configuration and returns the variable's values (integers in ``0..cardinality-1``).

    * rung 1, association: ``probability(event, given=...)`` = :math:`P(y \mid x)`;
    * rung 2, intervention: ``probability(event, do=...)`` = :math:`P(y \mid do(x))`, by replacing the
      mechanisms of the intervened variables with constants (truncated factorisation);
    * rung 3, counterfactual: ``counterfactual(event, evidence=..., do=...)`` =
      :math:`P(Y_{x} = y \mid \text{evidence})` by abduction (posterior of the noises given the
      evidence), action (the intervention) and prediction (push the posterior through the modified model).

    Everything is exact: the noises are enumerated.  Chapter 8.
    """

    def __init__(self, noise: Mapping[str, Sequence[float]], equations: Sequence[tuple[str, int, Callable]]):
        if not isinstance(noise, Mapping) or not noise:
            raise ValueError("noise must be a non-empty mapping from names to pmfs")
        self._noise = {}
        for name, pmf in noise.items():
            if not isinstance(name, str):
                raise ValueError(f"noise names must be strings, got {name!r}")
            self._noise[name] = as_pmf(pmf, f"noise[{name!r}]", ndim=1)
        if isinstance(equations, (str, bytes)) or not isinstance(equations, Sequence) or not equations:
            raise ValueError("equations must be a non-empty list of (name, cardinality, mechanism)")
        self._eqs = []
        seen = set(self._noise)
        for item in equations:
            if not isinstance(item, (tuple, list)) or len(item) != 3:
                raise ValueError("equations must hold (name, cardinality, mechanism) triples")
            name, card, fn = item
            if not isinstance(name, str) or name in seen:
                raise ValueError(f"equations: variable name {name!r} is not a new string")
            card = check_int(card, f"cardinality of {name}", minimum=1)
            if not callable(fn):
                raise ValueError(f"equations: the mechanism of {name!r} is not callable")
            seen.add(name)
            self._eqs.append((name, card, fn))
        names = list(self._noise)
        grids = np.meshgrid(*[np.arange(len(self._noise[u])) for u in names], indexing="ij")
        self._u = {u: g.ravel() for u, g in zip(names, grids)}
        w = np.ones(1)
        for u in names:
            w = np.multiply.outer(w, self._noise[u])
        self._pu = w.ravel()
        self._factual = self._solve({})

    @property
    def variables(self) -> tuple[str, ...]:
        """Names of the endogenous variables, in equation order (the axes of :meth:`joint`)."""
        return tuple(e[0] for e in self._eqs)

    @property
    def noise_names(self) -> tuple[str, ...]:
        """Names of the exogenous noise variables (the axes of :meth:`abduction`)."""
        return tuple(self._noise)

    def cardinality(self, name: str) -> int:
        """Number of values of endogenous variable ``name``."""
        for n, c, _ in self._eqs:
            if n == name:
                return c
        raise ValueError(f"name {name!r} is not an endogenous variable of this model ({self.variables})")

    def _check_assignment(self, assignment, name: str) -> dict[str, int]:
        if assignment is None:
            return {}
        if not isinstance(assignment, Mapping):
            raise ValueError(f"{name} must be a mapping from variable names to values")
        out = {}
        for var, val in assignment.items():
            if var not in self.variables:
                raise ValueError(f"{name} names {var!r}, not an endogenous variable ({self.variables})")
            card = self.cardinality(var)
            out[var] = check_int(val, f"{name}[{var!r}]", minimum=0, maximum=card - 1)
        return out

    def _solve(self, do: dict[str, int]) -> dict[str, np.ndarray]:
        K = self._pu.size
        vals: dict[str, np.ndarray] = dict(self._u)
        for name, card, fn in self._eqs:
            if name in do:
                v = np.full(K, do[name], dtype=np.int64)
            else:
                raw = np.broadcast_to(np.asarray(fn(vals)), (K,))
                if raw.dtype.kind == "b":
                    raw = raw.astype(np.int64)
                if raw.dtype.kind not in "iu" or raw.min() < 0 or raw.max() >= card:
                    raise ValueError(f"equations: the mechanism of {name!r} must return integers in 0..{card - 1}")
                v = raw.astype(np.int64)
            vals[name] = v
        return vals

    def _mask(self, vals, event: dict[str, int]) -> np.ndarray:
        m = np.ones(self._pu.size, dtype=bool)
        for var, val in event.items():
            m &= vals[var] == val
        return m

    def joint(self, do=None) -> np.ndarray:
        r"""Joint pmf of the endogenous variables (axes in :attr:`variables` order), under ``do`` if given (rung 1 / 2)."""
        do = self._check_assignment(do, "do")
        vals = self._solve(do) if do else self._factual
        shape = tuple(c for _, c, _ in self._eqs)
        idx = np.ravel_multi_index(tuple(vals[n] for n in self.variables), shape)
        return np.bincount(idx, weights=self._pu, minlength=int(np.prod(shape))).reshape(shape)

    def probability(self, event, *, given=None, do=None) -> float:
        r""":math:`P(\text{event} \mid \text{given})` in the model, after the intervention ``do`` if given.

        ``given`` alone: rung 1 (association, what a predictor fitted to observational data learns);
        ``do`` alone: rung 2 (intervention).  Events are mappings ``{name: value}``.
        """
        ev = self._check_assignment(event, "event")
        gv = self._check_assignment(given, "given")
        do = self._check_assignment(do, "do")
        vals = self._solve(do) if do else self._factual
        mg = self._mask(vals, gv)
        pg = float(self._pu[mg].sum())
        if not pg > 0:
            raise ValueError(f"given has probability 0 in this model: {gv}")
        return float(self._pu[mg & self._mask(vals, ev)].sum() / pg)

    def abduction(self, evidence) -> np.ndarray:
        r"""Posterior pmf of the exogenous noises given factual ``evidence`` (axes in :attr:`noise_names` order).

        :math:`P(u \mid e) \propto P(u)\,\mathbb 1[\text{the model with noise } u \text{ produces } e]`; step 1 of a
        counterfactual.  Raises ``ValueError`` naming ``evidence`` if it has probability 0.
        """
        ev = self._check_assignment(evidence, "evidence")
        w = self._pu * self._mask(self._factual, ev)
        tot = w.sum()
        if not tot > 0:
            raise ValueError(f"evidence has probability 0 in this model: {ev}")
        return (w / tot).reshape(tuple(len(self._noise[u]) for u in self._noise))

    def counterfactual(self, event, *, evidence, do) -> float:
        r"""Rung 3: :math:`P(\text{event}_{do} \mid \text{evidence})` by abduction, action and prediction.

        The noises are updated on the factual ``evidence`` (:meth:`abduction`), the mechanisms of the
        ``do`` variables replaced by constants, and the event's probability computed under the posterior
        noise law in the modified model.  E.g. ``counterfactual({"Y": 1}, evidence={"X": 1, "Y": 1},
        do={"X": 0})`` is "had X been 0, would Y still have been 1?".
        """
        ev = self._check_assignment(event, "event")
        post = self.abduction(evidence).ravel()
        dov = self._check_assignment(do, "do")
        if not dov:
            raise ValueError("do must name at least one intervened variable for a counterfactual")
        vals = self._solve(dov)
        return float(post[self._mask(vals, ev)].sum())

    def backdoor(self, event, *, do, adjust) -> float:
        r"""Back-door adjustment from the *observational* joint law: :math:`\sum_z P(\text{event} \mid x, z)\,P(z)`.

        ``do`` is the treatment assignment :math:`\{X: x\}`, ``adjust`` a sequence of variable names :math:`Z`.
        Only :meth:`joint` (rung 1) is used; when :math:`Z` satisfies the back-door criterion for the
        treatment and the event's variables this equals ``probability(event, do=do)`` (rung 2, computed by
        replacing mechanisms), which makes the two an independent check.  Strata :math:`z` with
        :math:`P(x, z) = 0` raise ``ValueError`` naming ``adjust`` (positivity fails).  Chapter 8.
        """
        ev = self._check_assignment(event, "event")
        dov = self._check_assignment(do, "do")
        if not dov:
            raise ValueError("do must name at least one treatment variable")
        if isinstance(adjust, str) or not all(a in self.variables for a in adjust):
            raise ValueError(f"adjust must be a sequence of endogenous variable names ({self.variables})")
        Z = list(adjust)
        if set(Z) & (set(dov) | set(ev)):
            raise ValueError("adjust must not contain the treatment or the event's variables")
        P = self.joint()
        names = self.variables
        keep = [names.index(v) for v in Z]
        pz = P.sum(axis=tuple(i for i in range(P.ndim) if i not in keep))
        total = 0.0
        for zval in itertools.product(*[range(self.cardinality(v)) for v in Z]):
            if pz[zval] == 0:
                continue
            cond = dict(zip(Z, zval)) | dov
            sl = tuple(cond.get(n, slice(None)) for n in names)
            pxz = P[sl].sum()
            if not pxz > 0:
                raise ValueError(f"adjust: the stratum {dict(zip(Z, zval))} never has the treatment {dov} (positivity)")
            sl_e = tuple((ev | cond).get(n, slice(None)) for n in names) if all(ev.get(k, v) == v for k, v in cond.items()) else None
            pexz = 0.0 if sl_e is None else P[sl_e].sum()
            total += pz[zval] * pexz / pxz
        return float(total)

    def sample(self, n, *, do=None, seed=None) -> dict[str, np.ndarray]:
        """``n`` i.i.d. draws of the endogenous variables (under ``do`` if given), as a dict of integer arrays."""
        n = check_int(n, "n", minimum=1)
        do = self._check_assignment(do, "do")
        rng = as_rng(seed)
        vals = self._solve(do) if do else self._factual
        pick = rng.choice(self._pu.size, size=n, p=self._pu / self._pu.sum())
        return {v: vals[v][pick] for v in self.variables}


def _bern(q: float) -> np.ndarray:
    return np.array([1.0 - q, q])


def confounded_scm(flip_x=0.1, flip_y=0.1, effect=0.0) -> DiscreteSCM:
    r"""Binary SCM with a hidden common cause Z of a token X the model reads and a token Y it writes.

    .. math:: Z = U_Z,\quad X = Z \oplus N_X,\quad Y = (Z \oplus N_Y) \lor (X \land E)

    with :math:`U_Z \sim \mathrm{Bern}(1/2)`, :math:`N_X \sim \mathrm{Bern}(\text{flip\_x})`,
    :math:`N_Y \sim \mathrm{Bern}(\text{flip\_y})`, :math:`E \sim \mathrm{Bern}(\text{effect})`.  With
    ``effect = 0`` X has no causal effect on Y, yet X predicts Y: :math:`P(Y=1 \mid X=1) \ne P(Y=1 \mid do(X=1)) = 1/2`.
    Variables ``("Z", "X", "Y")``.  Chapter 8.
    """
    qx = check_probability(flip_x, "flip_x")
    qy = check_probability(flip_y, "flip_y")
    e = check_probability(effect, "effect")
    return DiscreteSCM(
        {"U_Z": _bern(0.5), "N_X": _bern(qx), "N_Y": _bern(qy), "E": _bern(e)},
        [
            ("Z", 2, lambda v: v["U_Z"]),
            ("X", 2, lambda v: v["Z"] ^ v["N_X"]),
            ("Y", 2, lambda v: (v["Z"] ^ v["N_Y"]) | (v["X"] & v["E"])),
        ],
    )


def direct_scm(flip=0.18) -> DiscreteSCM:
    r"""Binary SCM where X causes Y directly and nothing else: :math:`X = U_X`, :math:`Y = X \oplus N`.

    :math:`U_X \sim \mathrm{Bern}(1/2)`, :math:`N \sim \mathrm{Bern}(\text{flip})`.  With
    ``flip = qx(1-qy) + qy(1-qx)`` its law of (X, Y) equals that of ``confounded_scm(qx, qy)``: the two
    models agree on rung 1 and disagree on rungs 2 and 3.  Variables ``("X", "Y")``.  Chapter 8.
    """
    q = check_probability(flip, "flip")
    return DiscreteSCM(
        {"U_X": _bern(0.5), "N": _bern(q)},
        [("X", 2, lambda v: v["U_X"]), ("Y", 2, lambda v: v["X"] ^ v["N"])],
    )


def observational_twin(scm, *, cause, effect) -> DiscreteSCM:
    r"""The unconfounded SCM :math:`X \to Y` with the same observational law of ``(cause, effect)`` as ``scm``.

    :math:`X := N_X` with :math:`N_X \sim P(x)`, and :math:`Y := N_{Y,X}` with independent response noises
    :math:`N_{Y,x} \sim P(y \mid x)`, one per value :math:`x` (the canonical response-function form).  Its law of
    :math:`(X, Y)` is that of ``scm``, and its interventional answer is the rung-1 one,
    :math:`P_{\text{twin}}(y \mid do(x)) = P(y \mid x)`; so whenever ``scm`` has
    :math:`P(y \mid do(x)) \ne P(y \mid x)`, the pair is a witness that rung 1 does not determine rung 2.
    Chapter 8.
    """
    if not isinstance(scm, DiscreteSCM):
        raise ValueError(f"scm must be a DiscreteSCM, got {type(scm).__name__}")
    names = scm.variables
    for nm, val in (("cause", cause), ("effect", effect)):
        if val not in names:
            raise ValueError(f"{nm} must name an endogenous variable of scm ({names}), got {val!r}")
    if cause == effect:
        raise ValueError("effect must differ from cause")
    P = scm.joint()
    ic, ie = names.index(cause), names.index(effect)
    pxy = P.sum(axis=tuple(i for i in range(P.ndim) if i not in (ic, ie)))
    if ic > ie:
        pxy = pxy.T
    px = pxy.sum(axis=1)
    K, L = pxy.shape
    noise = {"N_" + cause: px}
    for x in range(K):
        noise[f"N_{effect}|{x}"] = pxy[x] / px[x] if px[x] > 0 else np.full(L, 1.0 / L)
    eqs = [
        (cause, K, lambda v: v["N_" + cause]),
        (effect, L, lambda v: np.choose(v[cause], [v[f"N_{effect}|{x}"] for x in range(K)])),
    ]
    return DiscreteSCM(noise, eqs)
