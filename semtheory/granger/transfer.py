"""Transfer entropy of Gaussian series and of a VAR, and the population Granger measure (chapter 8)."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..core.types import ArrayLike
from .._validate import check_disjoint, check_int, log_base
from ._common import component_axes, components, empty, logdet, regression_blocks, stable_var
from .gaussian import gaussian_conditional_mutual_information
from .spectral import innovation_covariance
from .var import var_autocovariance


# ----------------------------------------------------------------------------------------------
# Transfer entropy
# ----------------------------------------------------------------------------------------------


def _histories(k, l, *, k_min=0):
    k = check_int(k, "k", minimum=k_min)
    l = max(k, 1) if l is None else check_int(l, "l", minimum=1)
    return k, l


def transfer_entropy_gaussian(*, source: ArrayLike, target: ArrayLike, k: int = 1, l: int | None = None,
                              condition: ArrayLike | None = None, base: float = 2) -> float:
    r"""Gaussian (linear) transfer entropy from ``source`` to ``target`` estimated from samples.

    .. math:: \mathrm{TE}_{X\to Y} = I(Y_t;\, X^{(l)}_{t-1} \mid Y^{(k)}_{t-1}) = \tfrac12 \log\frac{\det\Sigma_{Y_t\mid Y^{(k)}}}{\det\Sigma_{Y_t \mid Y^{(k)}, X^{(l)}}}

    (Schreiber 2000) with :math:`Y^{(k)}_{t-1} = (Y_{t-1}, \dots, Y_{t-k})`, evaluated with the log-determinant
    formula of :func:`gaussian_conditional_mutual_information` on the sample covariance of the embedded
    vectors (``condition``'s past, with ``k`` lags, joins the conditioning set).  ``l`` defaults to
    ``max(k, 1)``.  With ``k = l`` it equals ``geweke_granger(...) / 2`` on the same data (Barnett, Barrett
    & Seth 2009).  Units of ``base``.  Chapter 8.

    Parameters
    ----------
    source : array_like, shape (n,) or (n, m), keyword-only
        The source series :math:`X`, one row per time step.
    target : array_like, shape (n,) or (n, m'), keyword-only
        The target series :math:`Y`, of the same length.
    k : int, keyword-only, default 1
        The number of target lags (>= 0).
    l : int, keyword-only, optional
        The number of source lags (>= 1; default ``max(k, 1)``).
    condition : array_like, shape (n,) or (n, m''), keyword-only, optional
        A third series whose ``k`` past values join the conditioning set.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The estimate of :math:`\mathrm{TE}_{X\to Y}`, in units of log ``base`` per time step (bits by default).
    """
    lb = log_base(base)
    k, l = _histories(k, l)
    resp, own, src = regression_blocks(source, target, condition, k, l)
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


def _roles(A, source_index, target_index, condition_index):
    d = A.shape[1]
    src = components(source_index, d, "source_index")
    tgt = components(target_index, d, "target_index")
    cond = () if condition_index is None or empty(condition_index) else component_axes(condition_index, d, "condition_index")
    check_disjoint("source_index", src, "target_index", tgt)
    check_disjoint("source_index", src, "condition_index", cond)
    check_disjoint("target_index", tgt, "condition_index", cond)
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


def transfer_entropy_var(coefs: ArrayLike, noise_cov: ArrayLike | None = None, *, source_index: int | Sequence[int],
                         target_index: int | Sequence[int], k: int | None = 1, l: int | None = None,
                         condition_index: int | Sequence[int] | None = None, base: float = 2) -> float:
    r"""Exact transfer entropy of a stable Gaussian VAR from the components ``source_index`` to ``target_index``.

    Finite history (``k`` target lags, ``l`` source lags, default ``l = max(k, 1)``): the Gaussian
    conditional MI :math:`I(Y_t; X^{(l)}_{t-1} \mid Y^{(k)}_{t-1})` of the exact joint covariance built from the
    autocovariances (:func:`var_autocovariance`).  Infinite history (``k=None``, ``l`` must be ``None``):

    .. math:: \mathrm{TE}^{\infty}_{X\to Y} = \tfrac12 \log\frac{\det\Cov(Y_t \mid Y^{-}_t)}{\det\Cov(Y_t \mid Y^{-}_t, X^{-}_t)}

    with the innovations covariances of :func:`innovation_covariance`.  Components that are neither
    source, target nor condition are hidden (marginalised, not conditioned on); the ``condition_index``
    components' past joins the conditioning set (conditional Granger causality).  Units of ``base``.
    Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The coefficients of a stable VAR, ``coefs[k-1]`` = :math:`A_k`.
    noise_cov : array_like, shape (d, d) or (d,), optional
        The noise covariance :math:`\Sigma` (``None``: the identity; a 1-D array: its diagonal).
    source_index : int or sequence of int, keyword-only
        The source components (indices ``0..d-1``).
    target_index : int or sequence of int, keyword-only
        The target components, disjoint from the source.
    k : int or None, keyword-only, default 1
        The number of target lags (>= 0; ``None``: the whole past).
    l : int or None, keyword-only, optional
        The number of source lags (>= 1; default ``max(k, 1)``; ``None`` when ``k`` is ``None``).
    condition_index : int or sequence of int, keyword-only, optional
        Observed components whose past joins the conditioning set (``None``: none).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\mathrm{TE}_{X\to Y}`, in units of log ``base`` per time step (bits by default).

    Examples
    --------
    >>> A = [[0.5, 0.0], [0.8, 0.3]]  # X drives Y
    >>> te_xy = transfer_entropy_var(A, source_index=0, target_index=1)
    >>> te_yx = transfer_entropy_var(A, source_index=1, target_index=0)
    >>> bool(te_xy > 0), round(float(te_yx), 12)
    (True, 0.0)
    """
    lb = log_base(base)
    A, S = stable_var(coefs, noise_cov)
    src, tgt, cond = _roles(A, source_index, target_index, condition_index)
    if k is None:
        if l is not None:
            raise ValueError("l must be None when k is None (infinite history for both)")
        Sr, Sf = _infinite_residuals(A, S, src, tgt, cond)
        return max(0.5 * (logdet(Sr, "target_index") - logdet(Sf, "target_index")), 0.0) / lb
    k, l = _histories(k, l)
    C, a, c, b = _var_blocks(A, S, src, tgt, cond, k, l)
    return gaussian_conditional_mutual_information(C, a, b, c, base=math.e) / lb


def granger_var(coefs: ArrayLike, noise_cov: ArrayLike | None = None, *, source_index: int | Sequence[int],
                target_index: int | Sequence[int], k: int | None = 1,
                condition_index: int | Sequence[int] | None = None, base: float = 2) -> float:
    r"""Population Geweke measure :math:`F = \log(\det\Sigma_r/\det\Sigma_f)` of a stable VAR, by regression.

    The residual covariances solve the population normal equations of the restricted regression (target
    and ``condition_index`` past, ``k`` lags) and the full one (plus ``k`` lags of ``source_index``):
    :math:`\Sigma = \Gamma_{yy} - \Gamma_{yz}\Gamma_{zz}^{-1}\Gamma_{zy}`.  ``k=None``: infinite past
    (innovations covariances).  :math:`F = 2\,\mathrm{TE}` (:func:`transfer_entropy_var`).  Units of ``base``.
    Chapter 8.

    Parameters
    ----------
    coefs : array_like, shape (p, d, d) or (d, d)
        The coefficients of a stable VAR, ``coefs[k-1]`` = :math:`A_k`.
    noise_cov : array_like, shape (d, d) or (d,), optional
        The noise covariance :math:`\Sigma` (``None``: the identity; a 1-D array: its diagonal).
    source_index : int or sequence of int, keyword-only
        The source components (indices ``0..d-1``).
    target_index : int or sequence of int, keyword-only
        The target components, disjoint from the source.
    k : int or None, keyword-only, default 1
        The number of lags of every regressor (>= 0; ``None``: the whole past).
    condition_index : int or sequence of int, keyword-only, optional
        Observed components whose past joins the conditioning set (``None``: none).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The population :math:`F_{X\to Y}`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    A, S = stable_var(coefs, noise_cov)
    src, tgt, cond = _roles(A, source_index, target_index, condition_index)
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
    return max(logdet(Sr, "target_index") - logdet(Sf, "target_index"), 0.0) / lb
