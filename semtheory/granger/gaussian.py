"""Gaussian conditional mutual information, Geweke's Granger measure, its decomposition and tests (chapter 8)."""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np
from scipy import linalg, stats

from ..core.types import ArrayLike, SeedLike
from .._validate import as_rng, check_disjoint, check_int, log_base
from ._common import (
    as_series,
    component_axes,
    components,
    empty,
    lagged,
    logdet,
    psd_sqrt,
    real,
    regression_blocks,
    stable_var,
)
from .spectral import innovation_covariance, innovation_logdet_spectral
from .var import companion_matrix, var_stationary_covariance


# ----------------------------------------------------------------------------------------------
# Gaussian conditional mutual information, Granger
# ----------------------------------------------------------------------------------------------


def gaussian_conditional_mutual_information(cov: ArrayLike, a: int | Sequence[int], b: int | Sequence[int],
                                            given: int | Sequence[int] = (), *, base: float = 2) -> float:
    r"""Conditional mutual information of jointly Gaussian variables from their covariance matrix.

    .. math:: I(A; B \mid C) = \tfrac12 \log \frac{\det\Sigma_{AC}\,\det\Sigma_{BC}}{\det\Sigma_{ABC}\,\det\Sigma_{C}}

    ``a``, ``b``, ``given`` are disjoint groups of row indices of ``cov`` (``given=()`` gives the MI).
    Equals :math:`\tfrac12 \log(\det\Sigma_{A\mid C}/\det\Sigma_{A\mid BC})`, a ratio of residual
    (co)variances.  Units of ``base``.  Chapter 8.

    Parameters
    ----------
    cov : array_like, shape (m, m)
        A symmetric covariance matrix, positive definite on the variables involved.
    a, b : int or sequence of int
        The two groups of variables (row indices of ``cov``), each non-empty.
    given : int or sequence of int, default ()
        The conditioning group (``()``: none), disjoint from ``a`` and ``b``.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`I(A; B \mid C)`, in units of log ``base`` (bits by default).

    Examples
    --------
    >>> round(float(gaussian_conditional_mutual_information([[1.0, 0.6], [0.6, 1.0]], [0], [1])), 6)  # -log2(0.64)/2
    0.321928
    """
    lb = log_base(base)
    C = real(cov, "cov")
    if C.ndim != 2 or C.shape[0] != C.shape[1] or C.shape[0] == 0:
        raise ValueError(f"cov must be a non-empty square matrix, got shape {C.shape}")
    if not np.all(np.isfinite(C)):
        raise ValueError("cov contains NaN or inf")
    if np.abs(C - C.T).max() > 1e-10 * max(1.0, np.abs(C).max()):
        raise ValueError("cov must be symmetric")
    m = C.shape[0]
    ga, gb = component_axes(a, m, "a"), component_axes(b, m, "b")
    gc = () if given is None or empty(given) else component_axes(given, m, "given")
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


def geweke_granger(*, source: ArrayLike, target: ArrayLike, lags: int = 1, condition: ArrayLike | None = None,
                   base: float = 2) -> float:
    r"""Geweke's Granger-causality measure from ``source`` to ``target``, estimated by least squares.

    .. math:: F_{X \to Y} = \log \frac{\det \hat\Sigma_{\text{restricted}}}{\det \hat\Sigma_{\text{full}}}

    where the restricted regression predicts :math:`Y_t` from :math:`1, Y_{t-1..t-p}` (and the optional
    ``condition`` series' past) and the full one adds :math:`X_{t-1..t-p}`, ``p = lags``; for a scalar
    target the ratio is :math:`\sigma^2_r/\sigma^2_f = \mathrm{SSR}_r/\mathrm{SSR}_f`.  ``source``,
    ``target``, ``condition`` are arrays of shape ``(n,)`` or ``(n, m)``.  :math:`F \ge 0`; for Gaussian
    processes :math:`F = 2\,\mathrm{TE}`.  Units of ``base`` (Geweke used nats: ``base=math.e``).  Chapter 8.

    Parameters
    ----------
    source : array_like, shape (n,) or (n, m), keyword-only
        The source series :math:`X`, one row per time step.
    target : array_like, shape (n,) or (n, m'), keyword-only
        The target series :math:`Y`, of the same length.
    lags : int, keyword-only, default 1
        The number of past values of each series in the regressions (>= 1).
    condition : array_like, shape (n,) or (n, m''), keyword-only, optional
        A third series whose past joins both regressions (conditional Granger causality).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The estimate :math:`\hat F_{X \to Y}`, in units of log ``base`` (bits by default).
    """
    lb = log_base(base)
    lags = check_int(lags, "lags", minimum=1)
    resp, own, src = regression_blocks(source, target, condition, lags, lags)
    ssr_r = _ssr(resp, own)
    ssr_f = _ssr(resp, np.concatenate([own, src], axis=1))
    val = logdet(ssr_r, "target") - logdet(ssr_f, "target")
    return max(val, 0.0) / lb


