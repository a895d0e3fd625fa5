r"""Post-training as a rate-reward trade-off: KL-regularised RL, its Gibbs optimum, DPO (chapter 6).

**Single decision (a bandit).**  A reference policy :math:`\pi_{\mathrm{ref}}` (the pre-trained model) over
:math:`K` responses, a reward :math:`r` and a temperature :math:`\beta > 0`.  The KL-regularised objective

.. math:: J_\beta(\pi) = \E_\pi[r] - \beta\, D(\pi \,\|\, \pi_{\mathrm{ref}})

is maximised by the Gibbs (Boltzmann) tilt :math:`\pi^*_\beta \propto \pi_{\mathrm{ref}}\, e^{r/\beta}`, with
value :math:`\beta \log \E_{\pi_{\mathrm{ref}}}[e^{r/\beta}]` and, for every policy,
:math:`J_\beta(\pi) = J_\beta(\pi^*_\beta) - \beta D(\pi \| \pi^*_\beta)` (Donsker–Varadhan; Todorov 2009).

**Rate-reward function.**  :math:`R(\rho) = \min\{D(\pi\|\pi_{\mathrm{ref}}) : \E_\pi r \ge \rho\}`, traced by
:math:`\beta`: the point :math:`(\E_{\pi^*_\beta} r,\ D(\pi^*_\beta\|\pi_{\mathrm{ref}}))` lies on the curve and the
slope there is :math:`1/\beta` (nats per reward unit).

**Sequences and inputs.**  Sequence policies are causal kernels in :mod:`semtheory.directed`'s layout
(``policy[t-1]`` the input process :math:`P(x_t \mid x^{t-1}, y^{t-1})`, ``channel[t-1]`` the LLM
:math:`\pi(y_t \mid x^t, y^{t-1})`; joint laws have axes :math:`X_1..X_n, Y_1..Y_n`) and rewards are arrays on
whole sequences in that layout.  The causal optimum is a soft (log-sum-exp) value recursion
(:func:`causal_gibbs`); its rate is a causally conditioned relative entropy, and with the reference left
free among policies blind to the input it is Massey's directed information (:func:`directed_rate_reward`).
:class:`GibbsLM` is the optimum of a prompt-then-generate task as a
:class:`semtheory.channel.LanguageModel`.

**DPO.**  The implicit reward :math:`\beta \log \pi^*/\pi_{\mathrm{ref}} = r - \beta \log Z`, Bradley–Terry
preference data and a seeded torch fit of the DPO loss (Rafailov et al. 2023).

Units: rewards are in their own units and :math:`\beta` in reward units per nat, so objectives and values are
in reward units; KL-divergence *rates* take ``base`` (2 = bits, the default; ``math.e`` = nats).
Provenance: the rate-reward functions are standard constructions used as a reconstruction of the treatise's
"directed rate-reward function" (see the chapter's note).
"""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, logsumexp

from . import channel as _channel
from . import directed
from ._validate import check_flag, as_float, as_pmf, as_rng, as_stochastic, check_int, check_positive, log_base

__all__ = [
    # single decision
    "gibbs_logpolicy",
    "gibbs_policy",
    "optimal_value",
    "kl_objective",
    "random_policies",
    "best_random_objective",
    "simplex_grid",
    # rate-reward
    "RateRewardCurve",
    "RateRewardLimits",
    "rate_reward_curve",
    "rate_reward",
    "beta_for_reward",
    "rate_reward_limits",
    # sequences and inputs
    "reward_table",
    "matching_reward",
    "CausalGibbs",
    "causal_gibbs",
    "causal_objective",
    "causally_conditioned_kl",
    "per_token_kl",
    "anticipative_value",
    "causal_rate_reward_curve",
    "DirectedRateReward",
    "directed_rate_reward",
    "directed_rate_reward_curve",
    "GibbsLM",
    "sequence_gibbs",
    # DPO
    "implicit_reward",
    "bradley_terry",
    "PreferenceData",
    "sample_preferences",
    "dpo_loss",
    "expected_dpo_loss",
    "DPOFit",
    "fit_dpo",
    "ARDPOFit",
    "fit_dpo_autoregressive",
    "BestOfN",
    "best_of_n_policy",
    "best_of_n_kl_bound",
    "best_of_n_curve",
    "ProxyCurve",
    "proxy_reward_curve",
]

_MAX_SEQS = 2**20  # largest number of sequences a reward table / GibbsLM may enumerate


# ==============================================================================================
# Validation helpers
# ==============================================================================================


def _check_beta(beta, name: str = "beta") -> float:
    return check_positive(beta, name)


def _as_reward(reward, shape: tuple[int, ...], name: str = "reward") -> np.ndarray:
    """A finite real array broadcastable to ``shape``, returned broadcast (read-only view)."""
    r = as_float(reward, name)
    if not np.all(np.isfinite(r)):
        raise ValueError(f"{name} contains NaN or inf; rewards must be finite")
    try:
        return np.broadcast_to(r, shape)
    except ValueError:
        raise ValueError(f"{name} has shape {r.shape}, not broadcastable to {shape}") from None


def _as_ref(ref, name: str = "ref") -> np.ndarray:
    """A reference policy: a pmf over the last axis (leading axes index prompts)."""
    arr = as_stochastic(ref, name)
    return arr


