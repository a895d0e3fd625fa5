r"""The ELBO and its relatives (chapter 11): the ELBO and its gap, mean-field laws, the chain
:math:`-\mathrm{ELBO} \ge \mathrm{CE} \ge H`, the causal (directed-information) split, and the
importance-weighted bounds."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import logsumexp, xlogy

from .. import measures
from .._validate import as_float, as_pmf, as_rng, as_stochastic, check_int, log_base
from ..core.results import Estimate
from ._common import check_hmm, logs
from .hmm import HMM
from .laws import log_joint, log_prior, sequence_law

if TYPE_CHECKING:
    from ..core.types import ArrayLike, FloatArray, SeedLike


def elbo(log_joint_table: ArrayLike, q: ArrayLike, *, base: float = 2) -> float:
    r"""Evidence lower bound :math:`\mathrm{ELBO}(q) = \sum_z q(z)[\ln p(x,z) - \ln q(z)]`, in units of ``base``.

    ``log_joint_table`` holds :math:`\ln p(x, z)` in nats (``-inf`` allowed) for every :math:`z`; ``q`` is a pmf
    of the same shape.  Terms with :math:`q(z)=0` contribute 0; :math:`q(z)>0` where :math:`p(x,z)=0` gives
    :math:`-\infty`.  Chapter 11.

    Parameters
    ----------
    log_joint_table : array_like of float, shape (S,) * n
        :math:`\ln p(x, z)` for every path :math:`z` (nats; ``-inf`` allowed).
    q : array_like of float, shape (S,) * n
        A pmf over the paths.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        The ELBO, units of log ``base`` (bits by default); ``-inf`` off the support.
    """
    lj = as_float(log_joint_table, "log_joint_table")
    if lj.size == 0 or np.any(np.isnan(lj)) or np.any(lj == np.inf):
        raise ValueError("log_joint_table must be a non-empty array of log-probabilities (no NaN, no +inf)")
    if np.any(lj > 1e-12):
        raise ValueError("log_joint_table must hold log-probabilities <= 0")
    q = as_pmf(q, "q")
    if q.shape != lj.shape:
        raise ValueError(f"q must have the shape of log_joint_table {lj.shape}, got {q.shape}")
    lb = log_base(base)
    pos = q > 0
    if np.any(np.isneginf(lj[pos])):
        return -math.inf
    return float(np.sum(q[pos] * lj[pos]) - np.sum(xlogy(q, q))) / lb


def elbo_gap(log_joint_table: ArrayLike, q: ArrayLike, *, base: float = 2) -> float:
    r"""The gap :math:`\log p(x) - \mathrm{ELBO}(q)`, which equals :math:`\KL(q \cc p(z|x))` (units of ``base``).  Chapter 11.

    :math:`+\infty` when ``q`` puts mass where :math:`p(x, z) = 0` (the ELBO is :math:`-\infty`, the KL infinite).
    A ``log_joint_table`` that is :math:`-\infty` everywhere (:math:`p(x) = 0`) raises ``ValueError``: the
    posterior :math:`p(z|x) = p(x,z)/p(x)` is then undefined, and so is the gap (it would read
    :math:`-\infty - (-\infty)`).

    Parameters
    ----------
    log_joint_table : array_like of float, shape (S,) * n
        :math:`\ln p(x, z)` for every path :math:`z` (nats; ``-inf`` allowed).
    q : array_like of float, shape (S,) * n
        A pmf over the paths.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\log p(x) - \mathrm{ELBO}(q) \ge 0`, units of log ``base`` (bits by default).
    """
    lj = as_float(log_joint_table, "log_joint_table")
    value = elbo(lj, q, base=base)
    if np.all(np.isneginf(lj)):
        raise ValueError("log_joint_table is -inf everywhere: p(x) = 0, so the posterior p(z|x) and the gap "
                         "log p(x) - ELBO are undefined")
    return float(logsumexp(lj)) / log_base(base) - value


def mean_field(factors: ArrayLike) -> FloatArray:
    r"""The product pmf :math:`q(z^n) = \prod_t q_t(z_t)` from ``factors`` (n, S), each row a pmf; shape ``(S,) * n``.  Chapter 11.

    Parameters
    ----------
    factors : array_like of float, shape (n, S)
        The pmfs :math:`q_t` (rows).

    Returns
    -------
    numpy.ndarray of float, shape (S,) * n
        The product pmf :math:`\prod_t q_t(z_t)`.
    """
    f = as_stochastic(factors, "factors")
    if f.ndim != 2:
        raise ValueError(f"factors must have shape (n, S), got {f.shape}")
    out = np.ones(())
    for row in f:
        out = np.multiply.outer(out, row)
    return out


class BoundChain(NamedTuple):
    r"""Per-token values (units of ``base``): ``entropy`` :math:`H(X^n)/n`, ``kl`` :math:`\KL(p_{\rm data}\cc p_\theta)/n`,
    ``cross_entropy`` :math:`= H + \KL`, ``neg_elbo`` :math:`\E_{\rm data}[-\mathrm{ELBO}(q)]/n` with :math:`q` = ``q``.

    Attributes
    ----------
    entropy : float
        :math:`H(X^n)/n`, units of log ``base``.
    kl : float
        :math:`\KL(p_{\rm data} \cc p_\theta)/n`, units of log ``base``.
    cross_entropy : float
        :math:`H + \KL`, units of log ``base``.
    neg_elbo : float
        :math:`\E[-\mathrm{ELBO}(q)]/n`, units of log ``base``.
    """

    entropy: float
    kl: float
    cross_entropy: float
    neg_elbo: float


def bound_chain(data: HMM, model: HMM, n: int, *, variational: str = "prior", base: float = 2) -> BoundChain:
    r"""The chain :math:`-\mathrm{ELBO} \ge \mathrm{CE} = H + \KL \ge H` averaged over data :math:`x^n \sim` ``data``, per token.

    The model's negative ELBO uses ``variational="prior"`` (:math:`q(z|x) = p_\theta(z)`, giving
    :math:`\E_{p_\theta(z)}[-\log p_\theta(x|z)]`) or ``variational="posterior"`` (exact; then ``neg_elbo == cross_entropy``).
    Units of ``base`` (bits by default).  Chapter 11.

    Parameters
    ----------
    data : HMM
        The data law.
    model : HMM
        The model :math:`p_\theta`.
    n : int
        Sequence length.
    variational : {"prior", "posterior"}, keyword-only, default "prior"
        The variational law.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    BoundChain
        Per-token values, units of log ``base`` (bits by default).
    """
    data, model = check_hmm(data, "data"), check_hmm(model, "model")
    if data.emission.shape[1] != model.emission.shape[1]:
        raise ValueError("model must have the same alphabet size as data")
    if variational not in ("prior", "posterior"):
        raise ValueError(f"variational must be 'prior' or 'posterior', got {variational!r}")
    n = check_int(n, "n", minimum=1, maximum=8)
    lb = log_base(base)
    p, m = sequence_law(data, n), sequence_law(model, n)
    H = measures.entropy(p, base=base) / n
    kl = measures.kl_divergence(p, m, base=base) / n
    lprior = log_prior(model, n)
    total = 0.0
    for idx in zip(*np.nonzero(p)):
        lj = log_joint(model, np.array(idx, dtype=np.int64))
        qz = np.exp(lj - logsumexp(lj)) if variational == "posterior" else np.exp(lprior)
        total += p[idx] * -elbo(lj, qz, base=base)
    return BoundChain(float(H), float(kl), float(H + kl), float(total / n))


class CausalELBO(NamedTuple):
    r"""Per-token terms (units of ``base``) of :func:`causal_elbo_decomposition`.

    ``neg_elbo`` :math:`= \E[-\mathrm{ELBO}]`, ``distortion`` :math:`\E[-\log p_\theta(X^n|Z^n)]`, ``rate``
    :math:`\E\,\KL(q(\cdot\|X^n)\cc p_\theta(Z^n))`, ``directed`` :math:`\I(X^n\to Z^n)` (Massey's sum),
    ``prior_kl`` :math:`\KL(q_Z\cc p_\theta(Z^n))`, ``cross_entropy`` :math:`\E[-\log p_\theta(X^n)]`,
    ``mutual`` :math:`\I(X^n;Z^n)` of the same joint (by :func:`semtheory.measures.mutual_information`,
    independently of the directed information; the two are equal for a causal encoder, chapter 11).

    Attributes
    ----------
    neg_elbo, distortion, rate : float
        :math:`\E[-\mathrm{ELBO}]` = distortion + rate, per token, units of log ``base``.
    directed, prior_kl : float
        The two parts of the rate, per token, units of log ``base``.
    cross_entropy, mutual : float
        Per token, units of log ``base``.
    """

    neg_elbo: float
    distortion: float
    rate: float
    directed: float
    prior_kl: float
    cross_entropy: float
    mutual: float


def causal_elbo_decomposition(data: HMM, model: HMM, n: int, *, base: float = 2) -> CausalELBO:
    r"""The data-averaged negative ELBO of ``model`` with its causal (filtering) encoder, split into distortion + DI + prior KL.

    Encoder: :math:`q(z^n\|x^n) = \prod_t q(z_t\mid z_{t-1}, x_t)` with
    :math:`q(z_t\mid z_{t-1}, x_t) \propto A(z_t\mid z_{t-1})B(x_t\mid z_t)` (and :math:`\pi(z_1)B(x_1\mid z_1)` at
    :math:`t=1`): each latent sees only the tokens up to its time.  With :math:`x^n\sim` ``data`` and the joint
    law :math:`P(x^n, z^n) = p(x^n)\,q(z^n\|x^n)`,

    .. math:: \E[-\mathrm{ELBO}] = \underbrace{\E[-\ln p_\theta(X^n|Z^n)]}_{D}
              + \underbrace{\I(X^n\to Z^n)}_{\text{directed information}} + \KL(q_Z\cc p_\theta(Z^n)).

    ``directed`` is computed from the joint by :func:`semtheory.directed.directed_information`
    (Massey's sum of conditional mutual informations), independently of ``rate``.  Enumerates
    :math:`V^n S^n` cells (``n <= 6``).  Per token, units of ``base`` (bits by default).  Chapter 11.

    Parameters
    ----------
    data : HMM
        The data law.
    model : HMM
        The model.
    n : int
        Sequence length.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    CausalELBO
        Per-token terms, units of log ``base`` (bits by default).
    """
    from .. import directed

    data, model = check_hmm(data, "data"), check_hmm(model, "model")
    S, V = model.emission.shape
    if data.emission.shape[1] != V:
        raise ValueError("model must have the same alphabet size as data")
    n = check_int(n, "n", minimum=1, maximum=6)
    if (S * V) ** n > 2_000_000:
        raise ValueError(f"n = {n} gives too many (x, z) cells to enumerate")
    lb = log_base(base)
    la, lA, lB = logs(model)
    p = sequence_law(data, n)
    # log q(z_t | z_{t-1}, x_t): (S_prev, V, S); t = 1: (V, S)
    first = la[None, :] + lB.T
    first = first - logsumexp(first, axis=1, keepdims=True)
    step = lA[:, None, :] + lB.T[None, :, :]
    step = step - logsumexp(step, axis=2, keepdims=True)
    lq = np.zeros((V,) * n + (S,) * n)
    ld = np.zeros_like(lq)
    for t in range(n):
        sh = [1] * (2 * n)
        sh[t], sh[n + t] = V, S
        ld = ld + lB.T.reshape(sh)                      # ln B(x_t | z_t)
        if t == 0:
            lq = lq + first.reshape(sh)
        else:
            lq = lq + _step_table(step, t, n, S, V)
    J = p.reshape(p.shape + (1,) * n) * np.exp(lq)
    lprior = log_prior(model, n).reshape((1,) * n + (S,) * n)
    pos = J > 0
    D = -np.sum(J[pos] * ld[pos])
    R = np.sum(J[pos] * (lq - lprior)[pos])
    di = directed.directed_information(J, base=math.e)
    qz = J.reshape((V**n,) + (S,) * n).sum(axis=0)
    pkl = measures.kl_divergence(qz, np.exp(log_prior(model, n)), base=math.e)
    ce = measures.cross_entropy(p, sequence_law(model, n), base=math.e)
    mi = measures.mutual_information(J, tuple(range(n)), tuple(range(n, 2 * n)), base=math.e)
    return CausalELBO(*(float(v) / lb / n for v in (D + R, D, R, di, pkl, ce, mi)))


def _step_table(step, t, n, S, V):
    # step[z_prev, x_t, z_t] placed on axes (Z_{t-1} = n+t-1, X_t = t, Z_t = n+t) of a (V,)*n + (S,)*n table
    sh = [1] * (2 * n)
    sh[t], sh[n + t - 1], sh[n + t] = V, S, S
    return np.transpose(step, (1, 0, 2)).reshape(sh)


def iwae_bound(log_joint_table: ArrayLike, q: ArrayLike, K: int, *, n_samples: int = 2000, seed: SeedLike = 0,
               base: float = 2) -> Estimate:
    r"""Monte-Carlo importance-weighted bound :math:`\mathcal L_K = \E\big[\ln\frac1K\sum_{k=1}^K p(x,z_k)/q(z_k)\big]`, :math:`z_k \sim q` i.i.d.

    Returns an :class:`~semtheory.core.Estimate` ``(mean, se)`` from ``n_samples`` independent K-tuples (seeded).
    :math:`\mathcal L_1` is the ELBO, :math:`\mathcal L_K \le \mathcal L_{K+1} \le \ln p(x)` (Burda et al.).
    Units of ``base``.
    A K-tuple of impossible paths (:math:`p(x, z_k) = 0` for every k) gives ``Estimate(-inf, inf)``: no NaN.
    Chapter 11.

    Parameters
    ----------
    log_joint_table : array_like of float, shape (S,) * n
        :math:`\ln p(x, z)` for every path :math:`z` (nats; ``-inf`` allowed).
    q : array_like of float, shape (S,) * n
        A pmf over the paths.
    K : int
        Importance samples per bound, >= 1.
    n_samples : int, keyword-only, default 2000
        Independent K-tuples.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    Estimate
        ``(mean, se)``: the estimate of :math:`\mathcal L_K` and its standard error, units of log ``base`` (bits
        by default); it unpacks as a pair.
    """
    lj, qf = _iw_inputs(log_joint_table, q)
    K = check_int(K, "K", minimum=1)
    n_samples = check_int(n_samples, "n_samples", minimum=2)
    rng = as_rng(seed)
    support = np.flatnonzero(qf > 0)
    idx = rng.choice(support, size=(n_samples, K), p=qf[support])
    with np.errstate(divide="ignore"):
        lw = lj[idx] - np.log(qf[idx])
    vals = logsumexp(lw, axis=1) - math.log(K)
    lb = log_base(base)
    if np.any(np.isneginf(vals)):  # some K-tuple has p(x, z_k) = 0 throughout: the estimate is -inf, with no finite error
        return Estimate(-math.inf, math.inf)
    return Estimate(float(vals.mean()) / lb, float(vals.std(ddof=1) / math.sqrt(n_samples)) / lb)


def iwae_bound_exact(log_joint_table: ArrayLike, q: ArrayLike, K: int, *, base: float = 2) -> float:
    r""":math:`\mathcal L_K` exactly, by enumerating every K-tuple of the support of ``q`` (``m**K <= 2e6``).  Chapter 11.

    Parameters
    ----------
    log_joint_table : array_like of float, shape (S,) * n
        :math:`\ln p(x, z)` for every path :math:`z` (nats; ``-inf`` allowed).
    q : array_like of float, shape (S,) * n
        A pmf over the paths.
    K : int
        Importance samples, >= 1.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\mathcal L_K`, units of log ``base`` (bits by default).
    """
    lj, qf = _iw_inputs(log_joint_table, q)
    K = check_int(K, "K", minimum=1)
    support = np.flatnonzero(qf > 0)
    if support.size**K > 2_000_000:
        raise ValueError(f"K = {K} gives {support.size}**{K} tuples, too many to enumerate")
    with np.errstate(divide="ignore"):
        lw, lq = lj[support] - np.log(qf[support]), np.log(qf[support])
    grid = np.indices((support.size,) * K).reshape(K, -1)
    vals = logsumexp(lw[grid], axis=0) - math.log(K)
    return float(np.sum(np.exp(lq[grid].sum(axis=0)) * vals)) / log_base(base)


def _iw_inputs(log_joint_table, q):
    lj = as_float(log_joint_table, "log_joint_table")
    if lj.size == 0 or np.any(np.isnan(lj)) or np.any(lj > 1e-12):
        raise ValueError("log_joint_table must be a non-empty array of log-probabilities <= 0 (no NaN)")
    q = as_pmf(q, "q")
    if q.shape != lj.shape:
        raise ValueError(f"q must have the shape of log_joint_table {lj.shape}, got {q.shape}")
    return lj.ravel(), q.ravel()
