r"""The Gibbs learner on a finite class of softmax classifiers (chapter 12): random classes, dataset types,
the Gibbs posterior, the exact study of :math:`\I(W;S)` and the gap, and its checks (brute force, the
decoupling CGF, the individual-sample information)."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import gammaln, logsumexp

from .._validate import as_float, as_rng, check_flag, check_int, check_positive, log_base
from ._common import check_pxy, loss_table, type_logpmf
from .bounds import hoeffding_sigma, mi_generalization_bound

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray, IntArray, SeedLike


def random_hypotheses(M: int, x_card: int, n_classes: int, scale: float, *, seed: SeedLike = None) -> FloatArray:
    r"""``M`` random logit tables of shape (m, K), each row with :math:`\ell_1` norm exactly ``scale``.

    A finite hypothesis class of softmax classifiers :math:`x \mapsto \softmax(z_w(x))` over an input
    alphabet of size ``x_card`` with ``n_classes`` classes; ``scale`` is the logit budget :math:`B`.  Chapter 12.

    Parameters
    ----------
    M : int
        The number of hypotheses, at least 1.
    x_card : int
        The input alphabet size, at least 1.
    n_classes : int
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
    x_card = check_int(x_card, "x_card", minimum=1)
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    scale = check_positive(scale, "scale", allow_zero=True)
    rng = as_rng(seed)
    u = rng.standard_normal((M, x_card, n_classes))
    u /= np.abs(u).sum(axis=-1, keepdims=True)
    return scale * u


