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
from ._validate import as_pmf, as_rng, as_stochastic, check_int, check_positive, log_base

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
]


class HMM(NamedTuple):
    r"""A hidden Markov model: ``init`` :math:`\pi` (S,), ``trans`` :math:`A` (S, S), ``emit`` :math:`B` (S, V).  Chapter 11."""

    init: np.ndarray
    trans: np.ndarray
    emit: np.ndarray


def make_hmm(init, trans, emit) -> HMM:
    r"""Validate and build an :class:`HMM` (rows of ``trans`` and ``emit`` are pmfs; shapes agree).  Chapter 11."""
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
    r"""An HMM with Dirichlet(``concentration``) rows, seeded.  Chapter 11."""
    S = check_int(n_states, "n_states", minimum=1)
    V = check_int(n_symbols, "n_symbols", minimum=1)
    a = check_positive(concentration, "concentration")
    rng = as_rng(seed)
    return HMM(rng.dirichlet(np.full(S, a)), rng.dirichlet(np.full(S, a), size=S), rng.dirichlet(np.full(V, a), size=S))


def _check_hmm(hmm) -> HMM:
    if not isinstance(hmm, HMM):
        raise ValueError(f"hmm must be a semtheory.elbo.HMM, got {type(hmm).__name__}")
    return hmm


def _check_x(x, V: int, name: str = "x") -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a non-empty 1-D sequence of integer symbols, got {arr!r}")
    if arr.min() < 0 or arr.max() >= V:
        raise ValueError(f"{name} must hold symbols in [0, {V})")
    if arr.size > 12:
        raise ValueError(f"{name} is too long to enumerate (n = {arr.size} > 12)")
    return arr.astype(np.int64)


def log_joint(hmm: HMM, x) -> np.ndarray:
    r"""Table of :math:`\ln p(x^n, z^n)` (nats) over every hidden path: shape ``(S,) * n``, axis t is :math:`z_{t+1}`.

    :math:`\ln\pi(z_1) + \sum_t \ln B(x_t|z_t) + \sum_{t\ge2}\ln A(z_t|z_{t-1})`.  Chapter 11.
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


def log_evidence(hmm: HMM, x, base=math.e) -> float:
    r"""Log-likelihood :math:`\log p(x^n) = \log\sum_{z^n} p(x^n, z^n)` by the forward recursion (log domain).

    :math:`\alpha_1 = \ln\pi + \ln B_{\cdot x_1}`, :math:`\alpha_t(j) = \ln B_{j x_t} + \operatorname{lse}_i(\alpha_{t-1}(i) + \ln A_{ij})`.
    Units of ``base`` (nats by default).  Chapter 11.
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
    r"""Exact posterior :math:`p(z^n | x^n) = p(x^n, z^n)/p(x^n)` over every path, shape ``(S,) * n``.  Chapter 11."""
    lj = log_joint(hmm, x)
    lz = logsumexp(lj)
    if not np.isfinite(lz):
        raise ValueError("x has probability zero under hmm: the posterior is undefined")
    return np.exp(lj - lz)


def elbo(log_joint_table, q, base=math.e) -> float:
    r"""Evidence lower bound :math:`\mathrm{ELBO}(q) = \sum_z q(z)[\ln p(x,z) - \ln q(z)]`, in units of ``base``.

    ``log_joint_table`` holds :math:`\ln p(x, z)` in nats (``-inf`` allowed) for every :math:`z`; ``q`` is a pmf
    of the same shape.  Terms with :math:`q(z)=0` contribute 0; :math:`q(z)>0` where :math:`p(x,z)=0` gives
    :math:`-\infty`.  Chapter 11.
    """
    lj = np.asarray(log_joint_table, dtype=float)
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


def elbo_gap(log_joint_table, q, base=math.e) -> float:
    r"""The gap :math:`\log p(x) - \mathrm{ELBO}(q)`, which equals :math:`\KL(q \cc p(z|x))` (units of ``base``).  Chapter 11."""
    lj = np.asarray(log_joint_table, dtype=float)
    value = elbo(lj, q, base)
    return float(logsumexp(lj)) / log_base(base) - value


def mean_field(factors) -> np.ndarray:
    r"""The product pmf :math:`q(z^n) = \prod_t q_t(z_t)` from ``factors`` (n, S), each row a pmf; shape ``(S,) * n``.  Chapter 11."""
    f = as_stochastic(factors, "factors")
    if f.ndim != 2:
        raise ValueError(f"factors must have shape (n, S), got {f.shape}")
    out = np.ones(())
    for row in f:
        out = np.multiply.outer(out, row)
    return out


def sequence_pmf(hmm: HMM, n: int) -> np.ndarray:
    r"""The law of :math:`x^n` under ``hmm``, shape ``(V,) * n`` (:math:`\sum_z p(x^n, z^n)`, enumerated).  Chapter 11."""
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
    ``cross_entropy`` :math:`= H + \KL`, ``neg_elbo`` :math:`\E_{\rm data}[-\mathrm{ELBO}(q)]/n` with :math:`q` = ``q``."""

    entropy: float
    kl: float
    cross_entropy: float
    neg_elbo: float


def bound_chain(data: HMM, model: HMM, n: int, *, q: str = "prior", base=2) -> BoundChain:
    r"""The chain :math:`-\mathrm{ELBO} \ge \mathrm{CE} = H + \KL \ge H` averaged over data :math:`x^n \sim` ``data``, per token.

    The model's negative ELBO uses ``q="prior"`` (:math:`q(z|x) = p_\theta(z)`, giving
    :math:`\E_{p_\theta(z)}[-\log p_\theta(x|z)]`) or ``q="posterior"`` (exact; then ``neg_elbo == cross_entropy``).
    Units of ``base`` (bits by default).  Chapter 11.
    """
    data, model = _check_hmm(data), _check_hmm(model)
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
    r"""Table of :math:`\ln p(z^n) = \ln\pi(z_1) + \sum_{t\ge2}\ln A(z_t|z_{t-1})` (nats), shape ``(S,) * n``.  Chapter 11."""
    model = _check_hmm(model)
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
    r"""``elbos`` (steps,) the ELBO (nats) after each step; ``q`` the fitted pmf over paths; ``log_evidence`` (nats); ``seconds``."""

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
    enumeration.  Logits start at seeded N(0, 0.1^2); one torch thread (restored afterwards).  Nats.  Chapter 11.
    """
    import torch

    from .transformer import _Adam, _one_thread

    hmm = _check_hmm(hmm)
    x = _check_x(x, hmm.emit.shape[1])
    if family not in ("mean-field", "markov"):
        raise ValueError(f"family must be 'mean-field' or 'markov', got {family!r}")
    steps = check_int(steps, "steps", minimum=1)
    lr = check_positive(lr, "lr")
    seed = check_int(seed, "seed", minimum=0)
    lj_np = log_joint(hmm, x)
    logz = float(logsumexp(lj_np))
    if not np.isfinite(logz):
        raise ValueError("x has probability zero under hmm")
    n, S = x.size, hmm.init.size
    t0 = time.perf_counter()
    with _one_thread():
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

        adam = _Adam(params, clip=10.0)
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
