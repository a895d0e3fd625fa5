r"""The evidence lower bound (ELBO) of a latent-variable sequence model small enough to enumerate.

Chapter 11.  The model is a hidden Markov model (HMM): hidden states :math:`z^n` with initial law
:math:`\pi`, transition kernel :math:`A`, emission kernel :math:`B`,
:math:`p(x^n, z^n) = \pi(z_1) B(x_1|z_1) \prod_{t\ge2} A(z_t|z_{t-1}) B(x_t|z_t)`.  For a distribution
:math:`q(z^n)` over the hidden path,

.. math:: \log p(x) = \underbrace{\E_q[\log p(x,z) - \log q(z)]}_{\mathrm{ELBO}(q)} + \KL(q \cc p(\cdot|x)),

so :math:`\mathrm{ELBO}(q) \le \log p(x)` with equality iff :math:`q = p(z|x)`.  Everything is enumerated
(:math:`S^n` paths), computed in the log domain; :func:`fit_variational` climbs the ELBO in torch.

Units: ``base=math.e`` (nats) by default for the ELBO (as in variational inference); pass ``base=2`` for bits.
"""

from __future__ import annotations

import math
import time
from typing import NamedTuple

import numpy as np
from scipy.special import logsumexp, xlogy

from . import measures
from ._validate import as_array as _asarray
from ._validate import as_float, as_pmf, as_rng, as_stochastic, check_int, check_positive, log_base, torch_seed

__all__ = [
    "HMM",
    "make_hmm",
    "random_hmm",
    "log_joint",
    "log_evidence",
    "posterior",
    "log_prior",
    "elbo",
    "elbo_gap",
    "mean_field",
    "sequence_pmf",
    "BoundChain",
    "bound_chain",
    "FitResult",
    "fit_variational",
    "CausalELBO",
    "causal_elbo_decomposition",
    "CAVIResult",
    "cavi_mean_field",
    "ForwardBackward",
    "forward_backward",
    "EMResult",
    "baum_welch",
    "iwae_bound",
    "iwae_bound_exact",
    "sample_hmm",
    "VAEResult",
    "train_vae",
    "VAEBounds",
    "vae_bounds",
]


class HMM(NamedTuple):
    r"""A hidden Markov model: ``init`` :math:`\pi` (S,), ``trans`` :math:`A` (S, S), ``emit`` :math:`B` (S, V).  Chapter 11.

    Attributes
    ----------
    init : numpy.ndarray, shape (S,)
        :math:`\pi` (probabilities).
    trans : numpy.ndarray, shape (S, S)
        :math:`A` (rows pmfs).
    emit : numpy.ndarray, shape (S, V)
        :math:`B` (rows pmfs).
    """

    init: np.ndarray
    trans: np.ndarray
    emit: np.ndarray


def make_hmm(init, trans, emit) -> HMM:
    r"""Validate and build an :class:`HMM` (rows of ``trans`` and ``emit`` are pmfs; shapes agree).  Chapter 11.

    Parameters
    ----------
    init : array_like, shape (S,)
        The initial pmf :math:`\pi`.
    trans : array_like, shape (S, S)
        The transition matrix (rows pmfs).
    emit : array_like, shape (S, V)
        The emission matrix (rows pmfs).

    Returns
    -------
    HMM
        The checked model (probabilities).
    """
    init = as_pmf(init, "init", ndim=1)
    trans = as_stochastic(trans, "trans")
    emit = as_stochastic(emit, "emit")
    S = init.size
    if trans.shape != (S, S):
        raise ValueError(f"trans must have shape ({S}, {S}), got {trans.shape}")
    if emit.ndim != 2 or emit.shape[0] != S:
        raise ValueError(f"emit must have shape ({S}, V), got {emit.shape}")
    return HMM(init, trans, emit)


def random_hmm(n_states: int = 2, n_symbols: int = 3, *, concentration: float = 1.0, seed=0) -> HMM:
    r"""An HMM with Dirichlet(``concentration``) rows, seeded.  Chapter 11.

    Parameters
    ----------
    n_states : int, default 2
        :math:`S`.
    n_symbols : int, default 3
        :math:`V`.
    concentration : float, keyword-only, default 1.0
        Dirichlet concentration, > 0.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    HMM
        The random model.
    """
    S = check_int(n_states, "n_states", minimum=1)
    V = check_int(n_symbols, "n_symbols", minimum=1)
    a = check_positive(concentration, "concentration")
    rng = as_rng(seed)
    return HMM(rng.dirichlet(np.full(S, a)), rng.dirichlet(np.full(S, a), size=S), rng.dirichlet(np.full(V, a), size=S))


def _check_hmm(hmm, name: str = "hmm") -> HMM:
    if not isinstance(hmm, HMM):
        raise ValueError(f"{name} must be a semtheory.elbo.HMM, got {type(hmm).__name__}")
    return hmm


def _check_x(x, V: int, name: str = "x", *, max_len: int | None = 12) -> np.ndarray:
    arr = _asarray(x, name)
    if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a non-empty 1-D sequence of integer symbols, got {arr!r}")
    if arr.min() < 0 or arr.max() >= V:
        raise ValueError(f"{name} must hold symbols in [0, {V})")
    if max_len is not None and arr.size > max_len:
        raise ValueError(f"{name} is too long to enumerate (n = {arr.size} > {max_len})")
    return arr.astype(np.int64)