def _log(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(x)


# ==============================================================================================
# A single decision: the KL-regularised objective and its Gibbs optimum
# ==============================================================================================


def _check_beta0(beta, name: str = "beta") -> float:
    """A temperature >= 0: beta = 0 is the greedy end of the rate-reward curve (single decisions only)."""
    return check_positive(beta, name, allow_zero=True)


def _tilt(logref: np.ndarray, r: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """(log pi_lambda, log Z) with pi_lambda ∝ ref e^{lam r}, over the last axis (lam = 1/beta >= 0).

    ``lam = inf`` (beta = 0) is the greedy limit: the reference restricted to its best responses; the
    second value is then the largest reward on the support."""
    if math.isinf(lam):
        sup = np.isfinite(logref)
        rmax = np.where(sup, r, -np.inf).max(axis=-1, keepdims=True)
        s = np.where(sup & (r == rmax), logref, -np.inf)
        return s - logsumexp(s, axis=-1, keepdims=True), rmax[..., 0]
    s = logref + lam * r
    logz = logsumexp(s, axis=-1, keepdims=True)
    return s - logz, logz[..., 0]


def gibbs_logpolicy(ref, reward, beta) -> np.ndarray:
    r"""Natural-log Gibbs optimum :math:`\log \pi^*_\beta = \log \pi_{\mathrm{ref}} + r/\beta - \log Z`.

    .. math:: \pi^*_\beta(y) = \frac{\pi_{\mathrm{ref}}(y)\, e^{r(y)/\beta}}{Z},\qquad
              Z = \E_{\pi_{\mathrm{ref}}}\big[e^{r/\beta}\big].

    ``ref`` is a pmf over its last axis (leading axes index prompts: ``ref[x, y]`` :math:`= \pi_{\mathrm{ref}}(y|x)`),
    ``reward`` broadcastable to it (finite), ``beta`` >= 0 (reward units per nat).  Responses with
    :math:`\pi_{\mathrm{ref}} = 0` keep log-probability :math:`-\infty`.  Computed with ``logsumexp``, so any
    :math:`\beta > 0` is safe; ``beta = 0`` is the greedy limit, the reference restricted to its best
    responses :math:`A^*` (the end of the rate-reward curve with the largest reward).  Chapter 6.
    """
    P = _as_ref(ref)
    r = _as_reward(reward, P.shape)
    b = _check_beta0(beta)
    return _tilt(_log(P), r, math.inf if b == 0 else 1.0 / b)[0]


def gibbs_policy(ref, reward, beta) -> np.ndarray:
    r"""Gibbs optimum :math:`\pi^*_\beta \propto \pi_{\mathrm{ref}} e^{r/\beta}` of :func:`kl_objective` (probabilities).

    See :func:`gibbs_logpolicy`.  :math:`\beta \to 0`: the reference restricted to its best responses;
    :math:`\beta \to \infty`: the reference itself.  Chapter 6.
    """
    return np.exp(gibbs_logpolicy(ref, reward, beta))


def optimal_value(ref, reward, beta):
    r"""Optimal value :math:`\max_\pi J_\beta(\pi) = \beta \log \E_{\pi_{\mathrm{ref}}}[e^{r/\beta}]` (reward units).

    The soft maximum of the reward under the reference: it lies between :math:`\E_{\pi_{\mathrm{ref}}} r`
    (approached as :math:`\beta\to\infty`) and the largest reward on the reference's support
    (:math:`\beta \to 0`, and its value at ``beta = 0``).  One value per prompt (leading axes of ``ref``); a float for a 1-D ``ref``.
    Chapter 6.
    """
    P = _as_ref(ref)
    r = _as_reward(reward, P.shape)
    b = _check_beta0(beta)
    if b == 0:  # the limit beta -> 0: the largest reward on the support
        out = _tilt(_log(P), as_float(r, "r"), math.inf)[1]
        return float(out) if np.ndim(out) == 0 else out
    out = b * logsumexp(_log(P) + r / b, axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def kl_objective(policy, ref, reward, beta):
    r"""KL-regularised objective :math:`J_\beta(\pi) = \E_\pi[r] - \beta\, D(\pi\,\|\,\pi_{\mathrm{ref}})` (reward units).

    The KL is in nats (so :math:`\beta` is in reward units per nat).  ``policy`` may carry extra leading
    axes (a batch of policies): it is broadcast against ``ref`` over the last axis, and the result has the
    broadcast leading shape.  :math:`-\infty` when the policy puts mass where the reference has none.
    Identity: :math:`J_\beta(\pi) = \beta\log Z - \beta D(\pi\,\|\,\pi^*_\beta)`.  Chapter 6.
    """
    Q = as_stochastic(policy, "policy")
    P = _as_ref(ref)
    if Q.shape[-1] != P.shape[-1]:
        raise ValueError(f"policy has {Q.shape[-1]} responses on its last axis, ref has {P.shape[-1]}")
    b = _check_beta(beta)
    try:
        shape = np.broadcast_shapes(Q.shape, P.shape)
    except ValueError:
        raise ValueError(f"policy shape {Q.shape} does not broadcast against ref shape {P.shape}") from None
    r = _as_reward(reward, shape)
    Qb, Pb = np.broadcast_to(Q, shape), np.broadcast_to(P, shape)
    miss = ((Qb > 0) & (Pb == 0)).any(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(Qb > 0, Qb * (_log(Qb) - _log(np.where(Pb > 0, Pb, 1.0))), 0.0).sum(axis=-1)
    out = (Qb * r).sum(axis=-1) - b * kl
    out = np.where(miss, -np.inf, out)
    return float(out) if np.ndim(out) == 0 else out


def random_policies(k, n, *, seed=None) -> np.ndarray:
    r"""``n`` random policies on the :math:`k`-simplex, shape ``(n, k)``, deterministic under ``seed``.

    A mixture that covers the simplex: Dirichlet draws with concentrations 0.05, 0.3, 1 and 5 (corners,
    edges, bulk, centre) plus the :math:`k` vertices.  Used to check by brute force that no policy beats
    the Gibbs optimum.  Chapter 6.
    """
    k = check_int(k, "k", minimum=1)
    n = check_int(n, "n", minimum=1)
    rng = as_rng(seed)
    conc = rng.choice([0.05, 0.3, 1.0, 5.0], size=n)
    out = rng.gamma(conc[:, None], size=(n, k))
    out[out.sum(axis=1) == 0, 0] = 1.0
    out /= out.sum(axis=1, keepdims=True)
    out[: min(k, n)] = np.eye(k)[: min(k, n)]
    return out


def best_random_objective(ref, reward, beta, *, n=20000, seed=None) -> float:
    r"""Brute force: :math:`\max_i J_\beta(\pi_i)` over ``n`` random policies (:func:`random_policies`).

    Never exceeds :func:`optimal_value`; the gap is :math:`\beta \min_i D(\pi_i \| \pi^*_\beta)`.  ``ref``
    must be 1-D.  Reward units.  Chapter 6.
    """
    P = as_pmf(ref, "ref", ndim=1)
    pols = random_policies(P.size, n, seed=seed)
    return float(np.max(kl_objective(pols, P, reward, beta)))


def simplex_grid(resolution=60) -> np.ndarray:
    r"""Points :math:`(p_1, p_2, p_3)` of the 2-simplex on a triangular grid with ``resolution`` steps per side.

    Returns an array of shape ``((resolution+1)(resolution+2)/2, 3)`` whose rows are pmfs (vertices and
    edges included).  For plotting objectives over all policies on three responses.  Chapter 6.
    """
    m = check_int(resolution, "resolution", minimum=1, maximum=2000)
    i, j = np.meshgrid(np.arange(m + 1), np.arange(m + 1), indexing="ij")
    keep = i + j <= m
    a, b = i[keep], j[keep]
    return np.stack([a, b, m - a - b], axis=1) / m


# ==============================================================================================
# The rate-reward function (a single decision)
# ==============================================================================================


class RateRewardCurve(NamedTuple):
    r"""Points of a rate-reward curve: ``betas``, expected ``rewards`` :math:`\rho(\beta)` and ``rates`` :math:`R` (units of ``base``)."""

    betas: np.ndarray
    rewards: np.ndarray
    rates: np.ndarray


class RateRewardLimits(NamedTuple):
    r"""The two ends of a rate-reward curve.

    ``reference_reward`` :math:`\E_{\pi_{\mathrm{ref}}} r` (rate 0, :math:`\beta\to\infty`); ``greedy_reward``
    :math:`r_{\max}` on the reference's support and ``greedy_rate`` :math:`-\log \pi_{\mathrm{ref}}(A^*)`, the
    rate of the greedy limit :math:`\beta \to 0` (the reference restricted to the best set :math:`A^*`).
    """

    reference_reward: float
    greedy_reward: float
    greedy_rate: float


def _bandit(ref, reward, name: str = "reward") -> tuple[np.ndarray, np.ndarray]:
    P = as_pmf(ref, "ref", ndim=1)
    r = np.array(_as_reward(reward, P.shape, name), dtype=float)
    return P, r


def _point(P: np.ndarray, r: np.ndarray, lam: float, lb: float) -> tuple[float, float]:
    logq, logz = _tilt(_log(P), r, lam)
    q = np.exp(logq)
    rho = float(q @ r)
    fin = q > 0
    rate = float(np.sum(q[fin] * (logq[fin] - np.log(P[fin]))))
    return rho, max(rate, 0.0) / lb


def rate_reward_curve(ref, reward, betas, base=2) -> RateRewardCurve:
    r"""Trace the rate-reward curve :math:`\big(\rho(\beta), R(\beta)\big)` at each temperature in ``betas``.

    .. math:: \rho(\beta) = \E_{\pi^*_\beta}[r],\qquad R(\beta) = D(\pi^*_\beta \,\|\, \pi_{\mathrm{ref}}),
              \qquad \frac{\dd R}{\dd \rho} = \frac{1}{\beta}\ \text{(nats per reward unit)}.

    Every point lies on the rate-reward function :math:`R(\rho)` of :func:`rate_reward`.  ``ref`` is a 1-D pmf,
    ``betas`` non-negative; ``beta = 0`` is the greedy end :math:`(r_{\max}, -\log\pi_{\mathrm{ref}}(A^*))` of
    :func:`rate_reward_limits` (the zero-rate end is :math:`\beta \to \infty`).  Rates in units of ``base``.
    Chapter 6.
    """
    lb = log_base(base)
    P, r = _bandit(ref, reward)
    bs = np.atleast_1d(as_float(betas, "betas"))
    if bs.ndim != 1 or bs.size == 0 or not np.all(np.isfinite(bs)) or np.any(bs < 0):
        raise ValueError("betas must be a non-empty 1-D array of finite temperatures >= 0")
    pts = np.array([_point(P, r, math.inf if b == 0 else 1.0 / b, lb) for b in bs])
    return RateRewardCurve(bs, pts[:, 0], pts[:, 1])


def rate_reward_limits(ref, reward, base=2) -> RateRewardLimits:
    r"""The reference (:math:`\beta\to\infty`) and greedy (:math:`\beta\to 0`) ends of the rate-reward curve.

    :math:`\rho \to \E_{\pi_{\mathrm{ref}}} r` with rate 0, and :math:`\rho \to r_{\max}` (largest reward on the
    support of :math:`\pi_{\mathrm{ref}}`) with rate :math:`-\log \pi_{\mathrm{ref}}(A^*)`,
    :math:`A^* = \{y : r(y) = r_{\max}\}`.  Rates in units of ``base``.  Chapter 6.
    """
    lb = log_base(base)
    P, r = _bandit(ref, reward)
    sup = P > 0
    rmax = float(r[sup].max())
    best = sup & (r == rmax)
    return RateRewardLimits(float(P @ r), rmax, float(-math.log(P[best].sum()) / lb))


def _lambda_for(P: np.ndarray, r: np.ndarray, rho: float) -> float:
    """Inverse temperature 1/beta with E_{pi} r = rho (strictly between the two limits)."""

    def f(lam):
        return _point(P, r, lam, 1.0)[0] - rho

    hi = 1.0
    while f(hi) < 0:
        hi *= 2.0
        if hi > 1e12:  # pragma: no cover - rho numerically at r_max
            break
    return brentq(f, 0.0, hi, xtol=1e-14, rtol=1e-13, maxiter=500)


def beta_for_reward(ref, reward, rho) -> float:
    r"""The temperature :math:`\beta` whose Gibbs optimum attains expected reward ``rho``: :math:`\rho(\beta) = \rho`.

    ``rho`` must lie strictly between :math:`\E_{\pi_{\mathrm{ref}}} r` and :math:`r_{\max}` (the limits, reached
    only as :math:`\beta \to \infty` and :math:`\beta \to 0`).  Solved by Brent's method in
    :math:`1/\beta`, on which :math:`\rho` is increasing.  Chapter 6.
    """
    P, r = _bandit(ref, reward)
    lim = rate_reward_limits(P, r)
    rho = _check_real(rho, "rho")
    if not lim.reference_reward < rho < lim.greedy_reward:
        raise ValueError(
            f"rho must lie strictly between E_ref[r] = {lim.reference_reward:.6g} and r_max = {lim.greedy_reward:.6g}"
        )
    return 1.0 / _lambda_for(P, r, rho)


def _check_real(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)) or not math.isfinite(float(x)):
        raise ValueError(f"{name} must be a finite real number, got {x!r}")
    return float(x)


def rate_reward(ref, reward, rho, base=2) -> float:
    r"""Rate-reward function :math:`R(\rho) = \min\{D(\pi\,\|\,\pi_{\mathrm{ref}}) : \E_\pi[r] \ge \rho\}`.

    Exact: 0 for :math:`\rho \le \E_{\pi_{\mathrm{ref}}} r`; :math:`-\log\pi_{\mathrm{ref}}(A^*)` at
    :math:`\rho = r_{\max}`; :math:`+\infty` above :math:`r_{\max}` (no policy absolutely continuous with respect
    to the reference reaches it); in between the KL of the Gibbs optimum whose expected reward is
    :math:`\rho` (:func:`beta_for_reward`).  Non-decreasing and convex in :math:`\rho`.  Units of ``base``.
    Chapter 6.
    """
    lb = log_base(base)
    P, r = _bandit(ref, reward)
    rho = _check_real(rho, "rho")
    lim = rate_reward_limits(P, r, base=math.e)
    if rho <= lim.reference_reward:
        return 0.0
    if rho > lim.greedy_reward:
        return math.inf
    if rho == lim.greedy_reward:
        return lim.greedy_rate / lb
    return _point(P, r, _lambda_for(P, r, rho), lb)[1]


# ==============================================================================================
# Sequences: causal kernels, the soft value recursion, causally conditioned KL
# ==============================================================================================


def _kernels(kernels, name: str, n: int | None = None) -> list[np.ndarray]:
    if isinstance(kernels, np.ndarray) or not isinstance(kernels, Sequence) or len(kernels) == 0:
        raise ValueError(f"{name} must be a non-empty list of per-step kernel arrays (one per time step)")
    if n is not None and len(kernels) != n:
        raise ValueError(f"{name} has {len(kernels)} steps, expected {n}")
    return [as_stochastic(k, f"{name}[{i}]") for i, k in enumerate(kernels)]


def _layout(policy, chan, pname: str, cname: str):
    """Validate a (policy, channel) pair; return kernels, n, input and output alphabet sizes."""
    pol = _kernels(policy, pname)
    ch = _kernels(chan, cname, len(pol))
    n = len(pol)
    xc = [k.shape[-1] for k in pol]
    yc = [k.shape[-1] for k in ch]
    for t in range(1, n + 1):
        for k, full, nm in (
            (pol[t - 1], tuple(xc[: t - 1]) + tuple(yc[: t - 1]) + (xc[t - 1],), f"{pname}[{t - 1}]"),
            (ch[t - 1], tuple(xc[:t]) + tuple(yc[: t - 1]) + (yc[t - 1],), f"{cname}[{t - 1}]"),
        ):
            if k.ndim != len(full) or any(g not in (1, w) for g, w in zip(k.shape[:-1], full[:-1])):
                raise ValueError(f"{nm} has shape {k.shape}, not broadcastable to {full} (history axes, then new variable)")
    if math.prod(xc) * math.prod(yc) > directed._MAX_CELLS:
        raise ValueError(f"{pname}/{cname} describe a joint law larger than {directed._MAX_CELLS} cells")
    return pol, ch, n, xc, yc


def _same_channel_shape(ch: list[np.ndarray], ref: list[np.ndarray], cname: str, rname: str):
    if len(ch) != len(ref):
        raise ValueError(f"{cname} has {len(ch)} steps but {rname} has {len(ref)}")
    for t, (a, b) in enumerate(zip(ch, ref)):
        if a.shape[-1] != b.shape[-1]:
            raise ValueError(f"{cname}[{t}] and {rname}[{t}] have different output alphabets")


def _exp_pol(k: np.ndarray, t: int, n: int) -> np.ndarray:
    a = np.moveaxis(k, -1, t - 1)  # (X^t, Y^{t-1})
    return a.reshape(a.shape[:t] + (1,) * (n - t) + a.shape[t:] + (1,) * (n - t + 1))


def _exp_ch(k: np.ndarray, t: int, n: int) -> np.ndarray:
    return k.reshape(k.shape[:t] + (1,) * (n - t) + k.shape[t:] + (1,) * (n - t))


def reward_table(reward, vocab_size, n) -> np.ndarray:
    r"""A reward on token sequences of length ``n`` as a table of shape ``(vocab_size,) * n``.

    ``reward`` is either such an array (finite) or a vectorised callable ``reward(seqs)`` that receives every
    sequence at once, an integer array of shape ``(vocab_size**n, n)`` in C order, and returns one finite
    reward per row.  Chapter 6.
    """
    V = check_int(vocab_size, "vocab_size", minimum=1)
    n = check_int(n, "n", minimum=1)
    if V**n > _MAX_SEQS:
        raise ValueError(f"vocab_size**n = {V}**{n} sequences is more than {_MAX_SEQS}")
    if callable(reward):
        seqs = np.indices((V,) * n).reshape(n, -1).T
        vals = np.asarray(reward(seqs), dtype=float)
        if vals.shape != (V**n,):
            raise ValueError(f"reward(seqs) must return shape ({V**n},), got {vals.shape}")
        if not np.all(np.isfinite(vals)):
            raise ValueError("reward(seqs) returned NaN or inf; rewards must be finite")
        return vals.reshape((V,) * n)
    r = _as_reward(reward, (V,) * n)
    if np.shape(reward) != (V,) * n:
        raise ValueError(f"reward must have shape {(V,) * n}, got {np.shape(reward)}")
    return np.array(r)


def matching_reward(n, alphabet_size=2) -> np.ndarray:
    r"""The matching (instruction-following) reward :math:`r(x^n, y^n) = \sum_{t=1}^n \ind[y_t = x_t]` in the joint layout.

    Shape ``(k,)*n + (k,)*n`` with ``k = alphabet_size``.  It is :math:`n` minus the Hamming distortion, so its
    directed rate-reward function for i.i.d. uniform inputs is the rate-distortion function of the Hamming
    source: :math:`n\,[\log k - h(\delta) - \delta \log(k-1)]` at :math:`\rho = n(1-\delta)`.  Chapter 6.
    """
    n = check_int(n, "n", minimum=1)
    k = check_int(alphabet_size, "alphabet_size", minimum=2)
    if k ** (2 * n) > directed._MAX_CELLS:
        raise ValueError(f"n={n} with alphabet_size={k} is too large")
    eq = np.eye(k)
    out = np.zeros((k,) * (2 * n))
    for t in range(n):
        shape = [1] * (2 * n)
        shape[t] = shape[n + t] = k
        out = out + eq.reshape(shape)
    return out


class CausalGibbs(NamedTuple):
    r"""The optimum of the causal KL-regularised problem (:func:`causal_gibbs`).

    ``channel``: optimal kernels :math:`\pi^*(y_t \mid x^t, y^{t-1})`; ``value``: the optimal objective
    (reward units); ``soft_values``: :math:`W_t` (reward units), broadcastable arrays in the joint layout over
    :math:`(X^t, Y^{t-1})`; ``q_values``: :math:`Q_t` over :math:`(X^t, Y^t)`; ``law`` and ``ref_law``: joint laws
    of inputs and outputs under the optimum and under the reference.
    """

    channel: list
    value: float
    soft_values: list
    q_values: list
    law: np.ndarray
    ref_law: np.ndarray


def causal_gibbs(policy, ref_channel, reward, beta) -> CausalGibbs:
    r"""Causal optimum of :math:`\E[r(X^n,Y^n)] - \beta\,D\big(\pi(Y^n\|X^n) \,\|\, \pi_{\mathrm{ref}}(Y^n\|X^n)\big)`.

    ``policy`` is the input process (kernels :math:`P(x_t \mid x^{t-1}, y^{t-1})`, possibly with feedback),
    ``ref_channel`` the reference LLM (kernels :math:`\pi_{\mathrm{ref}}(y_t \mid x^t, y^{t-1})`), ``reward`` an array
    broadcastable to the joint layout :math:`(X_1..X_n, Y_1..Y_n)`.  The maximum over causal policies
    :math:`\pi(y_t \mid x^t, y^{t-1})` is the soft value recursion (backward, in the log domain):

    .. math::

        Q_n = r,\qquad
        W_t(x^t, y^{t-1}) = \beta \log \sum_{y_t} \pi_{\mathrm{ref}}(y_t \mid x^t, y^{t-1})\, e^{Q_t(x^t, y^t)/\beta},

        Q_{t-1}(x^{t-1}, y^{t-1}) = \sum_{x_t} P(x_t \mid x^{t-1}, y^{t-1})\, W_t(x^t, y^{t-1}),\qquad
        \pi^*(y_t \mid x^t, y^{t-1}) = \pi_{\mathrm{ref}}(y_t \mid x^t, y^{t-1})\, e^{(Q_t - W_t)/\beta},

    with value :math:`Q_0`.  Outputs are chosen (soft maximum), inputs are not (plain expectation).  Without
    inputs, :math:`\pi^*(y^n) \propto \pi_{\mathrm{ref}}(y^n) e^{r(y^n)/\beta}` exactly.  Every causal policy
    :math:`\pi` scores :math:`Q_0 - \beta D(P_\pi \| P_{\pi^*})` (:func:`causal_objective`).  Chapter 6.
    """
    pol, ref, n, xc, yc = _layout(policy, ref_channel, "policy", "ref_channel")
    b = _check_beta(beta)
    shape = tuple(xc) + tuple(yc)
    Q = np.array(_as_reward(reward, shape)) / b  # in units of beta
    new = [None] * n
    soft, qv = [None] * n, [None] * n
    for t in range(n, 0, -1):
        qv[t - 1] = Q * b
        S = _log(_exp_ch(ref[t - 1], t, n)) + Q
        W = logsumexp(S, axis=n + t - 1, keepdims=True)
        soft[t - 1] = W * b
        logpi = S - W
        drop = tuple(range(t, n)) + tuple(range(n + t, 2 * n))
        new[t - 1] = np.exp(np.squeeze(logpi, axis=drop) if drop else logpi)
        Q = (_exp_pol(pol[t - 1], t, n) * W).sum(axis=t - 1, keepdims=True)
    value = float(Q.reshape(-1)[0] * b)
    law = directed.joint_law(pol, new)
    ref_law = directed.joint_law(pol, ref)
    return CausalGibbs(new, value, soft, qv, law, ref_law)


def _log_cc(ch: list[np.ndarray], n: int) -> np.ndarray:
    """log P(y^n || x^n) in the joint layout (broadcastable)."""
    out = np.zeros(())
    for t in range(1, n + 1):
        out = out + _log(_exp_ch(ch[t - 1], t, n))
    return out


def _cc_terms(policy, chan, ref_channel) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    pol, ch, n, xc, yc = _layout(policy, chan, "policy", "channel")
    ref = _kernels(ref_channel, "ref_channel", n)
    _same_channel_shape(ch, ref, "channel", "ref_channel")
    _layout(pol, ref, "policy", "ref_channel")
    P = directed.joint_law(pol, ch)
    terms = []
    for t in range(1, n + 1):
        a = np.broadcast_to(_exp_ch(ch[t - 1], t, n), P.shape)
        r = np.broadcast_to(_exp_ch(ref[t - 1], t, n), P.shape)
        if np.any((P > 0) & (r == 0)):
            terms.append(math.inf)
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(P > 0, P * (_log(np.where(P > 0, a, 1.0)) - _log(np.where(P > 0, r, 1.0))), 0.0)
        terms.append(float(v.sum()))
    return P, ref, np.array(terms)


def per_token_kl(policy, channel, ref_channel, base=2) -> np.ndarray:
    r"""Per-step expected KL :math:`\E\big[D\big(\pi(\cdot \mid X^t, Y^{t-1}) \,\|\, \pi_{\mathrm{ref}}(\cdot \mid X^t, Y^{t-1})\big)\big]`, :math:`t = 1..n`.

    Expectations under the joint law of ``policy`` (inputs) and ``channel`` (the policy being scored).  Their
    sum is :func:`causally_conditioned_kl`: the "KL penalty" of RLHF summed token by token.  ``inf`` where
    the channel puts mass the reference forbids.  Units of ``base``.  Chapter 6.
    """
    lb = log_base(base)
    _, _, terms = _cc_terms(policy, channel, ref_channel)
    return np.maximum(terms, 0.0) / lb


def causally_conditioned_kl(policy, channel, ref_channel, base=2) -> float:
    r"""Causally conditioned relative entropy :math:`D\big(\pi(Y^n\|X^n) \,\|\, \pi_{\mathrm{ref}}(Y^n\|X^n)\big)`.

    .. math::

        D\big(\pi(Y^n\|X^n) \,\|\, \pi_{\mathrm{ref}}(Y^n\|X^n)\big)
        = \E\Big[\log \frac{\pi(Y^n\|X^n)}{\pi_{\mathrm{ref}}(Y^n\|X^n)}\Big]
        = \sum_{t=1}^n \E\, D\big(\pi(\cdot\mid X^t,Y^{t-1}) \,\|\, \pi_{\mathrm{ref}}(\cdot\mid X^t,Y^{t-1})\big),

    the expectation under the joint law with the input process ``policy``.  Because the input factors
    :math:`P(x_t \mid x^{t-1}, y^{t-1})` are shared, it *equals* the KL divergence between the two joint laws
    of :math:`(X^n, Y^n)`, with or without feedback.  Units of ``base``.  Chapter 6.
    """
    return float(per_token_kl(policy, channel, ref_channel, base).sum())


def causal_objective(policy, channel, ref_channel, reward, beta) -> float:
    r"""Objective :math:`\E[r] - \beta\,D\big(\pi(Y^n\|X^n)\,\|\,\pi_{\mathrm{ref}}(Y^n\|X^n)\big)` of the causal policy ``channel`` (reward units).

    The KL is in nats.  At most :func:`causal_gibbs`'s value, with gap :math:`\beta\, D(P_\pi \| P_{\pi^*})`.
    Chapter 6.
    """
    b = _check_beta(beta)
    P, _, terms = _cc_terms(policy, channel, ref_channel)
    r = _as_reward(reward, P.shape)
    return float((P * r).sum() - b * terms.sum())


def _no_feedback(pol: list[np.ndarray], n: int, name: str) -> None:
    for t in range(2, n + 1):
        k = pol[t - 1]
        yax = tuple(range(t - 1, 2 * (t - 1)))
        if not np.allclose(k, k.mean(axis=yax, keepdims=True), atol=1e-12):
            raise ValueError(f"{name}[{t - 1}] depends on past outputs (feedback); an anticipative policy needs inputs without feedback")


def anticipative_value(policy, ref_channel, reward, beta) -> float:
    r"""The value a *non-causal* policy would reach if it saw the whole input :math:`x^n` before answering.

    .. math:: V_{\mathrm{ant}} = \E_{X^n}\Big[\beta \log \sum_{y^n} \pi_{\mathrm{ref}}(y^n \| X^n)\, e^{r(X^n, y^n)/\beta}\Big]
              \;\ge\; V_{\mathrm{causal}} = \text{value of } \texttt{causal\_gibbs},

    equality when inputs are known in advance (a single prompt) or the reward makes the future irrelevant.
    Needs an input process without feedback.  Reward units.  Chapter 6.
    """
    pol, ref, n, xc, yc = _layout(policy, ref_channel, "policy", "ref_channel")
    _no_feedback(pol, n, "policy")
    b = _check_beta(beta)
    shape = tuple(xc) + tuple(yc)
    r = _as_reward(reward, shape)
    yax = tuple(range(n, 2 * n))
    px = directed.joint_law(pol, ref).sum(axis=yax)  # P(x^n): inputs without feedback
    logw = np.broadcast_to(_log_cc(ref, n), shape) + r / b
    per_x = b * logsumexp(logw, axis=yax)
    return float(np.sum(np.where(px > 0, px * per_x, 0.0)))


def causal_rate_reward_curve(policy, ref_channel, reward, betas, base=2) -> RateRewardCurve:
    r"""Rate-reward curve with a fixed reference LLM: :math:`\big(\E r,\ D(\pi^*_\beta(Y^n\|X^n)\,\|\,\pi_{\mathrm{ref}}(Y^n\|X^n))\big)` over ``betas``.

    Each point is the causal optimum :func:`causal_gibbs` at that :math:`\beta`; rates in units of ``base``.
    Chapter 6.
    """
    lb = log_base(base)
    bs = _betas(betas)
    rows = []
    for b in bs:
        g = causal_gibbs(policy, ref_channel, reward, b)
        rate = causally_conditioned_kl(policy, g.channel, ref_channel, base=math.e)
        rows.append(((g.law * _as_reward(reward, g.law.shape)).sum(), rate / lb))
    rows = np.array(rows)
    return RateRewardCurve(bs, rows[:, 0], rows[:, 1])


def _betas(betas) -> np.ndarray:
    bs = np.atleast_1d(as_float(betas, "betas"))
    if bs.ndim != 1 or bs.size == 0 or not np.all(np.isfinite(bs)) or np.any(bs <= 0):
        raise ValueError("betas must be a non-empty 1-D array of finite temperatures > 0")
    return bs


# ----------------------------------------------------------------------------------------------
# The directed rate-reward function
# ----------------------------------------------------------------------------------------------


class DirectedRateReward(NamedTuple):
    r"""A point of the directed rate-reward function (:func:`directed_rate_reward`).

    ``beta``; ``reward`` :math:`\E r`; ``rate`` :math:`I(X^n \to Y^n)` (units of ``base``); ``channel`` the optimal
    causal policy; ``law`` the joint law; ``lagrangian`` :math:`\E r - \beta I` (reward units, :math:`I` in nats);
    ``iterations``; ``converged``.
    """

    beta: float
    reward: float
    rate: float
    channel: list
    law: np.ndarray
    lagrangian: float
    iterations: int
    converged: bool


def _output_kernels(P: np.ndarray, n: int, yc: list[int]) -> list[np.ndarray]:
    """Input-blind causal law P(y_t | y^{t-1}) of a joint law, as channel kernels with X axes of length 1."""
    PY = P.sum(axis=tuple(range(n)))
    out = []
    for t in range(1, n + 1):
        m = PY.sum(axis=tuple(range(t, n))) if t < n else PY
        den = m.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            k = np.where(den > 0, m / np.where(den > 0, den, 1.0), 1.0 / yc[t - 1])
        out.append(k.reshape((1,) * t + k.shape))
    return out


def directed_rate_reward(policy, reward, beta, base=2, *, tol=1e-10, max_iter=5000, init=None) -> DirectedRateReward:
    r"""A point of the directed rate-reward function, :math:`\max_{\pi}\ \E[r] - \beta\, I(X^n \to Y^n)` over causal policies.

    .. math::

        R_{\mathrm{DI}}(\rho) = \min_{\pi(y^n \| x^n)\,:\ \E r \ge \rho} I(X^n \to Y^n),\qquad
        I(X^n \to Y^n) = \min_{q(y^n) = \prod_t q(y_t \mid y^{t-1})} D\big(\pi(Y^n\|X^n) \,\|\, q(Y^n)\big),

    the minimum attained by the output's own causal law :math:`P(y_t \mid y^{t-1})`.  So the directed rate is
    the KL rate of :func:`causal_gibbs` with the *best reference that ignores the input*, and the optimum is
    found by alternating maximisation of :math:`\E r - \beta D(\pi \| q)`: the soft value recursion with
    reference :math:`q` (:func:`causal_gibbs`), then :math:`q \leftarrow P_\pi(y_t \mid y^{t-1})`.  Each step
    cannot decrease the Lagrangian; it stops when the gain is below ``tol`` (reward units).  For an input
    process without feedback the problem is convex and the limit is the optimum.  ``init``: starting
    reference kernels (default uniform).  For :math:`n = 1` this is the mutual-information rate-reward
    function (a Blahut–Arimoto iteration).  Rate in units of ``base``.  Chapter 6.
    """
    lb = log_base(base)
    if isinstance(beta, (int, float, np.integer, np.floating)) and not isinstance(beta, bool) and beta == 0:
        raise ValueError("beta = 0 is the greedy end of the directed rate-reward curve (no rate penalty), where "
                         "the optimal causal policy is in general not unique; use a small beta > 0")
    b = _check_beta(beta)
    tol = check_positive(tol, "tol")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    pol = _kernels(policy, "policy")
    n = len(pol)
    xc = [k.shape[-1] for k in pol]
    reward = as_float(reward, "reward")
    shape_r = reward.shape
    if len(shape_r) != 2 * n:
        raise ValueError(f"reward must have 2n = {2 * n} axes (X_1..X_n, Y_1..Y_n), got shape {shape_r}")
    yc = [int(s) for s in shape_r[n:]]
    if any(s < 1 for s in yc):
        raise ValueError("reward must spell out every output axis Y_1..Y_n")
    q = [np.full((1,) * t + tuple(yc[: t - 1]) + (yc[t - 1],), 1.0 / yc[t - 1]) for t in range(1, n + 1)] if init is None else _kernels(init, "init", n)
    prev = -math.inf
    it, converged = 0, False
    while it < max_iter:
        it += 1
        g = causal_gibbs(pol, q, reward, b)
        q = _output_kernels(g.law, n, yc)
        # value after the q-step: E r - beta * I (the best reference for this policy)
        di = directed.directed_information(g.law, base=math.e)
        val = float((g.law * _as_reward(reward, g.law.shape)).sum() - b * di)
        if val - prev <= tol:
            converged = True
            break
        prev = val
    return DirectedRateReward(
        beta=b,
        reward=float((g.law * _as_reward(reward, g.law.shape)).sum()),
        rate=di / lb,
        channel=g.channel,
        law=g.law,
        lagrangian=val,
        iterations=it,
        converged=converged,
    )


def directed_rate_reward_curve(policy, reward, betas, base=2, *, tol=1e-10, max_iter=5000) -> RateRewardCurve:
    r"""Trace the directed rate-reward function :math:`(\E r, I(X^n\to Y^n))` over ``betas`` (see :func:`directed_rate_reward`).

    Each point is warm-started from the previous one's output law.  Rates in units of ``base``.  Chapter 6.
    """
    log_base(base)
    bs = _betas(betas)
    rows, init = [], None
    for b in bs:
        pt = directed_rate_reward(policy, reward, b, base, tol=tol, max_iter=max_iter, init=init)
        n = len(pt.channel)
        yc = [k.shape[-1] for k in pt.channel]
        init = _output_kernels(pt.law, n, yc)
        rows.append((pt.reward, pt.rate))
    rows = np.array(rows)
    return RateRewardCurve(bs, rows[:, 0], rows[:, 1])


# ----------------------------------------------------------------------------------------------
# The token-level optimum of a prompt-then-generate task, as a LanguageModel
# ----------------------------------------------------------------------------------------------


def _check_lm(model, name: str = "ref") -> _channel.LanguageModel:
    if not isinstance(model, _channel.LanguageModel):
        raise ValueError(f"{name} must be a semtheory.channel.LanguageModel, got {type(model).__name__}")
    return model


class GibbsLM(_channel.LanguageModel):
    r"""The KL-regularised optimum of a reference LM for a reward on the next ``n`` tokens, token by token.

    For contexts ``prompt + y^{t-1}`` with :math:`t \le n` the next-token law is

    .. math::

        \pi^*(y_t \mid y^{t-1}) = \pi_{\mathrm{ref}}(y_t \mid y^{t-1})\, \exp\big(V_t(y^t) - V_{t-1}(y^{t-1})\big)/\beta,
        \qquad V_n = r,\quad V_{t-1}(y^{t-1}) = \beta \log \sum_{y_t} \pi_{\mathrm{ref}}(y_t \mid y^{t-1})\, e^{V_t(y^t)/\beta},

    the soft value recursion, so that :math:`\pi^*(y^n) = \pi_{\mathrm{ref}}(y^n)e^{r(y^n)/\beta}/Z` exactly
    (:func:`sequence_gibbs`); any other context gets the reference's law.  ``reward``: a table of shape
    ``(V,)*n`` or a callable (see :func:`reward_table`).  Attributes: ``value`` :math:`= V_0 = \beta \log Z`
    (reward units), ``log_partition`` :math:`\log Z`, ``values`` (list of the tables :math:`V_t`, reward units).
    Being a :class:`~semtheory.channel.LanguageModel` it can be sampled and enumerated.  Chapter 6.
    """

    def __init__(self, ref, reward, n, beta, *, prompt: Sequence[int] = ()):
        self.ref = _check_lm(ref)
        self.vocab_size = V = ref.vocab_size
        self.n = n = check_int(n, "n", minimum=1)
        self.beta = b = _check_beta(beta)
        self.prompt = tuple(int(v) for v in ref._check_tokens(prompt, "prompt"))
        self.reward = reward_table(reward, V, n)
        # log pi_ref(. | prompt, y^t) for every prefix y^t, t = 0..n-1: tables (V,)*t + (V,)
        self._logref = []
        for t in range(n):
            prefixes = np.indices((V,) * t).reshape(t, -1).T if t else np.zeros((1, 0), dtype=np.int64)
            rows = np.stack([_checked(ref.next_token_logprobs(np.array(self.prompt + tuple(int(v) for v in p), dtype=np.int64)), V) for p in prefixes])
            self._logref.append(rows.reshape((V,) * t + (V,)))
        U = [None] * (n + 1)
        U[n] = self.reward / b
        for t in range(n - 1, -1, -1):
            U[t] = logsumexp(self._logref[t] + U[t + 1], axis=-1)
        self._U = U
        self.log_partition = float(U[0])
        self.value = b * self.log_partition
        self.values = [b * u for u in U]

    def next_token_logprobs(self, context):
        ctx = self._check_tokens(context, "context")
        k = len(self.prompt)
        if len(ctx) >= k and tuple(int(v) for v in ctx[:k]) == self.prompt and len(ctx) - k < self.n:
            y = tuple(int(v) for v in ctx[k:])
            t = len(y)
            return self._logref[t][y] + self._U[t + 1][y] - self._U[t][y]
        return self.ref.next_token_logprobs(ctx)


def _checked(lp, V: int) -> np.ndarray:
    lp = as_float(lp, "lp")
    if lp.shape != (V,) or np.isnan(lp).any() or abs(logsumexp(lp)) > 1e-9:
        raise ValueError("ref.next_token_logprobs must return a normalised log-pmf of shape (vocab_size,)")
    return lp


def sequence_gibbs(ref, reward, n, beta, *, prompt: Sequence[int] = ()) -> np.ndarray:
    r"""The sequence-level Gibbs optimum :math:`\pi^*(y^n) = \pi_{\mathrm{ref}}(y^n \mid \text{prompt})\, e^{r(y^n)/\beta} / Z`.

    A table of shape ``(V,)*n`` computed from :func:`semtheory.channel.sequence_law` in the log domain; equal
    to the law of :class:`GibbsLM` (the token-level form).  Chapter 6.
    """
    _check_lm(ref)
    b = _check_beta(beta)
    n = check_int(n, "n", minimum=1)
    law = _channel.sequence_law(ref, n, prompt=prompt)
    r = reward_table(reward, ref.vocab_size, n)
    s = _log(law) + r / b
    return np.exp(s - logsumexp(s))


# ==============================================================================================
# DPO: implicit reward, Bradley–Terry preferences, the DPO loss
# ==============================================================================================


def implicit_reward(logpolicy, logref, beta) -> np.ndarray:
    r"""DPO's implicit reward :math:`\hat r = \beta \log \frac{\pi(y)}{\pi_{\mathrm{ref}}(y)}` from natural-log probabilities.

    For the Gibbs optimum :math:`\hat r = r - \beta \log Z` (per prompt): the reward up to a constant, which
    Bradley–Terry preferences cannot see.  ``inf``/``nan`` entries are not allowed where the reference has
    mass; entries with both log-probabilities :math:`-\infty` give :math:`-\infty`.  Reward units.  Chapter 6.
    """
    lp = _as_logs(logpolicy, "logpolicy")
    lr = _as_logs(logref, "logref")
    if lp.shape != lr.shape:
        raise ValueError(f"logpolicy and logref must have the same shape, got {lp.shape} and {lr.shape}")
    b = _check_beta(beta)
    both = np.isneginf(lp) & np.isneginf(lr)
    if np.any(np.isneginf(lr) & ~np.isneginf(lp)):
        raise ValueError("logpolicy puts mass where logref has none (infinite implicit reward)")
    with np.errstate(invalid="ignore"):
        return np.where(both, -np.inf, b * (lp - np.where(both, 0.0, lr)))


def _as_logs(x, name: str) -> np.ndarray:
    try:
        a = as_float(x, name)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of log-probabilities") from None
    if a.size == 0 or np.isnan(a).any() or np.isposinf(a).any() or np.any(a > 1e-9):
        raise ValueError(f"{name} must hold log-probabilities (<= 0, no NaN)")
    return a


def bradley_terry(reward_a, reward_b):
    r"""Bradley–Terry probability that :math:`a` is preferred: :math:`P(a \succ b) = \sigma(r_a - r_b) = 1/(1 + e^{r_b - r_a})`.

    Vectorised; invariant under adding a constant to both rewards.  Chapter 6.
    """
    ra = as_float(reward_a, "reward_a")
    rb = as_float(reward_b, "reward_b")
    if not (np.all(np.isfinite(ra)) and np.all(np.isfinite(rb))):
        raise ValueError("reward_a and reward_b must be finite")
    out = expit(ra - rb)
    return float(out) if np.ndim(out) == 0 else out


class PreferenceData(NamedTuple):
    """A preference data set: for each pair, the ``prompts`` index, the ``chosen`` and the ``rejected`` response."""

    prompts: np.ndarray
    chosen: np.ndarray
    rejected: np.ndarray


def _ref2d(ref, reward, name="ref") -> tuple[np.ndarray, np.ndarray]:
    """(ref as a (prompts, K) table, reward broadcast to it)."""
    P = as_stochastic(ref, name)
    if P.ndim not in (1, 2):
        raise ValueError(f"{name} must be a pmf (K,) or a table (prompts, K), got shape {P.shape}")
    r = np.array(_as_reward(reward, P.shape), dtype=float)
    return np.atleast_2d(P), np.atleast_2d(r)


def sample_preferences(ref, reward, n_pairs, *, prompt_law=None, seed=None) -> PreferenceData:
    r"""Sample ``n_pairs`` Bradley–Terry comparisons of two responses drawn from the reference.

    For each pair: a prompt :math:`x \sim` ``prompt_law`` (uniform by default), two responses
    :math:`y, y' \sim \pi_{\mathrm{ref}}(\cdot \mid x)` independently, and :math:`y` is *chosen* with probability
    :math:`\sigma(r(x,y) - r(x,y'))` (:func:`bradley_terry`).  ``ref`` is ``(K,)`` or ``(prompts, K)``;
    ``reward`` broadcastable to it.  With the implicit reward of the Gibbs optimum as ``reward`` this samples
    the optimum's own Bradley–Terry model.  Deterministic under ``seed``.  Chapter 6.
    """
    P, r = _ref2d(ref, reward)
    m = check_int(n_pairs, "n_pairs", minimum=1)
    X, K = P.shape
    w = np.full(X, 1.0 / X) if prompt_law is None else as_pmf(prompt_law, "prompt_law", ndim=1)
    if w.size != X:
        raise ValueError(f"prompt_law must have {X} entries, got {w.size}")
    rng = as_rng(seed)
    x = rng.choice(X, size=m, p=w)
    cdf = np.cumsum(P, axis=1)
    cdf[:, -1] = 1.0
    y1 = (rng.random(m)[:, None] > cdf[x]).sum(axis=1)
    y2 = (rng.random(m)[:, None] > cdf[x]).sum(axis=1)
    first = rng.random(m) < expit(r[x, y1] - r[x, y2])
    return PreferenceData(x, np.where(first, y1, y2), np.where(first, y2, y1))


def _check_data(data, X: int, K: int) -> PreferenceData:
    if not isinstance(data, PreferenceData):
        raise ValueError("data must be a PreferenceData(prompts, chosen, rejected)")
    arrs = [np.asarray(a) for a in data]
    if any(a.ndim != 1 for a in arrs) or len({a.size for a in arrs}) != 1 or arrs[0].size == 0:
        raise ValueError("data must hold three 1-D integer arrays of the same positive length")
    for a, hi, nm in zip(arrs, (X, K, K), ("prompts", "chosen", "rejected")):
        if a.dtype.kind not in "iu" or a.min() < 0 or a.max() >= hi:
            raise ValueError(f"data.{nm} must hold integer indices in [0, {hi})")
    return PreferenceData(*arrs)


def dpo_loss(logpolicy, logref, data, beta) -> float:
    r"""The DPO loss on a preference data set (nats per pair).

    .. math::

        L(\pi) = -\frac1m \sum_{i=1}^m \log \sigma\Big(\beta \log\frac{\pi(y^w_i \mid x_i)}{\pi_{\mathrm{ref}}(y^w_i \mid x_i)}
        - \beta \log\frac{\pi(y^l_i \mid x_i)}{\pi_{\mathrm{ref}}(y^l_i \mid x_i)}\Big),

    the Bradley–Terry negative log-likelihood with the implicit reward of :math:`\pi` as the reward
    (Rafailov et al. 2023).  ``logpolicy``, ``logref``: ``(K,)`` or ``(prompts, K)`` natural-log tables.
    A pair whose chosen response has probability 0 under the policy gives ``inf``; a response compared with
    itself contributes :math:`\log 2`; two distinct responses both of policy probability 0 are undefined
    (``ValueError``) unless another pair already makes the loss infinite.  Chapter 6.
    """
    lp = np.atleast_2d(_as_logs(logpolicy, "logpolicy"))
    lr = np.atleast_2d(_as_logs(logref, "logref"))
    if lp.shape != lr.shape:
        raise ValueError(f"logpolicy and logref must have the same shape, got {lp.shape} and {lr.shape}")
    b = _check_beta(beta)
    d = _check_data(data, *lp.shape)
    h = implicit_reward(lp, lr, b)
    same = d.chosen == d.rejected  # a response against itself: difference 0, even where its reward is -inf
    with np.errstate(invalid="ignore"):
        z = np.where(same, 0.0, h[d.prompts, d.chosen] - h[d.prompts, d.rejected])
        terms = np.logaddexp(0.0, -z)
    return _softplus_total(terms, "a pair of data", np.mean)


def _softplus_total(terms: np.ndarray, where: str, reduce) -> float:
    """``reduce(terms)`` for non-negative terms; a NaN term (two responses of probability 0 under the policy,
    implicit rewards -inf - (-inf)) lies in [0, inf], so the total is inf if another term is inf, else undefined."""
    bad = np.isnan(terms)
    if not bad.any():
        return float(reduce(terms))
    if np.isposinf(terms[~bad]).any():
        return math.inf
    raise ValueError(f"logpolicy gives probability 0 to both responses of {where} (implicit rewards -inf - (-inf)): "
                     "the DPO loss is undefined")


def expected_dpo_loss(logpolicy, ref, reward, beta, *, prompt_law=None) -> float:
    r"""The population DPO loss: the expectation of :func:`dpo_loss` under :func:`sample_preferences`'s law.

    .. math::

        \bar L(\pi) = \E_x \sum_{y, y'} \pi_{\mathrm{ref}}(y|x)\,\pi_{\mathrm{ref}}(y'|x)\,
        \Big[\sigma(\Delta r)\, \mathrm{softplus}(-\Delta \hat r_\pi) + \sigma(-\Delta r)\, \mathrm{softplus}(\Delta \hat r_\pi)\Big],

    with :math:`\Delta r = r(x,y) - r(x,y')` and :math:`\Delta\hat r_\pi` the same difference of the implicit reward,

    minimised exactly when :math:`\hat r_\pi = r + c(x)` on the support, i.e. at the Gibbs optimum.  Nats.
    A policy of probability 0 on a response the reference supports gives ``inf`` (no NaN), as in :func:`dpo_loss`.
    Chapter 6.
    """
    P, r = _ref2d(ref, reward)
    lp = np.atleast_2d(_as_logs(logpolicy, "logpolicy"))
    if lp.shape != P.shape:
        raise ValueError(f"logpolicy must have shape {P.shape}, got {lp.shape}")
    b = _check_beta(beta)
    X = P.shape[0]
    w = np.full(X, 1.0 / X) if prompt_law is None else as_pmf(prompt_law, "prompt_law", ndim=1)
    if w.size != X:
        raise ValueError(f"prompt_law must have {X} entries, got {w.size}")
    with np.errstate(invalid="ignore"):
        h = np.where(P > 0, b * (lp - _log(np.where(P > 0, P, 1.0))), 0.0)
    same = np.eye(P.shape[1], dtype=bool)[None]  # y against itself: difference 0, even where h(y) = -inf
    with np.errstate(invalid="ignore"):
        dz = np.where(same, 0.0, h[:, :, None] - h[:, None, :])
        pref = expit(r[:, :, None] - r[:, None, :])
        pair = P[:, :, None] * P[:, None, :]
        terms = np.where(pair > 0, pair * (pref * np.logaddexp(0.0, -dz) + (1.0 - pref) * np.logaddexp(0.0, dz)), 0.0)
    return _softplus_total(np.where(w[:, None, None] > 0, w[:, None, None] * terms, 0.0),  # prompts of probability 0 do not count
                           "two responses the reference supports", np.sum)


class DPOFit(NamedTuple):
    """Result of :func:`fit_dpo`: the fitted natural-log ``logpolicy`` (prompts, K) and the training ``losses``."""

    logpolicy: np.ndarray
    losses: np.ndarray


def fit_dpo(logref, data, beta, *, steps=400, lr=0.1, seed=0) -> DPOFit:
    r"""Fit a tabular policy :math:`\pi_\theta(y|x) = \softmax(\theta_x)_y` by minimising :func:`dpo_loss` with torch.

    Returns log-probabilities with the shape of ``logref`` (``(K,)`` or ``(prompts, K)``).  Full-batch Adam (written out) on
    CPU in float64 (``steps`` iterations, learning rate ``lr``), started at the reference
    plus a small perturbation drawn from ``torch.Generator().manual_seed(seed)``: deterministic under
    ``seed``.  The loss is evaluated on the pair counts, so its cost does not grow with the data.  With
    enough preference data from the Gibbs optimum's Bradley–Terry model the fit recovers
    :math:`\pi^*_\beta`.  ``logref`` must have full support.  Chapter 6.
    """
    import torch

    lr_ = np.atleast_2d(_as_logs(logref, "logref"))
    if not np.all(np.isfinite(lr_)):
        raise ValueError("logref must give every response positive probability for fit_dpo")
    if np.any(np.abs(logsumexp(lr_, axis=1)) > 1e-9):
        raise ValueError("logref must be a normalised log-pmf on each row")
    b = _check_beta(beta)
    steps = check_int(steps, "steps", minimum=1)
    lr = check_positive(lr, "lr")
    seed = check_int(seed, "seed", minimum=0)
    X, K = lr_.shape
    d = _check_data(data, X, K)
    counts = np.zeros((X, K, K))
    np.add.at(counts, (d.prompts, d.chosen, d.rejected), 1.0)
    counts /= counts.sum()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: thread start-up would dominate; restored below
    try:
        return _adam_dpo(torch, lr_, counts, b, steps, lr, seed, np.ndim(logref) == 1)
    finally:
        torch.set_num_threads(threads)


def _adam_dpo(torch, lr_, counts, b, steps, lr, seed, one_d) -> DPOFit:
    # Adam (Kingma & Ba 2015) written out: torch.optim's first use imports the compiler stack (seconds)
    X, K = lr_.shape
    gen = torch.Generator().manual_seed(seed)
    ref_t = torch.tensor(lr_, dtype=torch.float64)
    theta = (ref_t + 0.01 * torch.randn(X, K, generator=gen, dtype=torch.float64)).requires_grad_(True)
    C = torch.tensor(counts, dtype=torch.float64)
    m1, m2 = torch.zeros_like(theta), torch.zeros_like(theta)
    b1, b2, eps = 0.9, 0.999, 1e-8
    losses = np.empty(steps)
    for i in range(steps):
        logpi = torch.log_softmax(theta, dim=1)
        h = b * (logpi - ref_t)
        z = h[:, :, None] - h[:, None, :]
        loss = (C * torch.nn.functional.softplus(-z)).sum()
        (g,) = torch.autograd.grad(loss, theta)
        with torch.no_grad():
            m1.mul_(b1).add_(g, alpha=1 - b1)
            m2.mul_(b2).addcmul_(g, g, value=1 - b2)
            step = lr * (m1 / (1 - b1 ** (i + 1))) / ((m2 / (1 - b2 ** (i + 1))).sqrt() + eps)
            theta -= step
        losses[i] = float(loss.detach())
    with torch.no_grad():
        out = torch.log_softmax(theta, dim=1).numpy().copy()
    return DPOFit(out[0] if one_d else out, losses)


class ARDPOFit(NamedTuple):
    r"""Result of :func:`fit_dpo_autoregressive`.

    ``kernels[t, c, v]`` = :math:`\log\pi_\theta(y_{t+1} = v \mid \text{position } t+1,\ y_t = c)` (natural log; at the
    first position the row ``c = first`` is used), ``logpolicy`` the induced natural-log law of the
    :math:`V^n` sequences (row-major, as :func:`semtheory.channel.sequence_law` ravels), ``losses`` the
    training losses."""

    kernels: np.ndarray
    logpolicy: np.ndarray
    losses: np.ndarray


def _ar_index(V: int, n: int, first: int) -> tuple[np.ndarray, np.ndarray]:
    """For every sequence (row-major), the (context, token) index at each position: shapes (V^n, n)."""
    seqs = np.array(list(np.ndindex(*((V,) * n))), dtype=np.int64).reshape(-1, n)
    prev = np.concatenate([np.full((seqs.shape[0], 1), first, dtype=np.int64), seqs[:, :-1]], axis=1)
    return prev, seqs


def fit_dpo_autoregressive(logref, data, beta, n, vocab_size, *, first=0, steps=400, lr=0.1, seed=0) -> ARDPOFit:
    r"""Fit an autoregressive, per-token policy by DPO: :math:`\pi_\theta(y^n) = \prod_t \softmax(\theta_{t, y_{t-1}})_{y_t}`.

    The policy is a position-dependent first-order model: one logit vector per (position :math:`t`, previous
    token :math:`y_{t-1}`), with :math:`y_0` = ``first`` (the last prompt token), so :math:`n V^2` logits instead of
    a table over the :math:`V^n` sequences.  Its sequence log-probability is the sum of the per-token
    log-softmaxes, and the DPO loss (:func:`dpo_loss`) is the one of the induced sequence law against
    ``logref`` (natural logs over the :math:`V^n` sequences, row-major; full support).  ``data`` indexes sequences
    (one prompt).  Full-batch Adam in float64 on CPU, started at the reference's own per-token conditionals
    :math:`\pi_{\mathrm{ref}}(y_t \mid t, y_{t-1})` plus a perturbation from ``torch.Generator().manual_seed(seed)``:
    deterministic under ``seed``.  When the Gibbs optimum lies in this family (for instance a first-order
    Markov reference with a reward that adds per-token terms and a last-token term) the fit can recover it
    exactly.  Chapter 6.
    """
    import torch

    V = check_int(vocab_size, "vocab_size", minimum=2, maximum=64)
    n = check_int(n, "n", minimum=1, maximum=12)
    first = check_int(first, "first", minimum=0, maximum=V - 1)
    if V**n > 2**16:
        raise ValueError(f"vocab_size**n = {V**n} sequences is too many for fit_dpo_autoregressive")
    lref = _as_logs(logref, "logref")
    if lref.shape != (V**n,):
        raise ValueError(f"logref must hold the log-probabilities of the {V**n} sequences, got shape {lref.shape}")
    if not np.all(np.isfinite(lref)) or abs(logsumexp(lref)) > 1e-9:
        raise ValueError("logref must be a normalised log-pmf with full support")
    b = _check_beta(beta)
    if b == 0.0:
        raise ValueError("beta must be > 0 for fit_dpo_autoregressive")
    steps = check_int(steps, "steps", minimum=1)
    lr = check_positive(lr, "lr")
    seed = check_int(seed, "seed", minimum=0)
    d = _check_data(data, 1, V**n)
    counts = np.zeros((V**n, V**n))
    np.add.at(counts, (d.chosen, d.rejected), 1.0)
    counts /= counts.sum()
    prev, tok = _ar_index(V, n, first)
    # the reference's per-token conditionals pi_ref(y_t | t, y_{t-1}) (exact for a Markov reference)
    pref = np.exp(lref)
    init = np.zeros((n, V, V))
    for t in range(n):
        joint = np.zeros((V, V))
        np.add.at(joint, (prev[:, t], tok[:, t]), pref)
        init[t] = np.log(np.maximum(joint, 1e-300)) - np.log(np.maximum(joint.sum(axis=1, keepdims=True), 1e-300))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        gen = torch.Generator().manual_seed(seed)
        theta = torch.tensor(init, dtype=torch.float64)
        theta = (theta + 0.01 * torch.randn(theta.shape, generator=gen, dtype=torch.float64)).requires_grad_(True)
        P_t, T_t = torch.tensor(prev), torch.tensor(tok)
        pos = torch.arange(n).expand_as(P_t)
        ref_t, C = torch.tensor(lref, dtype=torch.float64), torch.tensor(counts, dtype=torch.float64)
        m1, m2 = torch.zeros_like(theta), torch.zeros_like(theta)
        b1, b2, eps = 0.9, 0.999, 1e-8
        losses = np.empty(steps)

        def seq_logpi(th):
            return torch.log_softmax(th, dim=2)[pos, P_t, T_t].sum(dim=1)

        for i in range(steps):
            h = b * (seq_logpi(theta) - ref_t)
            loss = (C * torch.nn.functional.softplus(-(h[:, None] - h[None, :]))).sum()
            (g,) = torch.autograd.grad(loss, theta)
            with torch.no_grad():
                m1.mul_(b1).add_(g, alpha=1 - b1)
                m2.mul_(b2).addcmul_(g, g, value=1 - b2)
                theta -= lr * (m1 / (1 - b1 ** (i + 1))) / ((m2 / (1 - b2 ** (i + 1))).sqrt() + eps)
            losses[i] = float(loss.detach())
        with torch.no_grad():
            kern = torch.log_softmax(theta, dim=2).numpy().copy()
            lp = seq_logpi(theta).numpy().copy()
    finally:
        torch.set_num_threads(threads)
    return ARDPOFit(kern, lp, losses)


# ----------------------------------------------------------------------------------------------
# Best-of-n on the rate-reward plane
# ----------------------------------------------------------------------------------------------


class BestOfN(NamedTuple):
    r"""Best-of-:math:`n` policies on the rate-reward plane: for each ``ns[i]``, the expected ``rewards`` and
    the ``rates`` :math:`D(\pi_n \| \pi_{\mathrm{ref}})` (units of ``base``), and the ``bounds``
    :math:`\log n - (n-1)/n` (units of ``base``)."""

    ns: np.ndarray
    rewards: np.ndarray
    rates: np.ndarray
    bounds: np.ndarray


def best_of_n_policy(ref, reward, n) -> np.ndarray:
    r"""The law :math:`\pi_n` of the best of ``n`` independent draws from ``ref`` (ties broken by index).

    Order the responses by reward (equal rewards by index) and let :math:`F(y)` be the reference mass of
    responses up to and including :math:`y` in that order, :math:`F(y^-)` the mass before it.  The best of
    :math:`n` draws is :math:`y` with probability :math:`\pi_n(y) = F(y)^n - F(y^-)^n`.  ``ref`` a 1-D pmf,
    ``reward`` finite, ``n >= 1`` (``n = 1`` is the reference).  Chapter 6.
    """
    P, r = _bandit(ref, reward)
    n = check_int(n, "n", minimum=1, maximum=10**9)
    order = np.lexsort((np.arange(P.size), r))  # by reward, then by index
    F = np.cumsum(P[order])
    F[-1] = 1.0
    Fm = np.concatenate([[0.0], F[:-1]])
    out = np.empty_like(P)
    out[order] = F**n - Fm**n
    return np.clip(out, 0.0, None)


def best_of_n_kl_bound(n, base=2) -> float:
    r"""The bound :math:`D(\pi_n \| \pi_{\mathrm{ref}}) \le \log n - (n-1)/n` on the best-of-:math:`n` divergence.

    Equality holds for a continuous reward distribution (no ties); :func:`best_of_n_policy` of any finite
    reference stays below it (Beirami et al. 2024; the formula is from Stiennon et al. 2020).  Units of
    ``base``.  Chapter 6.
    """
    n = check_int(n, "n", minimum=1, maximum=10**9)
    return (math.log(n) - (n - 1) / n) / log_base(base)


def best_of_n_curve(ref, reward, ns, base=2) -> BestOfN:
    r"""Best-of-:math:`n` points :math:`(\E_{\pi_n} r,\ D(\pi_n\|\pi_{\mathrm{ref}}))` for each ``n`` in ``ns``, with the bound.

    Every point lies on or above the rate-reward function :func:`rate_reward` (which is the least divergence
    at its reward) and at or below :func:`best_of_n_kl_bound` in rate.  Rates in units of ``base``.  Chapter 6.
    """
    lb = log_base(base)
    P, r = _bandit(ref, reward)
    arr = np.atleast_1d(as_float(ns, "ns"))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("ns must be a non-empty 1-D array of integers >= 1")
    ks = np.array([check_int(int(k) if float(k).is_integer() else k, "ns", minimum=1) for k in arr])
    rew, rates = np.empty(ks.size), np.empty(ks.size)
    for i, k in enumerate(ks):
        q = best_of_n_policy(P, r, int(k))
        fin = q > 0
        rew[i] = float(q @ r)
        rates[i] = max(float(np.sum(q[fin] * np.log(q[fin] / P[fin]))), 0.0) / lb
    return BestOfN(ks, rew, rates, np.array([best_of_n_kl_bound(int(k), base) for k in ks]))


class ProxyCurve(NamedTuple):
    r"""Optimising a proxy reward: for each temperature in ``betas`` (or each ``n`` of best-of-:math:`n`), the
    ``rates`` :math:`D(\pi\|\pi_{\mathrm{ref}})` (units of ``base``), the ``proxy`` reward the policy was optimised
    for and the ``true`` reward it earns."""

    betas: np.ndarray
    rates: np.ndarray
    proxy: np.ndarray
    true: np.ndarray


def proxy_reward_curve(ref, true_reward, proxy_reward, betas, base=2, *, best_of_n=False) -> ProxyCurve:
    r"""Reward over-optimisation: the Gibbs (or best-of-:math:`n`) policies of a *proxy* reward, scored by the true one.

    For each :math:`\beta` in ``betas``, :math:`\pi_\beta \propto \pi_{\mathrm{ref}} e^{\hat r/\beta}` with
    :math:`\hat r` = ``proxy_reward``; with ``best_of_n=True`` the entries of ``betas`` are the integers
    :math:`n` and :math:`\pi` is :func:`best_of_n_policy` of the proxy.  Returns :class:`ProxyCurve` with
    :math:`\E_\pi \hat r`, :math:`\E_\pi r` and :math:`D(\pi \| \pi_{\mathrm{ref}})`.  Along the Gibbs path the proxy
    reward is non-decreasing in the divergence (:func:`rate_reward_curve`); the true reward need not be
    (Gao et al. 2023).  Rates in units of ``base``.  Chapter 6.
    """
    lb = log_base(base)
    P, r = _bandit(ref, true_reward, "true_reward")
    rh = np.array(_as_reward(proxy_reward, P.shape, "proxy_reward"), dtype=float)
    best_of_n = check_flag(best_of_n, "best_of_n")
    bs = np.atleast_1d(as_float(betas, "betas"))
    if bs.ndim != 1 or bs.size == 0 or not np.all(np.isfinite(bs)) or np.any(bs < 0):
        raise ValueError("betas must be a non-empty 1-D array of finite values >= 0")
    rates, prox, true = np.empty(bs.size), np.empty(bs.size), np.empty(bs.size)
    for i, b in enumerate(bs):
        if best_of_n:
            if not float(b).is_integer() or b < 1:
                raise ValueError("betas must hold integers n >= 1 when best_of_n=True")
            q = best_of_n_policy(P, rh, int(b))
        else:
            q = np.exp(_tilt(_log(P), rh, math.inf if b == 0 else 1.0 / b)[0])
        fin = q > 0
        rates[i] = max(float(np.sum(q[fin] * np.log(q[fin] / P[fin]))), 0.0) / lb
        prox[i], true[i] = float(q @ rh), float(q @ r)
    return ProxyCurve(bs, rates, prox, true)