def enumerate_types(n: int, vocab_size: int) -> IntArray:
    r"""All count vectors (types) of ``n`` draws from an alphabet of size ``vocab_size``: shape (C(n+A-1, A-1), A).

    Stars and bars.  Chapter 12.

    Parameters
    ----------
    n : int
        The number of draws, at least 0.
    vocab_size : int
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
    vocab_size = check_int(vocab_size, "vocab_size", minimum=1)
    if math.comb(n + vocab_size - 1, vocab_size - 1) > 2_000_000:
        raise ValueError(f"n={n}, vocab_size={vocab_size} give too many types to enumerate")
    bars = np.array(list(itertools.combinations(range(n + vocab_size - 1), vocab_size - 1)), dtype=int).reshape(-1, vocab_size - 1)
    edges = np.concatenate([np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), n + vocab_size - 1)], axis=1)
    return np.diff(edges, axis=1) - 1


def gibbs_posterior(emp_loss: ArrayLike, beta: float, n: int) -> FloatArray:
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


class GibbsStudy(NamedTuple):
    """Result of :func:`gibbs_study`.  Chapter 12.

    The information quantities (``mutual``, ``entropy_w``, ``log_card``) are in units of log ``base`` of the call
    (bits by default); the losses and the bound (``expected_gap``, ``mc_gap``, ``mc_gap_se``, ``sigma``, ``bound``) are
    cross-entropies, in nats, whatever ``base``.

    Attributes
    ----------
    n : int
        The sample size.
    mutual : float
        I(W;S), exact, in units of log ``base``.
    entropy_w : float
        H(W) >= I(W;S), in units of log ``base``.
    log_card : float
        log ``|W|`` >= H(W), in units of log ``base``.
    expected_gap : float
        The exact expected gap E[L_mu(W) - L_S(W)], in nats.
    mc_gap : float
        Its Monte-Carlo estimate, in nats.
    mc_gap_se : float
        The standard error of ``mc_gap``, in nats.
    sigma : float
        The sub-Gaussian constant used, in nats.
    bound : float
        The Xu-Raginsky bound sqrt(2 sigma^2 I(W;S) / n), in nats.
    """

    n: int
    mutual: float            # I(W;S), exact
    entropy_w: float     # H(W) >= I(W;S)
    log_card: float      # log |W| >= H(W)
    expected_gap: float  # E[L_mu(W) - L_S(W)], exact
    mc_gap: float        # Monte-Carlo estimate of the same
    mc_gap_se: float         # its standard error
    sigma: float         # sub-Gaussian constant used
    bound: float         # sqrt(2 sigma^2 I / n)


def gibbs_study(p_xy: ArrayLike, hypotheses: ArrayLike, n: int, beta: float, repeats: int = 2000, *, seed: SeedLike = None,
                sigma: float | None = None, base: float = 2) -> GibbsStudy:
    r"""Exact :math:`\I(W;S)` and expected gap for a Gibbs learner on a finite class of softmax classifiers.

    Data :math:`S = ((x_i, y_i))_{i\le n}` i.i.d. from ``p_xy`` (shape (m, K)); hypotheses (M, m, K) logit
    tables; :math:`W \sim P(w\mid S) \propto e^{-\beta n L_S(w)}`.  The posterior depends on :math:`S`
    only through its type :math:`T`, so :math:`\I(W;S) = \I(W;T)` is computed exactly by enumerating
    types with multinomial weights, as is :math:`\E[L_\mu(W) - L_S(W)]`.  ``repeats`` datasets are also
    sampled (seeded) for a Monte-Carlo estimate.  ``sigma`` defaults to Hoeffding's constant of the
    class's loss range :math:`\max_{w,x,y}\ell` (losses are >= 0).  :math:`\I(W;S)`, :math:`\H(W)` and
    :math:`\log|\mathcal W|` are in units of log ``base`` (bits by default); losses, gaps and the bound are in
    nats.  Chapter 12.

    Parameters
    ----------
    p_xy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    hypotheses : array_like, shape (M, m, K)
        The finite class: ``M`` logit tables, one row of ``K`` finite logits per input.
    n : int
        The sample size, at least 1.
    beta : float
        The inverse temperature of the Gibbs posterior, >= 0 (``math.inf``: empirical risk minimisation).
    repeats : int, default 2000
        Monte-Carlo datasets, at least 2.
    seed : int, numpy.random.Generator or None, keyword-only
        Seed of the Monte-Carlo check.
    sigma : float or None, keyword-only
        The sub-Gaussian constant of the loss (nats); ``None``: Hoeffding's from the class's loss range.
    base : float, keyword-only, default 2
        Logarithm base of the information quantities (2: bits, e: nats).

    Returns
    -------
    GibbsStudy
        The exact and Monte-Carlo quantities: ``mi``, ``entropy_w``, ``log_card`` in units of log ``base``, the
        losses, gaps and bound in nats.

    Examples
    --------
    >>> p_xy = np.array([[0.35, 0.15], [0.1, 0.4]])
    >>> r = gibbs_study(p_xy, random_hypotheses(4, 2, 2, 1.0, seed=0), 3, 1.0, repeats=10, seed=0)
    >>> bool(0 <= r.mutual <= r.entropy_w <= r.log_card) and r.bound >= abs(r.expected_gap)
    True
    """
    p, H = check_pxy(p_xy, hypotheses)
    n = check_int(n, "n", minimum=1)
    repeats = check_int(repeats, "repeats", minimum=2)
    lb = log_base(base)
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
    counts = rng.multinomial(n, flat, size=repeats)
    e = counts @ loss.T / n
    q = gibbs_posterior(e, beta, n)
    u = rng.random(repeats)[:, None]
    w = np.minimum((np.cumsum(q, axis=1) < u).sum(axis=1), M - 1)
    g = pop[w] - e[np.arange(repeats), w]
    bound = mi_generalization_bound(mi, n, sigma, base=math.e)
    return GibbsStudy(n, mi / lb, hw / lb, math.log(M) / lb, gap, float(g.mean()),
                      float(g.std(ddof=1) / math.sqrt(repeats)), sigma, bound)


def mutual_information_brute_force(p_xy: ArrayLike, hypotheses: ArrayLike, n: int, beta: float, *,
                                   base: float = 2) -> float:
    r""":math:`\I(W;S)` by enumerating every ordered dataset :math:`S \in (\X\times\Y)^n` (tiny cases only).

    Independent check of :func:`gibbs_study`'s type-based computation.  In units of log ``base`` (bits by
    default).  Chapter 12.

    Parameters
    ----------
    p_xy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    hypotheses : array_like, shape (M, m, K)
        The finite class: ``M`` logit tables, one row of ``K`` finite logits per input.
    n : int
        The sample size, at least 1.
    beta : float
        The inverse temperature of the Gibbs posterior, >= 0 (``math.inf``: empirical risk minimisation).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\I(W;S)`, in units of log ``base`` (bits by default).
    """
    from ..measures import mutual_information

    p, H = check_pxy(p_xy, hypotheses)
    n = check_int(n, "n", minimum=1)
    lb = log_base(base)
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
    return float(mutual_information(joint, (0,), (1,), base=math.e)) / lb


def decoupling_cgf(p_xy: ArrayLike, hypotheses: ArrayLike, n: int, beta: float, lambdas: ArrayLike, *,
                   centred: bool = True) -> FloatArray:
    r"""Cumulant generating function under the product law :math:`Q = P_W\otimes P_S` of the Gibbs learner.

    With :math:`g(w, s) = L_s(w) - L_\mu(w)` (``centred=True``) or :math:`g = L_s(w)` (``centred=False``),
    returns :math:`\log\E_Q e^{\lambda(g - \E_Q g)}` for each :math:`\lambda` in ``lambdas``, exactly (types
    enumerated as in :func:`gibbs_study`).  The Xu–Raginsky proof needs
    :math:`\log\E_Q e^{\lambda(g - \E_Q g)} \le \lambda^2\sigma^2/(2n)`: it holds for the centred function
    whenever the loss is :math:`\sigma`-sub-Gaussian, and can fail for the uncentred one, whose law under
    :math:`Q` also varies with :math:`L_\mu(\bar W)`.  Nats.  Chapter 12.

    Parameters
    ----------
    p_xy : array_like, shape (m, K)
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
    p, H = check_pxy(p_xy, hypotheses)
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


def individual_sample_mi(p_xy: ArrayLike, hypotheses: ArrayLike, n: int, beta: float, *,
                         base: float = 2) -> float:
    r"""Exact :math:`\I(W; Z_1)` for the Gibbs learner of :func:`gibbs_study`; by exchangeability every
    :math:`\I(W; Z_i)` is the same.

    :math:`P(w \mid Z_1 = a) = \sum_{T'} P_{n-1}(T')\,P(w \mid T' + e_a)`, summing over the types :math:`T'` of the
    other :math:`n-1` examples; :math:`\I(W;Z_1) = \sum_a \mu(a)\,\KL(P(\cdot\mid a) \cc P_W)`.  Enters the
    individual-sample bound :math:`|\E\,\mathrm{gen}| \le \frac1n\sum_i\sqrt{2\sigma^2\I(W;Z_i)}` (Bu, Zou and
    Veeravalli 2020), with :math:`\I(W;Z_i)` in nats there.  In units of log ``base`` (bits by default).  Chapter 12.

    Parameters
    ----------
    p_xy : array_like, shape (m, K)
        The joint pmf :math:`\mu(x, y)` of an input and its label.
    hypotheses : array_like, shape (M, m, K)
        The finite class: ``M`` logit tables, one row of ``K`` finite logits per input.
    n : int
        The sample size, at least 1.
    beta : float
        The inverse temperature of the Gibbs posterior, >= 0 (``math.inf``: empirical risk minimisation).
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\I(W; Z_1)`, in units of log ``base`` (bits by default).
    """
    p, H = check_pxy(p_xy, hypotheses)
    n = check_int(n, "n", minimum=1)
    lb = log_base(base)
    loss, flat = loss_table(p, H)
    A = flat.size
    T = enumerate_types(n - 1, A)
    w = np.exp(type_logpmf(T, flat, n - 1))
    cond = np.stack([w @ gibbs_posterior((T + np.eye(A, dtype=int)[a]) @ loss.T / n, beta, n) for a in range(A)])
    pw = flat @ cond
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(cond > 0, cond * (np.log(cond) - np.log(np.where(pw > 0, pw, 1.0))), 0.0).sum(axis=1)
    return float(max(flat @ kl, 0.0)) / lb