def log_joint(hmm: HMM, x) -> np.ndarray:
    r"""Table of :math:`\ln p(x^n, z^n)` (nats) over every hidden path: shape ``(S,) * n``, axis t is :math:`z_{t+1}`.

    :math:`\ln\pi(z_1) + \sum_t \ln B(x_t|z_t) + \sum_{t\ge2}\ln A(z_t|z_{t-1})`.  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model (:func:`make_hmm`).
    x : array_like of int, shape (n,)
        The observed symbols.

    Returns
    -------
    numpy.ndarray of float, shape (S,) * n
        :math:`\ln p(x, z)` for every path (nats).
    """
    hmm = _check_hmm(hmm)
    x = _check_x(x, hmm.emit.shape[1])
    n, S = x.size, hmm.init.size
    with np.errstate(divide="ignore"):
        la, lA, lB = np.log(hmm.init), np.log(hmm.trans), np.log(hmm.emit)
    out = np.zeros((S,) * n)
    for t in range(n):
        shape = [1] * n
        shape[t] = S
        out = out + (lB[:, x[t]] + (la if t == 0 else 0.0)).reshape(shape)
        if t:
            shape2 = [1] * n
            shape2[t - 1], shape2[t] = S, S
            out = out + lA.reshape(shape2)
    return out


def log_evidence(hmm: HMM, x, *, base=2) -> float:
    r"""Log-likelihood :math:`\log p(x^n) = \log\sum_{z^n} p(x^n, z^n)` by the forward recursion (log domain).

    :math:`\alpha_1 = \ln\pi + \ln B_{\cdot x_1}`, :math:`\alpha_t(j) = \ln B_{j x_t} + \operatorname{lse}_i(\alpha_{t-1}(i) + \ln A_{ij})`.
    Units of ``base`` (keyword-only; bits by default, ``base=math.e`` for nats).  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model (:func:`make_hmm`).
    x : array_like of int, shape (n,)
        The observed symbols.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    float
        :math:`\log p(x^n)`, units of log ``base`` (bits by default).
    """
    hmm = _check_hmm(hmm)
    x = _check_x(x, hmm.emit.shape[1])
    lb = log_base(base)
    with np.errstate(divide="ignore"):
        la, lA, lB = np.log(hmm.init), np.log(hmm.trans), np.log(hmm.emit)
    alpha = la + lB[:, x[0]]
    for t in range(1, x.size):
        alpha = lB[:, x[t]] + logsumexp(alpha[:, None] + lA, axis=0)
    return float(logsumexp(alpha)) / lb


def posterior(hmm: HMM, x) -> np.ndarray:
    r"""Exact posterior :math:`p(z^n | x^n) = p(x^n, z^n)/p(x^n)` over every path, shape ``(S,) * n``.  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model (:func:`make_hmm`).
    x : array_like of int, shape (n,)
        The observed symbols.

    Returns
    -------
    numpy.ndarray of float, shape (S,) * n
        :math:`p(z \mid x)` (probabilities).
    """
    lj = log_joint(hmm, x)
    lz = logsumexp(lj)
    if not np.isfinite(lz):
        raise ValueError("x has probability zero under hmm: the posterior is undefined")
    return np.exp(lj - lz)


def elbo(log_joint_table, q, *, base=2) -> float:
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


def elbo_gap(log_joint_table, q, *, base=2) -> float:
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


def mean_field(factors) -> np.ndarray:
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


def sequence_pmf(hmm: HMM, n: int) -> np.ndarray:
    r"""The law of :math:`x^n` under ``hmm``, shape ``(V,) * n`` (:math:`\sum_z p(x^n, z^n)`, enumerated).  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model.
    n : int
        Sequence length, >= 1.

    Returns
    -------
    numpy.ndarray of float, shape (V,) * n
        :math:`p(x^n)` (probabilities).
    """
    hmm = _check_hmm(hmm)
    n = check_int(n, "n", minimum=1, maximum=8)
    S, V = hmm.emit.shape
    # forward over all prefixes at once: f[x_1..x_t, z_t]
    f = hmm.init[None, :] * hmm.emit.T  # (V, S)
    for _ in range(1, n):
        pred = f @ hmm.trans  # (..., S)
        f = pred[..., None, :] * hmm.emit.T  # (..., V, S)
    return f.sum(axis=-1)


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


def bound_chain(data: HMM, model: HMM, n: int, *, q: str = "prior", base=2) -> BoundChain:
    r"""The chain :math:`-\mathrm{ELBO} \ge \mathrm{CE} = H + \KL \ge H` averaged over data :math:`x^n \sim` ``data``, per token.

    The model's negative ELBO uses ``q="prior"`` (:math:`q(z|x) = p_\theta(z)`, giving
    :math:`\E_{p_\theta(z)}[-\log p_\theta(x|z)]`) or ``q="posterior"`` (exact; then ``neg_elbo == cross_entropy``).
    Units of ``base`` (bits by default).  Chapter 11.

    Parameters
    ----------
    data : HMM
        The data law.
    model : HMM
        The model :math:`p_\theta`.
    n : int
        Sequence length.
    q : {"prior", "posterior"}, keyword-only, default "prior"
        The variational law.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    BoundChain
        Per-token values, units of log ``base`` (bits by default).
    """
    data, model = _check_hmm(data, "data"), _check_hmm(model, "model")
    if data.emit.shape[1] != model.emit.shape[1]:
        raise ValueError("model must have the same alphabet size as data")
    if q not in ("prior", "posterior"):
        raise ValueError(f"q must be 'prior' or 'posterior', got {q!r}")
    n = check_int(n, "n", minimum=1, maximum=8)
    lb = log_base(base)
    p, m = sequence_pmf(data, n), sequence_pmf(model, n)
    H = measures.entropy(p, base=base) / n
    kl = measures.kl_divergence(p, m, base=base) / n
    lprior = log_prior(model, n)
    total = 0.0
    for idx in zip(*np.nonzero(p)):
        lj = log_joint(model, np.array(idx, dtype=np.int64))
        qz = np.exp(lj - logsumexp(lj)) if q == "posterior" else np.exp(lprior)
        total += p[idx] * -elbo(lj, qz, base=base)
    return BoundChain(float(H), float(kl), float(H + kl), float(total / n))


