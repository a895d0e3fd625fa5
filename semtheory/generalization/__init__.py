r"""Information-theoretic generalisation bounds and the softmax cross-entropy range (chapter 12).

* :func:`hoeffding_sigma` — a loss in :math:`[a, b]` is :math:`(b-a)/2`-sub-Gaussian (Hoeffding's lemma);
* :func:`mi_generalization_bound` — :math:`|\E[\mathrm{gen}]| \le \sqrt{2\sigma^2 \I(W;S)/n}`
  (Xu–Raginsky 2017, Russo–Zou 2016);
* :func:`softmax_cross_entropy`, :func:`cross_entropy_range`, :func:`cross_entropy_upper` — the loss
  :math:`\ell(z, y) = \log\sum_k e^{z_k} - z_y` lies in :math:`[0, \log K + \max z - \min z]`;
* :func:`logit_sum_bound` — with :math:`\max z - \min z \le \|z\|_1 \le B` the bound becomes
  :math:`(\log K + B)\sqrt{\I(W;S)/(2n)}`;
* :func:`gibbs_study` — an exact study on a finite class of softmax classifiers with a Gibbs posterior:
  :math:`\I(W;S)` and the expected gap computed by enumerating dataset types, plus a Monte-Carlo check.

All quantities are in nats (losses are natural-log cross-entropies).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln, logsumexp

from ._validate import as_array as _asarray
from ._validate import as_float, as_pmf, as_rng, check_flag, check_int, check_positive, check_real

__all__ = [
    "hoeffding_sigma",
    "mi_generalization_bound",
    "softmax_cross_entropy",
    "cross_entropy_range",
    "cross_entropy_upper",
    "cross_entropy_sup_given_range",
    "logit_sum_bound",
    "random_hypotheses",
    "enumerate_types",
    "ml_table_entropy",
    "gibbs_posterior",
    "GibbsStudy",
    "gibbs_study",
    "mutual_information_brute_force",
    "logit_spread_bound",
    "LogitBudgets",
    "logit_budgets",
    "decoupling_cgf",
    "individual_sample_mi",
    "supersample_cmi",
    "supersample_cmi_brute_force",
    "cmi_generalization_bound",
    "type_entropy",
    "SGLDStudy",
    "sgld_study",
]


def _as_logits(z, name="logits") -> np.ndarray:
    arr = as_float(z, name)
    if arr.ndim < 1 or arr.shape[-1] < 2:
        raise ValueError(f"{name} must have a last axis of length K >= 2, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def _finite(x, name) -> float:
    v = check_real(x, name, finite=False)  # a real number: strings, bools and complex refused
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {x!r}")
    return v


def hoeffding_sigma(a, b) -> float:
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


def mi_generalization_bound(mi, n, sigma) -> float:
    r"""Xu–Raginsky bound :math:`|\E[L_\mu(W) - L_S(W)]| \le \sqrt{2\sigma^2 \I(W;S)/n}`.

    ``mi`` is :math:`\I(W;S)` in nats, ``n`` the sample size, ``sigma`` the sub-Gaussian constant of the
    loss (same units as the loss).  Chapter 12.

    Parameters
    ----------
    mi : float
        :math:`\I(W;S) \ge 0`, in nats.
    n : int
        The sample size, at least 1.
    sigma : float
        The sub-Gaussian constant of the loss, positive (units of the loss).

    Returns
    -------
    float
        The bound on the expected gap, in the units of the loss (nats for cross-entropy).

    Examples
    --------
    >>> mi_generalization_bound(0.5, 100, 1.0)
    0.1
    """
    mi = _finite(mi, "mi")
    if mi < 0:
        raise ValueError(f"mi must be >= 0, got {mi}")
    n = check_int(n, "n", minimum=1)
    sigma = check_positive(sigma, "sigma")
    return math.sqrt(2.0 * sigma**2 * mi / n)


def softmax_cross_entropy(logits, label) -> np.ndarray:
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
    z = _as_logits(logits)
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


def cross_entropy_range(logits) -> tuple[np.ndarray, np.ndarray]:
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
    z = _as_logits(logits)
    lse = logsumexp(z, axis=-1)
    return lse - z.max(axis=-1), lse - z.min(axis=-1)


def cross_entropy_upper(logits) -> np.ndarray:
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
    z = _as_logits(logits)
    return math.log(z.shape[-1]) + z.max(axis=-1) - z.min(axis=-1)


def cross_entropy_sup_given_range(K, r) -> np.ndarray:
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


def logit_sum_bound(mi, n, K, logit_l1) -> float:
    r"""Bound in terms of the logits' absolute sum: :math:`(\log K + B)\sqrt{\I(W;S)/(2n)}`.

    Valid when every hypothesis' logits satisfy :math:`\sum_k |z_k| \le B` (``logit_l1``), since then
    :math:`\ell \in [0, \log K + B]` and :math:`\sigma = (\log K + B)/2`.  Nats.  Chapter 12.

    Parameters
    ----------
    mi : float
        :math:`\I(W;S) \ge 0`, in nats.
    n : int
        The sample size, at least 1.
    K : int
        The number of classes, at least 2.
    logit_l1 : float
        The budget :math:`B \ge 0` on :math:`\sum_k |z_k|`.

    Returns
    -------
    float
        The bound on the expected gap, in nats.
    """
    K = check_int(K, "K", minimum=2)
    B = check_positive(logit_l1, "logit_l1", allow_zero=True)
    return mi_generalization_bound(mi, n, hoeffding_sigma(0.0, math.log(K) + B))


def random_hypotheses(M, m, K, scale, *, seed=None) -> np.ndarray:
    r"""``M`` random logit tables of shape (m, K), each row with :math:`\ell_1` norm exactly ``scale``.

    A finite hypothesis class of softmax classifiers :math:`x \mapsto \softmax(z_w(x))` over an input
    alphabet of size ``m`` with ``K`` classes; ``scale`` is the logit budget :math:`B`.  Chapter 12.

    Parameters
    ----------
    M : int
        The number of hypotheses, at least 1.
    m : int
        The input alphabet size, at least 1.
    K : int
        The number of classes, at least 2.
    scale : float
        The :math:`\ell_1` norm :math:`B \ge 0` of every row.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the draw.

    Returns
    -------
    numpy.ndarray, shape (M, m, K)
        The logit tables (nats).

    Examples
    --------
    >>> H = random_hypotheses(4, 2, 3, 2.0, seed=0)
    >>> H.shape, bool(np.allclose(np.abs(H).sum(axis=-1), 2.0))
    ((4, 2, 3), True)
    """
    M = check_int(M, "M", minimum=1)
    m = check_int(m, "m", minimum=1)
    K = check_int(K, "K", minimum=2)
    scale = check_positive(scale, "scale", allow_zero=True)
    rng = as_rng(seed)
    u = rng.standard_normal((M, m, K))
    u /= np.abs(u).sum(axis=-1, keepdims=True)
    return scale * u


def enumerate_types(n, A) -> np.ndarray:
    r"""All count vectors (types) of ``n`` draws from an alphabet of size ``A``: shape (C(n+A-1, A-1), A).

    Stars and bars.  Chapter 12.

    Parameters
    ----------
    n : int
        The number of draws, at least 0.
    A : int
        The alphabet size, at least 1.

    Returns
    -------
    numpy.ndarray of int, shape (C(n+A-1, A-1), A)
        Every type, one per row (rows sum to ``n``).

    Examples
    --------
    >>> enumerate_types(2, 2)
    array([[0, 2],
           [1, 1],
           [2, 0]])
    """
    n = check_int(n, "n", minimum=0)
    A = check_int(A, "A", minimum=1)
    if math.comb(n + A - 1, A - 1) > 2_000_000:
        raise ValueError(f"n={n}, A={A} give too many types to enumerate")
    bars = np.array(list(itertools.combinations(range(n + A - 1), A - 1)), dtype=int).reshape(-1, A - 1)
    edges = np.concatenate([np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), n + A - 1)], axis=1)
    return np.diff(edges, axis=1) - 1


def gibbs_posterior(emp_loss, beta, n) -> np.ndarray:
    r"""Gibbs posterior :math:`P(w \mid S) \propto \exp(-\beta n L_S(w))` (uniform prior) over the last axis.

    ``emp_loss`` has shape (..., M) (empirical losses in nats); ``beta`` >= 0 the inverse temperature;
    ``beta=math.inf`` is the deterministic limit, empirical risk minimisation (ties to the lowest index).
    Chapter 12.

    Parameters
    ----------
    emp_loss : array_like, shape (..., M)
        Finite empirical losses :math:`L_S(w)` of the ``M`` hypotheses, in nats.
    beta : float
        The inverse temperature, >= 0, or ``math.inf``.
    n : int
        The sample size, at least 1.

    Returns
    -------
    numpy.ndarray, shape (..., M)
        The posterior pmf over the hypotheses (last axis).

    Examples
    --------
    >>> gibbs_posterior([0.0, 1.0], 0.0, 3)
    array([0.5, 0.5])
    >>> gibbs_posterior([0.0, 1.0], math.inf, 3)
    array([1., 0.])
    """
    L = as_float(emp_loss, "emp_loss")
    if L.ndim < 1 or L.shape[-1] < 1 or not np.all(np.isfinite(L)):
        raise ValueError("emp_loss must be a finite array with a last axis of hypotheses")
    if isinstance(beta, (float, np.floating)) and beta == math.inf:
        # the deterministic limit: empirical risk minimisation; ties (to 1e-10, so that round-off in how
        # L_S was summed cannot split them) go to the lowest index
        return np.eye(L.shape[-1])[np.argmin(np.round(L, 10), axis=-1)]
    beta = check_positive(beta, "beta", allow_zero=True)
    n = check_int(n, "n", minimum=1)
    a = -beta * n * L
    return np.exp(a - logsumexp(a, axis=-1, keepdims=True))


@dataclass(frozen=True)
class GibbsStudy:
    """Result of :func:`gibbs_study` (all in nats).  Chapter 12.

    Attributes
    ----------
    n : int
        The sample size.
    mi : float
        I(W;S), exact, in nats.
    entropy_w : float
        H(W) >= I(W;S), in nats.
    log_card : float
        log ``|W|`` >= H(W), in nats.
    expected_gap : float
        The exact expected gap E[L_mu(W) - L_S(W)], in nats.
    mc_gap : float
        Its Monte-Carlo estimate, in nats.
    mc_se : float
        The standard error of ``mc_gap``, in nats.
    sigma : float
        The sub-Gaussian constant used, in nats.
    bound : float
        The Xu-Raginsky bound sqrt(2 sigma^2 I(W;S) / n), in nats.
    """

    n: int
    mi: float            # I(W;S), exact
    entropy_w: float     # H(W) >= I(W;S)
    log_card: float      # log |W| >= H(W)
    expected_gap: float  # E[L_mu(W) - L_S(W)], exact
    mc_gap: float        # Monte-Carlo estimate of the same
    mc_se: float         # its standard error
    sigma: float         # sub-Gaussian constant used
    bound: float         # sqrt(2 sigma^2 I / n)


def _check_pxy(pxy, hypotheses):
    p = as_pmf(pxy, "pxy", ndim=2)
    H = _as_logits(hypotheses, "hypotheses")
    if H.ndim != 3 or H.shape[1:] != p.shape:
        raise ValueError(f"hypotheses must have shape (M, m, K) = (M, {p.shape[0]}, {p.shape[1]}), got {H.shape}")
    return p, H


def gibbs_study(pxy, hypotheses, n, beta, mc_runs=2000, *, seed=None, sigma=None) -> GibbsStudy:
    r"""Exact :math:`\I(W;S)` and expected gap for a Gibbs learner on a finite class of softmax classifiers.

    Data :math:`S = ((x_i, y_i))_{i\le n}` i.i.d. from ``pxy`` (shape (m, K)); hypotheses (M, m, K) logit
    tables; :math:`W \sim P(w\mid S) \propto e^{-\beta n L_S(w)}`.  The posterior depends on :math:`S`
    only through its type :math:`T`, so :math:`\I(W;S) = \I(W;T)` is computed exactly by enumerating
    types with multinomial weights, as is :math:`\E[L_\mu(W) - L_S(W)]`.  ``mc_runs`` datasets are also
    sampled (seeded) for a Monte-Carlo estimate.  ``sigma`` defaults to Hoeffding's constant of the
    class's loss range :math:`\max_{w,x,y}\ell` (losses are >= 0).  Nats.  Chapter 12.

    Parameters
    ----------
    pxy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    hypotheses : array_like, shape (M, m, K)
        The finite class: ``M`` logit tables, one row of ``K`` finite logits per input.
    n : int
        The sample size, at least 1.
    beta : float
        The inverse temperature of the Gibbs posterior, >= 0 (``math.inf``: empirical risk minimisation).
    mc_runs : int, default 2000
        Monte-Carlo datasets, at least 2.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the Monte-Carlo check.
    sigma : float or None, keyword-only
        The sub-Gaussian constant of the loss (nats); ``None``: Hoeffding's from the class's loss range.

    Returns
    -------
    GibbsStudy
        The exact and Monte-Carlo quantities, in nats.

    Examples
    --------
    >>> pxy = np.array([[0.35, 0.15], [0.1, 0.4]])
    >>> r = gibbs_study(pxy, random_hypotheses(4, 2, 2, 1.0, seed=0), 3, 1.0, mc_runs=10, seed=0)
    >>> bool(0 <= r.mi <= r.entropy_w <= r.log_card) and r.bound >= abs(r.expected_gap)
    True
    """
    p, H = _check_pxy(pxy, hypotheses)
    n = check_int(n, "n", minimum=1)
    mc_runs = check_int(mc_runs, "mc_runs", minimum=2)
    M, m, K = H.shape
    loss = (logsumexp(H, axis=-1)[..., None] - H).reshape(M, m * K)  # loss[w, (x,y)]
    flat = p.reshape(-1)
    if sigma is None:
        sigma = hoeffding_sigma(0.0, max(float(loss.max()), 1e-12))
    sigma = check_positive(sigma, "sigma")
    pop = loss @ flat                                               # L_mu(w)
    T = enumerate_types(n, m * K)
    with np.errstate(divide="ignore"):
        logp = np.where(T > 0, T * np.log(np.where(flat > 0, flat, 1.0)), 0.0)
        logp = np.where((T > 0) & (flat == 0), -np.inf, logp)
    logPT = gammaln(n + 1) - gammaln(T + 1).sum(axis=1) + logp.sum(axis=1)
    keep = np.isfinite(logPT)
    T, PT = T[keep], np.exp(logPT[keep])
    emp = T @ loss.T / n                                            # L_T(w), (types, M)
    post = gibbs_posterior(emp, beta, n)
    pw = PT @ post
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(post > 0, np.log(post) - np.log(np.where(pw > 0, pw, 1.0)), 0.0)
    mi = float(max(np.sum(PT[:, None] * post * ratio), 0.0))
    hw = float(-np.sum(pw[pw > 0] * np.log(pw[pw > 0])))
    gap = float(PT @ np.sum(post * (pop[None, :] - emp), axis=1))
    # Monte Carlo: sample datasets (as types) and W from the posterior
    rng = as_rng(seed)
    counts = rng.multinomial(n, flat, size=mc_runs)
    e = counts @ loss.T / n
    q = gibbs_posterior(e, beta, n)
    u = rng.random(mc_runs)[:, None]
    w = np.minimum((np.cumsum(q, axis=1) < u).sum(axis=1), M - 1)
    g = pop[w] - e[np.arange(mc_runs), w]
    bound = mi_generalization_bound(mi, n, sigma)
    return GibbsStudy(n, mi, hw, math.log(M), gap, float(g.mean()), float(g.std(ddof=1) / math.sqrt(mc_runs)),
                      sigma, bound)


def mutual_information_brute_force(pxy, hypotheses, n, beta) -> float:
    r""":math:`\I(W;S)` (nats) by enumerating every ordered dataset :math:`S \in (\X\times\Y)^n` (tiny cases only).

    Independent check of :func:`gibbs_study`'s type-based computation.  Chapter 12.

    Parameters
    ----------
    pxy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    hypotheses : array_like, shape (M, m, K)
        The finite class: ``M`` logit tables, one row of ``K`` finite logits per input.
    n : int
        The sample size, at least 1.
    beta : float
        The inverse temperature of the Gibbs posterior, >= 0 (``math.inf``: empirical risk minimisation).

    Returns
    -------
    float
        :math:`\I(W;S)`, in nats.
    """
    from .measures import mutual_information

    p, H = _check_pxy(pxy, hypotheses)
    n = check_int(n, "n", minimum=1)
    M, m, K = H.shape
    A = m * K
    if A**n > 200_000:
        raise ValueError(f"n={n} gives {A}**{n} datasets, too many to enumerate")
    loss = (logsumexp(H, axis=-1)[..., None] - H).reshape(M, A)
    flat = p.reshape(-1)
    S = np.array(list(itertools.product(range(A), repeat=n)), dtype=int)
    PS = np.prod(flat[S], axis=1)
    emp = loss[:, S].mean(axis=2).T                                 # (datasets, M)
    joint = PS[:, None] * gibbs_posterior(emp, beta, n)
    return float(mutual_information(joint, (0,), (1,), base=math.e))


def logit_spread_bound(mi, n, K, spread) -> float:
    r"""Bound in terms of the logits' spread: :math:`(\log K + R)\sqrt{\I(W;S)/(2n)}`.

    Valid when every hypothesis' logits satisfy :math:`\max_k z_k - \min_k z_k \le R` (``spread``): then
    :math:`\ell \in [0, \log K + R]` (:func:`cross_entropy_upper`) and :math:`\sigma = (\log K + R)/2`.  The spread
    is invariant under a common shift of the logits, unlike their absolute sum.  Nats.  Chapter 12.

    Parameters
    ----------
    mi : float
        :math:`\I(W;S) \ge 0`, in nats.
    n : int
        The sample size, at least 1.
    K : int
        The number of classes, at least 2.
    spread : float
        The budget :math:`R \ge 0` on :math:`\max_k z_k - \min_k z_k`.

    Returns
    -------
    float
        The bound on the expected gap, in nats.
    """
    K = check_int(K, "K", minimum=2)
    R = check_positive(spread, "spread", allow_zero=True)
    return mi_generalization_bound(mi, n, hoeffding_sigma(0.0, math.log(K) + R))


class LogitBudgets(tuple):
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

    __slots__ = ()

    def __new__(cls, spread, l1, l1_centred):
        return tuple.__new__(cls, (spread, l1, l1_centred))

    spread = property(lambda self: self[0])
    l1 = property(lambda self: self[1])
    l1_centred = property(lambda self: self[2])


def logit_budgets(logits) -> LogitBudgets:
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
    z = _as_logits(logits)
    med = np.median(z, axis=-1, keepdims=True)
    return LogitBudgets(np.ptp(z, axis=-1), np.abs(z).sum(axis=-1), np.abs(z - med).sum(axis=-1))


def decoupling_cgf(pxy, hypotheses, n, beta, lambdas, *, centred=True) -> np.ndarray:
    r"""Cumulant generating function under the product law :math:`Q = P_W\otimes P_S` of the Gibbs learner.

    With :math:`g(w, s) = L_s(w) - L_\mu(w)` (``centred=True``) or :math:`g = L_s(w)` (``centred=False``),
    returns :math:`\log\E_Q e^{\lambda(g - \E_Q g)}` for each :math:`\lambda` in ``lambdas``, exactly (types
    enumerated as in :func:`gibbs_study`).  The Xu–Raginsky proof needs
    :math:`\log\E_Q e^{\lambda(g - \E_Q g)} \le \lambda^2\sigma^2/(2n)`: it holds for the centred function
    whenever the loss is :math:`\sigma`-sub-Gaussian, and can fail for the uncentred one, whose law under
    :math:`Q` also varies with :math:`L_\mu(\bar W)`.  Nats.  Chapter 12.

    Parameters
    ----------
    pxy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    hypotheses : array_like, shape (M, m, K)
        The finite class: ``M`` logit tables, one row of ``K`` finite logits per input.
    n : int
        The sample size, at least 1.
    beta : float
        The inverse temperature of the Gibbs posterior, >= 0 (``math.inf``: empirical risk minimisation).
    lambdas : float or array_like, shape (k,)
        The arguments :math:`\lambda` (finite).
    centred : bool, keyword-only, default True
        Use :math:`L_s(w) - L_\mu(w)` (True) or :math:`L_s(w)` (False).

    Returns
    -------
    numpy.ndarray, shape (k,)
        The cumulant generating function at each :math:`\lambda`, in nats.
    """
    p, H = _check_pxy(pxy, hypotheses)
    n = check_int(n, "n", minimum=1)
    check_flag(centred, "centred")
    lam = np.atleast_1d(as_float(lambdas, "lambdas"))
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError("lambdas must be a finite, non-empty 1-D array")
    M, m, K = H.shape
    loss = (logsumexp(H, axis=-1)[..., None] - H).reshape(M, m * K)
    flat = p.reshape(-1)
    pop = loss @ flat
    T = enumerate_types(n, m * K)
    with np.errstate(divide="ignore"):
        logPT = gammaln(n + 1) - gammaln(T + 1).sum(axis=1) + np.where(T > 0, T * np.log(np.where(flat > 0, flat, 1e-300)), 0).sum(axis=1)
    keep = np.all((flat > 0) | (T == 0), axis=1)
    T, logPT = T[keep], logPT[keep]
    emp = T @ loss.T / n                                            # (types, M)
    pw = np.exp(logPT) @ gibbs_posterior(emp, beta, n)
    g = emp - (pop[None, :] if centred else 0.0)
    with np.errstate(divide="ignore"):
        lw = logPT[:, None] + np.log(pw)[None, :]                    # log Q(T, w)
    mean = float(np.sum(np.exp(lw) * g))
    return logsumexp(lw[None] + lam[:, None, None] * (g - mean)[None], axis=(1, 2))


def _loss_table(p, H):
    M, m, K = H.shape
    return (logsumexp(H, axis=-1)[..., None] - H).reshape(M, m * K), p.reshape(-1)


def _type_logpmf(T, flat, n):
    with np.errstate(divide="ignore"):
        lf = np.log(np.where(flat > 0, flat, 1.0))
    logp = gammaln(n + 1) - gammaln(T + 1).sum(axis=1) + (T * lf).sum(axis=1)
    return np.where(np.all((flat > 0) | (T == 0), axis=1), logp, -np.inf)


def individual_sample_mi(pxy, hypotheses, n, beta) -> float:
    r"""Exact :math:`\I(W; Z_1)` (nats) for the Gibbs learner of :func:`gibbs_study`; by exchangeability every
    :math:`\I(W; Z_i)` is the same.

    :math:`P(w \mid Z_1 = a) = \sum_{T'} P_{n-1}(T')\,P(w \mid T' + e_a)`, summing over the types :math:`T'` of the
    other :math:`n-1` examples; :math:`\I(W;Z_1) = \sum_a \mu(a)\,\KL(P(\cdot\mid a) \cc P_W)`.  Enters the
    individual-sample bound :math:`|\E\,\mathrm{gen}| \le \frac1n\sum_i\sqrt{2\sigma^2\I(W;Z_i)}` (Bu, Zou and
    Veeravalli 2020).  Chapter 12.

    Parameters
    ----------
    pxy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    hypotheses : array_like, shape (M, m, K)
        The finite class: ``M`` logit tables, one row of ``K`` finite logits per input.
    n : int
        The sample size, at least 1.
    beta : float
        The inverse temperature of the Gibbs posterior, >= 0 (``math.inf``: empirical risk minimisation).

    Returns
    -------
    float
        :math:`\I(W; Z_1)`, in nats.
    """
    p, H = _check_pxy(pxy, hypotheses)
    n = check_int(n, "n", minimum=1)
    loss, flat = _loss_table(p, H)
    A = flat.size
    T = enumerate_types(n - 1, A)
    w = np.exp(_type_logpmf(T, flat, n - 1))
    cond = np.stack([w @ gibbs_posterior((T + np.eye(A, dtype=int)[a]) @ loss.T / n, beta, n) for a in range(A)])
    pw = flat @ cond
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(cond > 0, cond * (np.log(cond) - np.log(np.where(pw > 0, pw, 1.0))), 0.0).sum(axis=1)
    return float(max(flat @ kl, 0.0))


def _cmi_given(post_grid, law):
    # I(W; T | z~) from P(T | z~) on the type grid and the posterior of every type
    mix = law @ post_grid
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(post_grid > 0, post_grid * (np.log(post_grid) - np.log(np.where(mix > 0, mix, 1.0))), 0.0)
    return float(max(law @ r.sum(axis=1), 0.0))


def supersample_cmi(pxy, hypotheses, n, beta, *, supersamples: int = 200, seed=0) -> tuple[float, float]:
    r"""Conditional mutual information :math:`\mathrm{CMI} = \I(W; U \mid \tilde Z)` of Steinke and Zakynthinou (nats).

    A supersample :math:`\tilde Z` holds :math:`n` pairs drawn i.i.d. from ``pxy``; :math:`U \in \{0,1\}^n` uniform
    picks one of each pair as the training set; :math:`W` is the Gibbs learner of :func:`gibbs_study`.  Given
    :math:`\tilde z`, :math:`W` depends on :math:`U` only through the type :math:`T` of the chosen examples, so
    :math:`\I(W;U\mid\tilde z) = \I(W;T\mid\tilde z)`, computed exactly with the law of :math:`T` built pair by pair.
    The outer expectation over :math:`\tilde Z` is a Monte-Carlo average over ``supersamples`` seeded draws:
    returns ``(estimate, standard error)``.  Always :math:`\le n\log 2`.  Chapter 12.

    Parameters
    ----------
    pxy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    hypotheses : array_like, shape (M, m, K)
        The finite class: ``M`` logit tables, one row of ``K`` finite logits per input.
    n : int
        The sample size, at least 1.
    beta : float
        The inverse temperature of the Gibbs posterior, >= 0 (``math.inf``: empirical risk minimisation).
    supersamples : int, keyword-only, default 200
        Monte-Carlo supersamples, at least 2.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the supersamples.

    Returns
    -------
    tuple of float
        ``(estimate, standard error)`` of the CMI, in nats.
    """
    p, H = _check_pxy(pxy, hypotheses)
    n = check_int(n, "n", minimum=1)
    supersamples = check_int(supersamples, "supersamples", minimum=2)
    loss, flat = _loss_table(p, H)
    A = flat.size
    if (n + 1) ** (A - 1) > 5_000_000:
        raise ValueError(f"n={n} with {A} outcomes gives too large a type grid")
    T = enumerate_types(n, A)
    post_grid = gibbs_posterior(T @ loss.T / n, beta, n)
    # the law of the type on a grid of the first A-1 counts (the last count is n minus their sum)
    shape = (n + 1,) * (A - 1)
    flat_idx = np.ravel_multi_index(T[:, :-1].T, shape) if A > 1 else np.zeros(len(T), dtype=int)
    rng = as_rng(seed)
    pairs = rng.choice(A, size=(supersamples, n, 2), p=flat)
    vals = np.empty(supersamples)

    def shift(law, a):
        return law if a == A - 1 else np.roll(law, 1, axis=a)

    for k in range(supersamples):
        law = np.zeros(shape)
        law[(0,) * (A - 1)] = 1.0
        for a, b in pairs[k]:
            law = 0.5 * (shift(law, a) + shift(law, b))
        vals[k] = _cmi_given(post_grid, law.reshape(-1)[flat_idx])
    return float(vals.mean()), float(vals.std(ddof=1) / math.sqrt(supersamples))


def supersample_cmi_brute_force(pxy, hypotheses, n, beta) -> float:
    r""":math:`\I(W;U\mid\tilde Z)` exactly, enumerating every supersample and every :math:`U` (tiny cases only).  Chapter 12.

    Parameters
    ----------
    pxy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    hypotheses : array_like, shape (M, m, K)
        The finite class: ``M`` logit tables, one row of ``K`` finite logits per input.
    n : int
        The sample size, at least 1.
    beta : float
        The inverse temperature of the Gibbs posterior, >= 0 (``math.inf``: empirical risk minimisation).

    Returns
    -------
    float
        :math:`\I(W;U\mid\tilde Z)`, in nats.
    """
    from .measures import mutual_information

    p, H = _check_pxy(pxy, hypotheses)
    n = check_int(n, "n", minimum=1)
    loss, flat = _loss_table(p, H)
    A = flat.size
    if A ** (2 * n) * 2**n > 2_000_000:
        raise ValueError(f"n={n} gives too many (supersample, U) pairs to enumerate")
    Us = np.array(list(itertools.product((0, 1), repeat=n)), dtype=int)
    total = 0.0
    for zt in itertools.product(range(A), repeat=2 * n):
        zt = np.array(zt).reshape(n, 2)
        chosen = zt[np.arange(n)[None, :], Us]                      # (2^n, n)
        post = gibbs_posterior(loss[:, chosen].mean(axis=2).T, beta, n)
        total += np.prod(flat[zt]) * mutual_information(post / len(Us), (0,), (1,), base=math.e)
    return float(total)


def cmi_generalization_bound(cmi, n, loss_range) -> float:
    r"""Steinke–Zakynthinou bound :math:`|\E[\mathrm{gen}]| \le c\sqrt{2\,\mathrm{CMI}/n}` for a loss in :math:`[0, c]`.

    Since :math:`\mathrm{CMI} \le n\log 2`, it never exceeds :math:`c\sqrt{2\log 2}`: finite for every learner.
    Nats.  Chapter 12.

    Parameters
    ----------
    cmi : float
        The conditional mutual information, >= 0, in nats.
    n : int
        The sample size, at least 1.
    loss_range : float
        The upper end :math:`c > 0` of the loss range (units of the loss).

    Returns
    -------
    float
        The bound on the expected gap, in the units of the loss.

    Examples
    --------
    >>> cmi_generalization_bound(0.5, 100, 1.0)
    0.1
    """
    cmi = _finite(cmi, "cmi")
    if cmi < 0:
        raise ValueError(f"cmi must be >= 0, got {cmi}")
    n = check_int(n, "n", minimum=1)
    c = check_positive(loss_range, "loss_range")
    return c * math.sqrt(2.0 * cmi / n)


def type_entropy(pxy, n) -> float:
    r"""Entropy :math:`\H(T)` (nats) of the type of :math:`n` i.i.d. draws from ``pxy`` (a multinomial law).

    :math:`\H(T)` grows like :math:`\frac{|\mathcal Z|-1}{2}\log n`.  A deterministic learner that is a function of
    the type has :math:`\I(W;S) = \H(W) \le \H(T)`, with equality only if it is one-to-one on the types; the
    maximum-likelihood logit table is not (see :func:`ml_table_entropy`).  Chapter 12.

    Parameters
    ----------
    pxy : array_like
        A pmf over the outcomes (any shape; flattened).
    n : int
        The number of draws, at least 1.

    Returns
    -------
    float
        :math:`\H(T)`, in nats.

    Examples
    --------
    >>> round(type_entropy([0.5, 0.5], 1) / math.log(2), 12)
    1.0
    """
    p = as_pmf(pxy, "pxy").reshape(-1)
    n = check_int(n, "n", minimum=1)
    lp = _type_logpmf(enumerate_types(n, p.size), p, n)
    lp = lp[np.isfinite(lp)]
    return float(-np.sum(np.exp(lp) * lp))


def ml_table_entropy(pxy, n) -> float:
    r""":math:`\I(W;S) = \H(W)` (nats) of the maximum-likelihood logit table on :math:`n` i.i.d. draws from ``pxy``.

    ``pxy`` is an (m, K) table :math:`\mu(x, y)`.  The maximum-likelihood table is determined (up to a shift of each
    row, and a convention for rows with no data) by the empirical conditional laws :math:`N_{x,y}/N_x`, a function
    of the type that is *not* one-to-one: types whose rows are proportional collide, so :math:`\H(W) \le \H(T)`
    (:func:`type_entropy`).  Rows with :math:`N_x = 0` map to one common value.  Exact, by enumerating types.
    Chapter 12.

    Parameters
    ----------
    pxy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    n : int
        The sample size, at least 1.

    Returns
    -------
    float
        :math:`\H(W)`, in nats.
    """
    p = as_pmf(pxy, "pxy")
    if p.ndim != 2:
        raise ValueError("pxy must be a 2-d table mu(x, y)")
    m, K = p.shape
    n = check_int(n, "n", minimum=1)
    T = enumerate_types(n, m * K)
    lp = _type_logpmf(T, p.reshape(-1), n)
    law = {}
    for t, l in zip(T.reshape(-1, m, K), lp):
        if not np.isfinite(l):
            continue
        key = tuple(tuple(row // math.gcd(*row)) if row.sum() else None for row in t)
        law[key] = law.get(key, 0.0) + math.exp(l)
    v = np.array(list(law.values()))
    return float(-np.sum(v * np.log(v)))


@dataclass(frozen=True)
class SGLDStudy:
    """Result of :func:`sgld_study` (nats).  Chapter 12.

    Attributes
    ----------
    noise : float
        The standard deviation of the gradient noise (units of the logits).
    mi_bound : float
        The Pensia-Jog-Loh bound on I(W_T; S), in nats.
    bound : float
        (log K + R) sqrt(mi_bound / (2n)), the bound on the expected gap, in nats.
    gap : float
        The Monte-Carlo expected gap E[L_mu(W_T) - L_S(W_T)], in nats.
    gap_se : float
        Its standard error, in nats.
    train_loss : float
        The Monte-Carlo expected training loss E[L_S(W_T)], in nats.
    loss_range : float
        log K + R, the upper end of the loss range, in nats.
    """

    noise: float
    mi_bound: float       # Pensia-Jog-Loh: sum_t (d/2) log(1 + lr^2 L^2 / (d noise^2)) >= I(W_T; S)
    bound: float          # (log K + R) sqrt(mi_bound / (2n))
    gap: float            # Monte-Carlo E[L_mu(W_T) - L_S(W_T)]
    gap_se: float
    train_loss: float     # Monte-Carlo E[L_S(W_T)]
    loss_range: float     # log K + R


def sgld_study(pxy, n, *, noise, steps=100, lr=0.5, spread=8.0, runs=2000, seed=0) -> SGLDStudy:
    r"""Noisy full-batch gradient descent (SGLD-type) on a softmax logit table, with the Pensia–Jog–Loh bound.

    Parameters :math:`\theta \in \R^{m\times K}` (one logit row per input), :math:`\theta_0 = 0`,
    :math:`\theta_{t+1} = \Pi\big(\theta_t - \eta\nabla L_S(\theta_t) + \xi_t\big)`, :math:`\xi_t \sim \mathcal N(0,`
    ``noise``:math:`^2 I)`, where :math:`\Pi` clips every logit to :math:`[-R/2, R/2]` (so the spread is at most
    :math:`R` = ``spread`` and the loss lies in :math:`[0, \log K + R]`).  The per-example gradient
    :math:`e_x(\softmax(\theta_x) - e_y)^\top` has norm at most :math:`L = \sqrt 2`, so
    :math:`\I(W_T;S) \le \sum_t \frac d2\log\big(1 + \frac{\eta^2 L^2}{d\,\sigma^2}\big)` with :math:`d = mK`
    (Pensia, Jog and Loh 2018; the clipping is post-processing).  The gap and training loss are averaged over
    ``runs`` seeded datasets (population loss exact).  Nats.  Chapter 12.

    Parameters
    ----------
    pxy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    n : int
        The sample size, at least 1.
    noise : float, keyword-only
        The noise standard deviation :math:`\sigma > 0`.
    steps : int, keyword-only, default 100
        The number of updates :math:`T`.
    lr : float, keyword-only, default 0.5
        The step size :math:`\eta > 0`.
    spread : float, keyword-only, default 8.0
        The clipping spread :math:`R > 0`.
    runs : int, keyword-only, default 2000
        Monte-Carlo datasets, at least 2.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the datasets and the noise.

    Returns
    -------
    SGLDStudy
        The bound and the Monte-Carlo gap, in nats.
    """
    p = as_pmf(pxy, "pxy", ndim=2)
    n = check_int(n, "n", minimum=1)
    noise = check_positive(noise, "noise")
    steps = check_int(steps, "steps", minimum=1)
    lr = check_positive(lr, "lr")
    R = check_positive(spread, "spread")
    runs = check_int(runs, "runs", minimum=2)
    m, K = p.shape
    d = m * K
    rng = as_rng(seed)
    N = rng.multinomial(n, p.reshape(-1), size=runs).reshape(runs, m, K) / n     # empirical law
    th = np.zeros((runs, m, K))
    for _ in range(steps):
        q = np.exp(th - logsumexp(th, axis=-1, keepdims=True))
        grad = N.sum(-1, keepdims=True) * q - N
        th = np.clip(th - lr * grad + noise * rng.standard_normal(th.shape), -R / 2, R / 2)
    loss = logsumexp(th, axis=-1)[..., None] - th                              # (runs, m, K)
    train = np.sum(N * loss, axis=(1, 2))
    gap = np.sum(p[None] * loss, axis=(1, 2)) - train
    mi = steps * d / 2 * math.log1p(lr**2 * 2.0 / (d * noise**2))
    c = math.log(K) + R
    return SGLDStudy(noise, mi, c * math.sqrt(mi / (2 * n)), float(gap.mean()),
                     float(gap.std(ddof=1) / math.sqrt(runs)), float(train.mean()), c)
