"""Variational inference and EM for an HMM (chapter 11): gradient ascent on the ELBO, coordinate ascent
(CAVI), forward-backward and Baum-Welch."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import logsumexp, xlogy

from .._validate import as_rng, check_int, check_positive, log_base, torch_seed
from ._common import check_hmm, check_x, logs
from .hmm import HMM
from .laws import log_evidence, log_joint

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..core.types import ArrayLike, SeedLike


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


def fit_variational(hmm: HMM, x: ArrayLike, *, family: str = "markov", steps: int = 300, lr: float = 0.05,
                    seed: SeedLike = 0) -> FitResult:
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

    from ..core.torchloop import Adam, one_thread

    hmm = check_hmm(hmm)
    x = check_x(x, hmm.emission.shape[1])
    if family not in ("mean-field", "markov"):
        raise ValueError(f"family must be 'mean-field' or 'markov', got {family!r}")
    steps = check_int(steps, "steps", minimum=1)
    lr = check_positive(lr, "lr")
    seed = torch_seed(seed)
    lj_np = log_joint(hmm, x)
    logz = float(logsumexp(lj_np))
    if not np.isfinite(logz):
        raise ValueError("x has probability zero under hmm")
    n, S = x.size, hmm.initial.size
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


class CAVIResult(NamedTuple):
    r"""``elbos`` (n_iter + 1,) the mean-field ELBO (nats) before and after each sweep; ``factors`` (n, S) the
    fitted :math:`q_t`; ``log_evidence`` (nats) by the forward recursion.

    Attributes
    ----------
    elbos : numpy.ndarray, shape (n_iter + 1,)
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


def cavi_mean_field(hmm: HMM, x: ArrayLike, *, n_iter: int = 30, seed: SeedLike = 0) -> CAVIResult:
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
    n_iter : int, keyword-only, default 30
        The number of coordinate sweeps, all run.
    seed : int, numpy.random.Generator or None, keyword-only, default 0
        Seed of the starting factors.

    Returns
    -------
    CAVIResult
        ELBOs and evidence in nats, and the factors.
    """
    hmm = check_hmm(hmm)
    x = check_x(x, hmm.emission.shape[1], max_len=None)
    n_iter = check_int(n_iter, "n_iter", minimum=1)
    rng = as_rng(seed)
    la, lA, lB = logs(hmm)
    n, S = x.size, la.size
    f = rng.dirichlet(np.ones(S), size=n)
    logz = log_evidence(hmm, x, base=math.e)
    if not np.isfinite(logz):
        raise ValueError("x has probability zero under hmm")

    def emean(w, lv, axis):  # E_w[lv] along `axis`, with 0 * (-inf) = 0
        return np.sum(np.where(np.expand_dims(w, 1 - axis) > 0, np.expand_dims(w, 1 - axis) * lv, 0.0), axis=axis)

    elbos = [_mean_field_elbo(la, lA, lB, x, f)]
    for _ in range(n_iter):
        for t in range(n):
            s = lB[:, x[t]] + (la if t == 0 else emean(f[t - 1], lA, 0))
            if t < n - 1:
                s = s + emean(f[t + 1], lA, 1)
            f[t] = np.exp(s - logsumexp(s))
        elbos.append(_mean_field_elbo(la, lA, lB, x, f))
    return CAVIResult(np.array(elbos), f, float(logz))


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


def forward_backward(hmm: HMM, x: ArrayLike) -> ForwardBackward:
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
    hmm = check_hmm(hmm)
    x = check_x(x, hmm.emission.shape[1], max_len=None)
    la, lA, lB = logs(hmm)
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


def baum_welch(hmm: HMM, sequences: ArrayLike | Sequence[ArrayLike], *, n_iter: int = 50) -> EMResult:
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
    n_iter : int, keyword-only, default 50
        EM steps.

    Returns
    -------
    EMResult
        The fitted model and the log-likelihoods (nats).
    """
    hmm = check_hmm(hmm)
    S, V = hmm.emission.shape
    if sequences is None or isinstance(sequences, (str, bytes)):
        raise ValueError(f"sequences must be a list of 1-D integer sequences, got {sequences!r}")
    if isinstance(sequences, np.ndarray) and sequences.ndim == 1:
        sequences = [sequences]
    seqs = [check_x(np.asarray(s), V, "sequences", max_len=None) for s in sequences]
    if not seqs:
        raise ValueError("sequences must hold at least one sequence")
    n_iter = check_int(n_iter, "n_iter", minimum=0)
    groups = {}
    for sq in seqs:
        groups.setdefault(sq.size, []).append(sq)
    groups = [np.stack(g) for g in groups.values()]
    onehot = np.eye(V)
    lls = []
    for it in range(n_iter + 1):
        la, lA, lB = logs(hmm)
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
        if it == n_iter:
            break
        trans, emit = hmm.transition.copy(), hmm.emission.copy()
        rows = xi.sum(axis=1) > 0
        trans[rows] = xi[rows] / xi[rows].sum(axis=1, keepdims=True)
        used = em.sum(axis=1) > 0
        emit[used] = em[used] / em[used].sum(axis=1, keepdims=True)
        hmm = HMM(g0 / g0.sum(), trans, emit)
    return EMResult(hmm, np.array(lls))