def log_prior(model: HMM, n: int) -> np.ndarray:
    r"""Table of :math:`\ln p(z^n) = \ln\pi(z_1) + \sum_{t\ge2}\ln A(z_t|z_{t-1})` (nats), shape ``(S,) * n``.  Chapter 11.

    Parameters
    ----------
    model : HMM
        The model.
    n : int
        Path length.

    Returns
    -------
    numpy.ndarray of float, shape (S,) * n
        :math:`\ln p(z^n)` (nats).
    """
    model = _check_hmm(model, "model")
    n = check_int(n, "n", minimum=1, maximum=12)
    with np.errstate(divide="ignore"):
        la, lA = np.log(model.init), np.log(model.trans)
    S = la.size
    out = la.reshape((S,) + (1,) * (n - 1))
    for t in range(1, n):
        shape = [1] * n
        shape[t - 1], shape[t] = S, S
        out = out + lA.reshape(shape)
    return out


class FitResult(NamedTuple):
    r"""``elbos`` (steps,) the ELBO (nats) after each step; ``q`` the fitted pmf over paths; ``log_evidence`` (nats); ``seconds``.

    Attributes
    ----------
    elbos : numpy.ndarray, shape (steps,)
        The ELBO after each step (nats).
    q : numpy.ndarray
        The fitted pmf over paths.
    log_evidence : float
        :math:`\ln p(x)` (nats).
    seconds : float
        Wall-clock seconds.
    """

    elbos: np.ndarray
    q: np.ndarray
    log_evidence: float
    seconds: float


def fit_variational(hmm: HMM, x, *, family: str = "markov", steps: int = 300, lr: float = 0.05, seed=0) -> FitResult:
    r"""Maximise :math:`\mathrm{ELBO}(q)` over a variational family by gradient ascent (hand-written Adam, torch, CPU).

    ``family="mean-field"``: :math:`q(z^n) = \prod_t \softmax(\phi_t)(z_t)`; it cannot represent the
    posterior's correlations, so a gap :math:`\KL(q\cc p(z|x)) > 0` generally remains.
    ``family="markov"`` (structured): :math:`q(z^n) = q_1(z_1)\prod_{t\ge2} q_t(z_t|z_{t-1})`, a family that
    contains the HMM posterior, so the ELBO climbs to :math:`\ln p(x)`.  The ELBO is computed exactly by
    enumeration.  Logits start at seeded N(0, 0.1^2); one torch thread (restored afterwards).  Nats.  ``seed``: an int >= 0, a numpy ``Generator`` or ``None``.
    Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model (:func:`make_hmm`).
    x : array_like of int, shape (n,)
        The observed symbols.
    family : {"markov", "mean-field"}, keyword-only, default "markov"
        The variational family.
    steps : int, keyword-only, default 300
        Adam steps.
    lr : float, keyword-only, default 0.05
        Learning rate.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    FitResult
        ELBOs and evidence in nats, the fitted law, the seconds.
    """
    import torch

    from .core.torchloop import Adam, one_thread

    hmm = _check_hmm(hmm)
    x = _check_x(x, hmm.emit.shape[1])
    if family not in ("mean-field", "markov"):
        raise ValueError(f"family must be 'mean-field' or 'markov', got {family!r}")
    steps = check_int(steps, "steps", minimum=1)
    lr = check_positive(lr, "lr")
    seed = torch_seed(seed)
    lj_np = log_joint(hmm, x)
    logz = float(logsumexp(lj_np))
    if not np.isfinite(logz):
        raise ValueError("x has probability zero under hmm")
    n, S = x.size, hmm.init.size
    t0 = time.perf_counter()
    with one_thread():
        gen = torch.Generator().manual_seed(seed)
        lj = torch.as_tensor(lj_np, dtype=torch.float64)
        finite = torch.isfinite(lj)
        lj0 = torch.where(finite, lj, torch.full_like(lj, -1e6))  # impossible paths: a large penalty
        first = (0.1 * torch.randn(n, S, generator=gen, dtype=torch.float64)).requires_grad_()
        params = [first]
        if family == "markov":
            cond = (0.1 * torch.randn(max(n - 1, 1), S, S, generator=gen, dtype=torch.float64)).requires_grad_()
            params.append(cond)

        def value():
            lf = first.log_softmax(-1)
            lq = lf[0].reshape((S,) + (1,) * (n - 1))
            for t in range(1, n):
                shape = [1] * n
                if family == "markov":
                    shape[t - 1], shape[t] = S, S
                    lq = lq + cond[t - 1].log_softmax(-1).reshape(shape)
                else:
                    shape[t] = S
                    lq = lq + lf[t].reshape(shape)
            qz = lq.exp()
            return (qz * (lj0 - lq)).sum(), qz

        adam = Adam(params, clip=10.0)
        elbos = np.empty(steps)
        for s in range(steps):
            val, _ = value()
            grads = torch.autograd.grad(-val, params)
            adam.step(list(grads), lr)
            with torch.no_grad():
                elbos[s] = float(value()[0])
        with torch.no_grad():
            qz = value()[1].numpy().copy()
    return FitResult(elbos, qz / qz.sum(), logz, time.perf_counter() - t0)


def _logs(hmm: HMM):
    with np.errstate(divide="ignore"):
        return np.log(hmm.init), np.log(hmm.trans), np.log(hmm.emit)