class GrangerTest(NamedTuple):
    r"""Granger F-test of ``source -> target`` (scalar target); ``measure`` is Geweke's F in nats.

    Attributes
    ----------
    measure : float
        Geweke's :math:`\ln(\mathrm{SSR}_r/\mathrm{SSR}_f)`, in nats.
    f_statistic : float
        The F statistic (dimensionless).
    p_value : float
        Its upper tail under :math:`F(\text{df\_num}, \text{df\_den})`.
    ssr_restricted, ssr_full : float
        The residual sums of squares of the two regressions (squared units of the target).
    nobs : int
        The number of regression rows :math:`N = n - p`.
    df_num, df_den : int
        The degrees of freedom of the F law.
    """

    measure: float
    f_statistic: float
    p_value: float
    ssr_restricted: float
    ssr_full: float
    nobs: int
    df_num: int
    df_den: int


def granger_test(*, source: ArrayLike, target: ArrayLike, lags: int = 1) -> GrangerTest:
    r"""Classical Granger F-test that ``source`` does not Granger-cause the scalar ``target``.

    .. math:: F_{\text{stat}} = \frac{(\mathrm{SSR}_r - \mathrm{SSR}_f)/(p\,m)}{\mathrm{SSR}_f/(N - 1 - p - p\,m)}

    with :math:`N = n - p` rows, :math:`p` = ``lags`` and :math:`m` source components; under the null it is
    :math:`F(pm, N-1-p-pm)`-distributed.  This is the ``ssr_ftest`` of
    ``statsmodels.tsa.stattools.grangercausalitytests(np.column_stack([target, source]), [lags])`` (which
    tests whether its *second* column causes its *first*).  ``measure`` =
    :math:`\ln(\mathrm{SSR}_r/\mathrm{SSR}_f)`, Geweke's F in nats.  Chapter 8.

    Parameters
    ----------
    source : array_like, shape (n,) or (n, m), keyword-only
        The source series :math:`X`.
    target : array_like, shape (n,), keyword-only
        The scalar target series :math:`Y`, of the same length.
    lags : int, keyword-only, default 1
        The number of past values of each series in the regressions (>= 1).

    Returns
    -------
    GrangerTest
        The statistic, its p-value and the regressions' summaries (``measure`` in nats).
    """
    lags = check_int(lags, "lags", minimum=1)
    y = as_series(target, "target")
    if y.shape[1] != 1:
        raise ValueError("target must be a single series for the F-test (use geweke_granger for vectors)")
    resp, own, src = regression_blocks(source, y, None, lags, lags)
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

    Attributes
    ----------
    total : float
        :math:`F_{X,Y}`, the total linear dependence.
    forward : float
        :math:`F_{X\to Y}`.
    backward : float
        :math:`F_{Y\to X}`.
    instantaneous : float
        :math:`F_{X\cdot Y}`.
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