class CausalELBO(NamedTuple):
    r"""Per-token terms (units of ``base``) of :func:`causal_elbo_decomposition`.

    ``neg_elbo`` :math:`= \E[-\mathrm{ELBO}]`, ``distortion`` :math:`\E[-\log p_\theta(X^n|Z^n)]`, ``rate``
    :math:`\E\,\KL(q(\cdot\|X^n)\cc p_\theta(Z^n))`, ``directed_information`` :math:`\I(X^n\to Z^n)` (Massey's sum),
    ``prior_kl`` :math:`\KL(q_Z\cc p_\theta(Z^n))`, ``cross_entropy`` :math:`\E[-\log p_\theta(X^n)]`,
    ``mutual_information`` :math:`\I(X^n;Z^n)` of the same joint (by :func:`semtheory.measures.mutual_information`,
    independently of the directed information; the two are equal for a causal encoder, chapter 11).

    Attributes
    ----------
    neg_elbo, distortion, rate : float
        :math:`\E[-\mathrm{ELBO}]` = distortion + rate, per token, units of log ``base``.
    directed_information, prior_kl : float
        The two parts of the rate, per token, units of log ``base``.
    cross_entropy, mutual_information : float
        Per token, units of log ``base``.
    """

    neg_elbo: float
    distortion: float
    rate: float
    directed_information: float
    prior_kl: float
    cross_entropy: float
    mutual_information: float


def causal_elbo_decomposition(data: HMM, model: HMM, n: int, *, base=2) -> CausalELBO:
    r"""The data-averaged negative ELBO of ``model`` with its causal (filtering) encoder, split into distortion + DI + prior KL.

    Encoder: :math:`q(z^n\|x^n) = \prod_t q(z_t\mid z_{t-1}, x_t)` with
    :math:`q(z_t\mid z_{t-1}, x_t) \propto A(z_t\mid z_{t-1})B(x_t\mid z_t)` (and :math:`\pi(z_1)B(x_1\mid z_1)` at
    :math:`t=1`): each latent sees only the tokens up to its time.  With :math:`x^n\sim` ``data`` and the joint
    law :math:`P(x^n, z^n) = p(x^n)\,q(z^n\|x^n)`,

    .. math:: \E[-\mathrm{ELBO}] = \underbrace{\E[-\ln p_\theta(X^n|Z^n)]}_{D}
              + \underbrace{\I(X^n\to Z^n)}_{\text{directed information}} + \KL(q_Z\cc p_\theta(Z^n)).

    ``directed_information`` is computed from the joint by :func:`semtheory.directed.directed_information`
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
    from . import directed

    data, model = _check_hmm(data, "data"), _check_hmm(model, "model")
    S, V = model.emit.shape
    if data.emit.shape[1] != V:
        raise ValueError("model must have the same alphabet size as data")
    n = check_int(n, "n", minimum=1, maximum=6)
    if (S * V) ** n > 2_000_000:
        raise ValueError(f"n = {n} gives too many (x, z) cells to enumerate")
    lb = log_base(base)
    la, lA, lB = _logs(model)
    p = sequence_pmf(data, n)
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
    ce = measures.cross_entropy(p, sequence_pmf(model, n), base=math.e)
    mi = measures.mutual_information(J, tuple(range(n)), tuple(range(n, 2 * n)), base=math.e)
    return CausalELBO(*(float(v) / lb / n for v in (D + R, D, R, di, pkl, ce, mi)))


def _step_table(step, t, n, S, V):
    # step[z_prev, x_t, z_t] placed on axes (Z_{t-1} = n+t-1, X_t = t, Z_t = n+t) of a (V,)*n + (S,)*n table
    sh = [1] * (2 * n)
    sh[t], sh[n + t - 1], sh[n + t] = V, S, S
    return np.transpose(step, (1, 0, 2)).reshape(sh)


class CAVIResult(NamedTuple):
    r"""``elbos`` (sweeps + 1,) the mean-field ELBO (nats) before and after each sweep; ``factors`` (n, S) the
    fitted :math:`q_t`; ``log_evidence`` (nats) by the forward recursion.

    Attributes
    ----------
    elbos : numpy.ndarray, shape (sweeps + 1,)
        The mean-field ELBO before and after each sweep (nats).
    factors : numpy.ndarray, shape (n, S)
        The fitted :math:`q_t`.
    log_evidence : float
        :math:`\ln p(x)` (nats).
    """

    elbos: np.ndarray
    factors: np.ndarray
    log_evidence: float


def _mean_field_elbo(la, lA, lB, x, f) -> float:
    # closed form: E ln pi + sum_t E ln B + sum_t E ln A + sum_t H(q_t), without enumerating paths
    def ex(w, lv):
        return float(np.sum(np.where(w > 0, w * np.where(w > 0, lv, 0.0), 0.0))) if np.all(
            np.isfinite(lv[w > 0])) else -math.inf
    total = ex(f[0], la) + sum(ex(f[t], lB[:, x[t]]) for t in range(x.size))
    total += sum(ex(np.outer(f[t - 1], f[t]), lA) for t in range(1, x.size))
    return total - float(np.sum(xlogy(f, f)))


def cavi_mean_field(hmm: HMM, x, *, sweeps: int = 30, seed=0) -> CAVIResult:
    r"""Coordinate-ascent variational inference (CAVI) for the mean-field family :math:`q(z^n) = \prod_t q_t(z_t)`.

    Each sweep updates :math:`t = 1, \dots, n` in turn by the exact coordinate maximiser of the ELBO,

    .. math:: q_t(z) \propto \exp\big(\ln B(x_t|z) + [t{=}1]\ln\pi(z) + \E_{q_{t-1}}\ln A(z|Z_{t-1})
              + \E_{q_{t+1}}\ln A(Z_{t+1}|z)\big),

    so the ELBO never decreases.  The ELBO is evaluated in closed form (no enumeration; any ``n``).  Factors
    start at seeded Dirichlet(1) rows.  Nats.  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model (:func:`make_hmm`).
    x : array_like of int, shape (n,)
        The observed symbols.
    sweeps : int, keyword-only, default 30
        Coordinate sweeps.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the starting factors.

    Returns
    -------
    CAVIResult
        ELBOs and evidence in nats, and the factors.
    """
    hmm = _check_hmm(hmm)
    x = _check_x(x, hmm.emit.shape[1], max_len=None)
    sweeps = check_int(sweeps, "sweeps", minimum=1)
    rng = as_rng(seed)
    la, lA, lB = _logs(hmm)
    n, S = x.size, la.size
    f = rng.dirichlet(np.ones(S), size=n)
    logz = log_evidence_long(hmm, x, base=math.e)
    if not np.isfinite(logz):
        raise ValueError("x has probability zero under hmm")

    def emean(w, lv, axis):  # E_w[lv] along `axis`, with 0 * (-inf) = 0
        return np.sum(np.where(np.expand_dims(w, 1 - axis) > 0, np.expand_dims(w, 1 - axis) * lv, 0.0), axis=axis)

    elbos = [_mean_field_elbo(la, lA, lB, x, f)]
    for _ in range(sweeps):
        for t in range(n):
            s = lB[:, x[t]] + (la if t == 0 else emean(f[t - 1], lA, 0))
            if t < n - 1:
                s = s + emean(f[t + 1], lA, 1)
            f[t] = np.exp(s - logsumexp(s))
        elbos.append(_mean_field_elbo(la, lA, lB, x, f))
    return CAVIResult(np.array(elbos), f, float(logz))


def log_evidence_long(hmm: HMM, x, *, base=2) -> float:
    r""":func:`log_evidence` for sequences of any length (forward recursion only, no enumeration).  Chapter 11."""
    return float(forward_backward(hmm, x).log_evidence) / log_base(base)


class ForwardBackward(NamedTuple):
    r"""``log_alpha``, ``log_beta`` (n, S); ``gamma`` (n, S) :math:`p(z_t|x^n)`; ``xi`` (n-1, S, S)
    :math:`p(z_t, z_{t+1}|x^n)`; ``log_evidence`` :math:`\ln p(x^n)` (nats).

    Attributes
    ----------
    log_alpha, log_beta : numpy.ndarray, shape (n, S)
        Forward and backward messages (nats).
    gamma : numpy.ndarray, shape (n, S)
        :math:`p(z_t \mid x^n)`.
    xi : numpy.ndarray, shape (n - 1, S, S)
        :math:`p(z_t, z_{t+1} \mid x^n)`.
    log_evidence : float
        :math:`\ln p(x^n)` (nats).
    """

    log_alpha: np.ndarray
    log_beta: np.ndarray
    gamma: np.ndarray
    xi: np.ndarray
    log_evidence: float


def _lse(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return np.squeeze(m, axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def _fb_batch(la, lA, lB, X):
    # X: (N, n) sequences of equal length; returns log alpha, log beta (N, n, S), log evidence (N,)
    N, n = X.shape
    S = la.size
    a, b = np.empty((N, n, S)), np.zeros((N, n, S))
    E_ = lB.T[X]                                               # (N, n, S): ln B(x_t | z)
    a[:, 0] = la + E_[:, 0]
    for t in range(1, n):
        a[:, t] = E_[:, t] + _lse(a[:, t - 1, :, None] + lA, axis=1)
    for t in range(n - 2, -1, -1):
        b[:, t] = _lse(lA[None] + (E_[:, t + 1] + b[:, t + 1])[:, None, :], axis=2)
    return a, b, _lse(a[:, -1], axis=1), E_


def forward_backward(hmm: HMM, x) -> ForwardBackward:
    r"""Forward–backward in the log domain: smoothed marginals :math:`\gamma_t` and pair marginals :math:`\xi_t`.

    :math:`\alpha_t(j) = \ln p(x^t, z_t{=}j)`, :math:`\beta_t(i) = \ln p(x_{t+1}^n \mid z_t{=}i)`,
    :math:`\gamma_t = e^{\alpha_t + \beta_t - \ln p(x^n)}`,
    :math:`\xi_t(i,j) = e^{\alpha_t(i) + \ln A_{ij} + \ln B_{j x_{t+1}} + \beta_{t+1}(j) - \ln p(x^n)}`.
    :math:`O(nS^2)`; any length.  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model (:func:`make_hmm`).
    x : array_like of int, shape (n,)
        The observed symbols.

    Returns
    -------
    ForwardBackward
        Messages (nats) and posterior marginals (probabilities).
    """
    hmm = _check_hmm(hmm)
    x = _check_x(x, hmm.emit.shape[1], max_len=None)
    la, lA, lB = _logs(hmm)
    a, b, logz, E_ = _fb_batch(la, lA, lB, x[None])
    a, b, logz, E_ = a[0], b[0], float(logz[0]), E_[0]
    if not np.isfinite(logz):
        raise ValueError("x has probability zero under hmm")
    gamma = np.exp(a + b - logz)
    xi = np.exp(a[:-1, :, None] + lA[None] + (E_[1:] + b[1:])[:, None, :] - logz)
    return ForwardBackward(a, b, gamma, xi, logz)


class EMResult(NamedTuple):
    r"""``hmm`` the fitted model; ``log_likelihoods`` (iterations + 1,) :math:`\sum_i \ln p(x^{(i)})` (nats) before
    and after each EM step.

    Attributes
    ----------
    hmm : HMM
        The fitted model.
    log_likelihoods : numpy.ndarray, shape (iterations + 1,)
        :math:`\sum_i \ln p(x^{(i)})` (nats) before and after each step.
    """

    hmm: HMM
    log_likelihoods: np.ndarray


def baum_welch(hmm: HMM, sequences, *, iterations: int = 50) -> EMResult:
    r"""Expectation–maximisation (Baum–Welch) for an HMM from independent sequences, started at ``hmm``.

    E-step: :func:`forward_backward` gives :math:`\gamma_t, \xi_t` under the current model (the exact posterior,
    which makes the ELBO tight).  M-step: the ELBO's maximiser in closed form,
    :math:`\pi \propto \sum_i\gamma^{(i)}_1`, :math:`A_{jk} \propto \sum_{i,t}\xi^{(i)}_t(j,k)`,
    :math:`B_{jv} \propto \sum_{i,t}\gamma^{(i)}_t(j)[x^{(i)}_t{=}v]`; a state with no expected visits keeps its
    row.  The log-likelihood never decreases.  Nats.  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The starting model.
    sequences : array_like of int, shape (N, n)
        Independent sequences.
    iterations : int, keyword-only, default 50
        EM steps.

    Returns
    -------
    EMResult
        The fitted model and the log-likelihoods (nats).
    """
    hmm = _check_hmm(hmm)
    S, V = hmm.emit.shape
    if sequences is None or isinstance(sequences, (str, bytes)):
        raise ValueError(f"sequences must be a list of 1-D integer sequences, got {sequences!r}")
    if isinstance(sequences, np.ndarray) and sequences.ndim == 1:
        sequences = [sequences]
    seqs = [_check_x(np.asarray(s), V, "sequences", max_len=None) for s in sequences]
    if not seqs:
        raise ValueError("sequences must hold at least one sequence")
    iterations = check_int(iterations, "iterations", minimum=0)
    groups = {}
    for sq in seqs:
        groups.setdefault(sq.size, []).append(sq)
    groups = [np.stack(g) for g in groups.values()]
    onehot = np.eye(V)
    lls = []
    for it in range(iterations + 1):
        la, lA, lB = _logs(hmm)
        ll, g0, xi, em = 0.0, np.zeros(S), np.zeros((S, S)), np.zeros((S, V))
        for X in groups:
            a, b, logz, E_ = _fb_batch(la, lA, lB, X)
            if not np.all(np.isfinite(logz)):
                raise ValueError("a sequence has probability zero under hmm")
            ll += float(logz.sum())
            gam = np.exp(a + b - logz[:, None, None])                       # (N, n, S)
            g0 += gam[:, 0].sum(axis=0)
            em += np.einsum("kts,ktv->sv", gam, onehot[X])
            if X.shape[1] > 1:
                xi += np.exp(a[:, :-1, :, None] + lA + (E_[:, 1:] + b[:, 1:])[:, :, None, :]
                             - logz[:, None, None, None]).sum(axis=(0, 1))
        lls.append(ll)
        if it == iterations:
            break
        trans, emit = hmm.trans.copy(), hmm.emit.copy()
        rows = xi.sum(axis=1) > 0
        trans[rows] = xi[rows] / xi[rows].sum(axis=1, keepdims=True)
        used = em.sum(axis=1) > 0
        emit[used] = em[used] / em[used].sum(axis=1, keepdims=True)
        hmm = HMM(g0 / g0.sum(), trans, emit)
    return EMResult(hmm, np.array(lls))


def iwae_bound(log_joint_table, q, K: int, *, samples: int = 2000, seed=0, base=2) -> tuple[float, float]:
    r"""Monte-Carlo importance-weighted bound :math:`\mathcal L_K = \E\big[\ln\frac1K\sum_{k=1}^K p(x,z_k)/q(z_k)\big]`, :math:`z_k \sim q` i.i.d.

    Returns ``(estimate, standard error)`` from ``samples`` independent K-tuples (seeded).  :math:`\mathcal L_1`
    is the ELBO, :math:`\mathcal L_K \le \mathcal L_{K+1} \le \ln p(x)` (Burda et al.).  Units of ``base``.
    A K-tuple of impossible paths (:math:`p(x, z_k) = 0` for every k) gives ``(-inf, inf)``: no NaN.
    Chapter 11.

    Parameters
    ----------
    log_joint_table : array_like of float, shape (S,) * n
        :math:`\ln p(x, z)` for every path :math:`z` (nats; ``-inf`` allowed).
    q : array_like of float, shape (S,) * n
        A pmf over the paths.
    K : int
        Importance samples per bound, >= 1.
    samples : int, keyword-only, default 2000
        Independent K-tuples.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.
    base : float, keyword-only, default 2
        Logarithm base (2: bits, e: nats).

    Returns
    -------
    tuple of (float, float)
        The estimate and its standard error, units of log ``base`` (bits by default).
    """
    lj, qf = _iw_inputs(log_joint_table, q)
    K = check_int(K, "K", minimum=1)
    samples = check_int(samples, "samples", minimum=2)
    rng = as_rng(seed)
    support = np.flatnonzero(qf > 0)
    idx = rng.choice(support, size=(samples, K), p=qf[support])
    with np.errstate(divide="ignore"):
        lw = lj[idx] - np.log(qf[idx])
    vals = logsumexp(lw, axis=1) - math.log(K)
    lb = log_base(base)
    if np.any(np.isneginf(vals)):  # some K-tuple has p(x, z_k) = 0 throughout: the estimate is -inf, with no finite error
        return -math.inf, math.inf
    return float(vals.mean()) / lb, float(vals.std(ddof=1) / math.sqrt(samples)) / lb


def iwae_bound_exact(log_joint_table, q, K: int, *, base=2) -> float:
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


def sample_hmm(hmm: HMM, n: int, size: int, *, seed=0) -> np.ndarray:
    r"""``size`` independent sequences of length ``n`` from ``hmm`` (seeded, vectorised over sequences), shape (size, n).

    :math:`z_1\sim\pi`, :math:`z_t\sim A(\cdot|z_{t-1})`, :math:`x_t\sim B(\cdot|z_t)` by inverse-CDF sampling.  Chapter 11.

    Parameters
    ----------
    hmm : HMM
        The model.
    n : int
        Sequence length.
    size : int
        Number of sequences.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    numpy.ndarray of int64, shape (size, n)
        The sequences.
    """
    hmm = _check_hmm(hmm)
    n = check_int(n, "n", minimum=1)
    size = check_int(size, "size", minimum=1)
    rng = as_rng(seed)
    cA, cB = np.cumsum(hmm.trans, axis=1), np.cumsum(hmm.emit, axis=1)

    def draw(cdf, u):  # first index with cdf > u, rows of cdf per sample
        return np.minimum((cdf <= u[:, None]).sum(axis=1), cdf.shape[1] - 1)

    z = draw(np.broadcast_to(np.cumsum(hmm.init), (size, hmm.init.size)), rng.random(size))
    out = np.empty((size, n), dtype=np.int64)
    for t in range(n):
        if t:
            z = draw(cA[z], rng.random(size))
        out[:, t] = draw(cB[z], rng.random(size))
    return out


class VAEResult(NamedTuple):
    r"""``model`` the trained torch module (``encode``, ``decode_logits``); ``losses`` (steps,) the minibatch
    negative ELBO (nats per sequence); ``seconds``.

    Attributes
    ----------
    model : torch.nn.Module
        The trained module (``encode``, ``decode_logits``).
    losses : numpy.ndarray, shape (steps,)
        Minibatch negative ELBO (nats per sequence).
    seconds : float
        Wall-clock seconds.
    """

    model: object
    losses: np.ndarray
    seconds: float


def _vae_module(n, V, latent, hidden, seed):
    import torch
    from torch import nn

    torch.manual_seed(seed)

    class TinyVAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.n, self.V, self.d = n, V, latent
            self.enc = nn.Sequential(nn.Linear(n * V, hidden), nn.Tanh(), nn.Linear(hidden, 2 * latent))
            self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.Tanh(), nn.Linear(hidden, n * V))

        def encode(self, x):                       # x: (B, n) integer tokens -> mean, log std of q(z|x)
            h = self.enc(nn.functional.one_hot(x, self.V).reshape(x.shape[0], -1).double())
            return h[:, : self.d], h[:, self.d:].clamp(-6, 3)

        def decode_logits(self, z):                # z: (..., d) -> (..., n, V) log p(x_t | z)
            return self.dec(z).reshape(*z.shape[:-1], self.n, self.V).log_softmax(-1)

    return TinyVAE().double()


def train_vae(sequences, V: int, *, latent: int = 2, hidden: int = 32, steps: int = 600, batch: int = 128,
              lr: float = 1e-2, seed=0) -> VAEResult:
    r"""A variational autoencoder with an amortised, reparameterised Gaussian posterior, trained on token sequences.

    Prior :math:`z \sim \mathcal N(0, I_d)`; decoder :math:`p_\theta(x^n|z) = \prod_t \softmax(f_\theta(z))_{t, x_t}`
    (tokens independent given :math:`z`); encoder :math:`q_\phi(z|x^n) = \mathcal N(\mu_\phi(x^n),
    \operatorname{diag}\sigma_\phi^2(x^n))`, one network for every :math:`x^n` (amortised).  Minimises the
    minibatch negative ELBO :math:`\E_{\epsilon}[-\ln p_\theta(x|\mu + \sigma\odot\epsilon)] + \KL(q_\phi\cc\mathcal N(0,I))`
    with one reparameterised draw per sequence and the KL in closed form, by :func:`semtheory.transformer.minimise`
    (seeded, deterministic).  Nats per sequence.  ``seed``: an int >= 0, a numpy ``Generator`` or ``None``.  Chapter 11.

    Parameters
    ----------
    sequences : array_like of int, shape (N, n)
        The data.
    V : int
        Alphabet size, >= 2.
    latent, hidden : int, keyword-only
        Latent dimension and hidden width.
    steps, batch : int, keyword-only
        Adam steps and batch size.
    lr : float, keyword-only, default 1e-2
        Peak learning rate.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    VAEResult
        The model, the losses (nats per sequence), the seconds.
    """
    import torch

    from .core.torchloop import minimise

    X = _asarray(sequences, "sequences")
    V = check_int(V, "V", minimum=2)
    if X.ndim != 2 or X.size == 0 or X.dtype.kind not in "iu" or X.min() < 0 or X.max() >= V:
        raise ValueError(f"sequences must be a non-empty (N, n) integer array with symbols in [0, {V})")
    latent = check_int(latent, "latent", minimum=1)
    hidden = check_int(hidden, "hidden", minimum=1)
    steps = check_int(steps, "steps", minimum=1)
    batch = check_int(batch, "batch", minimum=1)
    seed = torch_seed(seed)
    model = _vae_module(X.shape[1], V, latent, hidden, seed)
    data = torch.as_tensor(X, dtype=torch.long)

    def batch_loss(gen):
        xb = data[torch.randint(0, len(data), (batch,), generator=gen)]
        mu, ls = model.encode(xb)
        z = mu + ls.exp() * torch.randn(mu.shape, generator=gen, dtype=mu.dtype)
        rec = model.decode_logits(z).gather(-1, xb[..., None]).squeeze(-1).sum(-1)
        kl = 0.5 * (mu**2 + (2 * ls).exp() - 2 * ls - 1).sum(-1)
        return (kl - rec).mean()

    res = minimise(model, batch_loss, steps, lr=lr, seed=seed)
    return VAEResult(model, res.losses, res.seconds)


class VAEBounds(NamedTuple):
    r"""Per-sequence values (nats) for the rows of ``x``: ``elbo`` (quadrature), ``log_evidence`` (quadrature),
    ``gap`` :math:`=\KL(q_\phi(\cdot|x)\cc p_\theta(\cdot|x))` (quadrature), ``iwae`` (len(K), N) Monte-Carlo
    :math:`\mathcal L_K` with the encoder as proposal.

    Attributes
    ----------
    elbo, log_evidence, gap : numpy.ndarray, shape (N,)
        Per-sequence quadrature values (nats).
    iwae : numpy.ndarray, shape (len(K), N)
        Monte-Carlo :math:`\mathcal L_K` (nats).
    """

    elbo: np.ndarray
    log_evidence: np.ndarray
    gap: np.ndarray
    iwae: np.ndarray


def vae_bounds(result: VAEResult, x, *, K=(1, 10, 100), samples: int = 20, grid: int = 61, extent: float = 6.0,
               seed=0) -> VAEBounds:
    r"""ELBO, log-evidence and posterior gap of a trained 2-D-latent VAE by quadrature, and IWAE bounds by Monte Carlo.

    On a ``grid`` x ``grid`` lattice over :math:`[-e, e]^2` (``extent``), :math:`\ln p_\theta(x) \approx
    \ln\sum_z p_\theta(x|z)\,\mathcal N(z; 0, I)\,\Delta^2`, and with :math:`q = q_\phi(\cdot|x)` on the same lattice,
    :math:`\mathrm{ELBO} = \sum_z q(z)[\ln p_\theta(x|z) + \ln\mathcal N(z) - \ln q(z)]\Delta^2` and the gap
    :math:`\KL(q\cc p_\theta(\cdot|x))`.  The IWAE values average :math:`\ln\frac1K\sum_k w_k` over ``samples``
    seeded draws of :math:`K` reparameterised samples.  Nats per sequence.  ``seed``: an int >= 0, a numpy ``Generator`` or ``None``.
    Chapter 11.

    Parameters
    ----------
    result : VAEResult
        A trained VAE with a 2-D latent.
    x : array_like of int, shape (N, n)
        The sequences.
    K : sequence of int, keyword-only, default (1, 10, 100)
        Importance sample counts.
    samples : int, keyword-only, default 20
        Monte-Carlo repetitions.
    grid : int, keyword-only, default 61
        Quadrature points per axis.
    extent : float, keyword-only, default 6.0
        Half-width of the quadrature box.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed.

    Returns
    -------
    VAEBounds
        Per-sequence bounds (nats).
    """
    import torch

    if not isinstance(result, VAEResult):
        raise ValueError("result must be a VAEResult from train_vae")
    model = result.model
    if model.d != 2:
        raise ValueError("vae_bounds integrates over a 2-D latent; train with latent=2")
    xa = _asarray(x, "x") if x is not None else np.zeros((0, 0))
    if xa.ndim != 2 or xa.shape[1] != model.n or xa.shape[0] == 0:
        raise ValueError(f"x must have shape (N, {model.n}) with N >= 1")
    X = torch.as_tensor(np.stack([_check_x(row, model.V, "x", max_len=None) for row in xa]), dtype=torch.long)
    grid = check_int(grid, "grid", minimum=11)
    e = check_positive(extent, "extent")
    samples = check_int(samples, "samples", minimum=2)
    Ks = [check_int(k, "K", minimum=1) for k in np.atleast_1d(K)]
    from .core.torchloop import one_thread

    g = torch.linspace(-e, e, grid, dtype=torch.float64)
    Z = torch.stack(torch.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)
    log_area = 2 * math.log(float(g[1] - g[0]))
    with torch.no_grad(), one_thread():
        lpz = -0.5 * (Z**2).sum(-1) - math.log(2 * math.pi)
        lpx_z = model.decode_logits(Z)                                   # (G, n, V)
        ll = torch.stack([lpx_z[:, t, X[:, t]] for t in range(model.n)]).sum(0).T   # (N, G)
        ljoint = ll + lpz
        logev = torch.logsumexp(ljoint, -1) + log_area
        mu, ls = model.encode(X)
        lq = (-0.5 * ((Z[None] - mu[:, None]) / ls.exp()[:, None]) ** 2 - ls[:, None] - 0.5 * math.log(2 * math.pi)).sum(-1)
        qw = torch.softmax(lq, -1)                                        # q on the lattice, renormalised
        lqn = qw.clamp_min(1e-300).log() - log_area
        elbo_ = (qw * (ljoint - lqn)).sum(-1)
        gen = torch.Generator().manual_seed(torch_seed(seed))
        iw = []
        for k in Ks:
            eps = torch.randn((samples, k) + tuple(mu.shape), generator=gen, dtype=mu.dtype)
            z = mu + ls.exp() * eps                                       # (samples, k, N, 2)
            lx = model.decode_logits(z).gather(-1, X[None, None, ..., None].expand(samples, k, *X.shape, 1)).squeeze(-1).sum(-1)
            lw = lx - 0.5 * (z**2).sum(-1) + 0.5 * (eps**2).sum(-1) + ls.sum(-1)
            iw.append((torch.logsumexp(lw, 1) - math.log(k)).mean(0).numpy())
    return VAEBounds(elbo_.numpy(), logev.numpy(), (logev - elbo_).numpy(), np.array(iw))