def geweke_decomposition(coefs: ArrayLike, noise_cov: ArrayLike | None = None, *, source_index: int | Sequence[int],
                         target_index: int | Sequence[int], history: int | None = None, method: str = "riccati",
                         base: float = 2) -> GewekeParts:
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
    history : int or None, keyword-only, default None
        The number of past values (``None``: the whole past).
    method : {"riccati", "spectral"}, keyword-only, default "riccati"
        The route to the innovations covariances.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    GewekeParts
        ``total``, ``forward``, ``backward``, ``instantaneous``, in units of log ``base`` per time step (bits by
        default).
    """
    lb = log_base(base)
    A, S = stable_var(coefs, noise_cov)
    d = A.shape[1]
    src, tgt = components(source_index, d, "source_index"), components(target_index, d, "target_index")
    check_disjoint("source_index", src, "target_index", tgt)
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
        lx = logdet(innovation_covariance(A, S, observed=src, history=history), "source_index")
        ly = logdet(innovation_covariance(A, S, observed=tgt, history=history), "target_index")
        lxy = logdet(J, "source_index")
    else:
        raise ValueError(f"method must be 'riccati' or 'spectral', got {method!r}")
    m = len(src)
    return _geweke_from_logdets(lx, ly, logdet(J[:m, :m], "source_index"), logdet(J[m:, m:], "target_index"), lxy, lb)


def geweke_decomposition_sample(*, source: ArrayLike, target: ArrayLike, lags: int = 1, base: float = 2) -> GewekeParts:
    r"""Least-squares estimate of :func:`geweke_decomposition` from two observed series with ``lags`` lags.

    :math:`\hat\Sigma_x`, :math:`\hat\Sigma_y`: residual covariances of each series regressed on a constant and
    its own ``lags`` past values; :math:`\hat\Sigma`: residual covariance of the pair regressed on a constant
    and ``lags`` past values of both (on the same rows).  ``source``, ``target``: arrays ``(n,)`` or
    ``(n, m)``.  Units of ``base``.  Chapter 8.

    Parameters
    ----------
    source : array_like, shape (n,) or (n, m), keyword-only
        The source series :math:`X`, one row per time step.
    target : array_like, shape (n,) or (n, m'), keyword-only
        The target series :math:`Y`, of the same length.
    lags : int, keyword-only, default 1
        The number of past values of each series in the regressions (>= 1).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    GewekeParts
        ``total``, ``forward``, ``backward``, ``instantaneous``, in units of log ``base`` per time step (bits by
        default).
    """
    lb = log_base(base)
    lags = check_int(lags, "lags", minimum=1)
    x, y = as_series(source, "source"), as_series(target, "target")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"source and target must have the same length, got {x.shape[0]} and {y.shape[0]}")
    n = x.shape[0]
    if n <= 2 * lags * (x.shape[1] + y.shape[1]) + 2:
        raise ValueError(f"lags: too many lags ({lags}) for {n} samples")
    X, Y = x[lags:], y[lags:]
    lx_, ly_ = np.concatenate(lagged(x, lags, lags), axis=1), np.concatenate(lagged(y, lags, lags), axis=1)
    rows = n - lags  # _ssr centres, which fits the constant
    Sx = _ssr(X, lx_) / rows
    Sy = _ssr(Y, ly_) / rows
    J = _ssr(np.concatenate([X, Y], axis=1), np.concatenate([lx_, ly_], axis=1)) / rows
    m = x.shape[1]
    return _geweke_from_logdets(logdet(Sx, "source"), logdet(Sy, "target"), logdet(J[:m, :m], "source"),
                                logdet(J[m:, m:], "target"), logdet(J, "source"), lb)


def granger_null_statistics(coefs: ArrayLike, noise_cov: ArrayLike | None = None, *, source_index: int | Sequence[int],
                            target_index: int | Sequence[int], lags: int = 1, n: int = 500, repeats: int = 1000,
                            seed: SeedLike = None) -> np.ndarray:
    r"""Monte-Carlo draws of the likelihood-ratio statistic :math:`N\hat F_{X\to Y} = 2N\,\widehat{\mathrm{TE}}` (nats).

    Each replicate simulates ``n`` steps of the VAR from its stationary law (all replicates at once, on
    the companion state), estimates Geweke's
    :math:`\hat F` with ``lags`` lags (:func:`geweke_granger`, nats) and multiplies by the number of
    regression rows :math:`N = n - \text{lags}`.  When the source does not Granger-cause the target and
    the VAR order is at most ``lags``, the statistic is asymptotically :math:`\chi^2` with
    ``lags * dim(source) * dim(target)`` degrees of freedom (Geweke 1982).  Deterministic under ``seed``.
    Returns an array of length ``repeats``.  Chapter 8.

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
    lags : int, keyword-only, default 1
        The number of past values of each series in the regressions (>= 1).
    n : int, keyword-only, default 500
        The length of each simulated path (>= 4 lags d + 4).
    repeats : int, keyword-only, default 1000
        The number of simulated paths (>= 1).
    seed : int, numpy.random.Generator or None, keyword-only, default None
        The randomness (an int >= 0 gives reproducible draws).

    Returns
    -------
    ndarray, shape (repeats,)
        The statistics :math:`N\hat F`, in nats.
    """
    A, S = stable_var(coefs, noise_cov)
    d = A.shape[1]
    src, tgt = list(components(source_index, d, "source_index")), list(components(target_index, d, "target_index"))
    check_disjoint("source_index", tuple(src), "target_index", tuple(tgt))
    lags = check_int(lags, "lags", minimum=1)
    n = check_int(n, "n", minimum=4 * lags * d + 4)
    reps = check_int(repeats, "repeats", minimum=1)
    rng = as_rng(seed)
    p = A.shape[0]
    F = companion_matrix(A)
    R0, Re = psd_sqrt(var_stationary_covariance(A, S)), psd_sqrt(S)
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


def granger_chi2_test(*, source: ArrayLike, target: ArrayLike, lags: int = 1) -> tuple[float, int, float]:
    r"""Asymptotic likelihood-ratio test of "``source`` does not Granger-cause ``target``".

    Returns ``(statistic, df, p_value)``: :math:`N\hat F` in nats (:math:`N` = rows of the regressions),
    ``df`` = ``lags`` :math:`\times` the two dimensions, and the :math:`\chi^2_{df}` upper tail.  Chapter 8.

    Parameters
    ----------
    source : array_like, shape (n,) or (n, m), keyword-only
        The source series :math:`X`, one row per time step.
    target : array_like, shape (n,) or (n, m'), keyword-only
        The target series :math:`Y`, of the same length.
    lags : int, keyword-only, default 1
        The number of past values of each series in the regressions (>= 1).

    Returns
    -------
    statistic : float
        :math:`N\hat F_{X\to Y}`, with :math:`\hat F` in nats.
    df : int
        The degrees of freedom.
    p_value : float
        The :math:`\chi^2_{df}` upper tail at the statistic.
    """
    lags = check_int(lags, "lags", minimum=1)
    x, y = as_series(source, "source"), as_series(target, "target")
    stat = (x.shape[0] - lags) * geweke_granger(source=x, target=y, lags=lags, base=math.e)
    df = lags * x.shape[1] * y.shape[1]
    return float(stat), int(df), float(stats.chi2.sf(stat, df))


class SurrogateTest(NamedTuple):
    r"""Surrogate (shift) test: observed ``measure`` (Geweke's F, nats), ``p_value``, the ``surrogates``.

    Attributes
    ----------
    measure : float
        The observed :math:`\hat F_{X\to Y}`, in nats.
    p_value : float
        The surrogate p-value, in (0, 1].
    surrogates : ndarray, shape (repeats,)
        :math:`\hat F` of the shifted sources, in nats.
    """

    measure: float
    p_value: float
    surrogates: np.ndarray


def granger_surrogate_test(*, source: ArrayLike, target: ArrayLike, lags: int = 1, repeats: int = 199,
                           seed: SeedLike = None) -> SurrogateTest:
    r"""Surrogate test of Granger causality: circularly shift the source by random offsets.

    A circular shift keeps the source's own autocorrelation and the target untouched but breaks their
    alignment, so the surrogates of :math:`\hat F_{X\to Y}` (:func:`geweke_granger`, nats) sample its law
    when the two series are independent.  :math:`p = (1 + \#\{\hat F_s \ge \hat F\})/(1 + S)`.  Offsets are drawn
    from ``lags + 1 .. n - lags - 1``; deterministic under ``seed``.  A test of independence: when the
    series are dependent but the source does not Granger-cause the target it can reject (use
    :func:`granger_chi2_test` or :func:`granger_test` for that null).  Chapter 8.

    Parameters
    ----------
    source : array_like, shape (n,) or (n, m), keyword-only
        The source series :math:`X`, one row per time step.
    target : array_like, shape (n,) or (n, m'), keyword-only
        The target series :math:`Y`, of the same length.
    lags : int, keyword-only, default 1
        The number of past values of each series in the regressions (>= 1).
    repeats : int, keyword-only, default 199
        The number of shifted sources S (>= 1).
    seed : int, numpy.random.Generator or None, keyword-only, default None
        The randomness of the shifts (an int >= 0 gives reproducible shifts).

    Returns
    -------
    SurrogateTest
        The observed measure, the p-value and the surrogates (nats).
    """
    lags = check_int(lags, "lags", minimum=1)
    x, y = as_series(source, "source"), as_series(target, "target")
    S = check_int(repeats, "repeats", minimum=1)
    n = x.shape[0]
    if n < 2 * lags + 4:
        raise ValueError(f"source: too short ({n}) for {lags} lags")
    rng = as_rng(seed)
    obs = geweke_granger(source=x, target=y, lags=lags, base=math.e)
    shifts = rng.integers(lags + 1, n - lags, size=S)
    sur = np.array([geweke_granger(source=np.roll(x, k, axis=0), target=y, lags=lags, base=math.e) for k in shifts])
    return SurrogateTest(float(obs), float((1 + np.sum(sur >= obs)) / (1 + S)), sur)
