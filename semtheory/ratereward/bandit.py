"""A single decision (a bandit): the KL-regularised objective and its Gibbs optimum (chapter 6)."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import logsumexp

from ..core.types import ArrayLike, FloatArray, SeedLike
from .._validate import as_float, as_pmf, as_rng, as_stochastic, check_int
from ._common import as_ref, as_reward, check_kl_weight, check_kl_weight0, log, tilt


def gibbs_logpolicy(ref: ArrayLike, reward: ArrayLike, kl_weight: float) -> np.ndarray:
    r"""Natural-log Gibbs optimum :math:`\log \pi^*_\beta = \log \pi_{\mathrm{ref}} + r/\beta - \log Z`.

    .. math:: \pi^*_\beta(y) = \frac{\pi_{\mathrm{ref}}(y)\, e^{r(y)/\beta}}{Z},\qquad
              Z = \E_{\pi_{\mathrm{ref}}}\big[e^{r/\beta}\big].

    ``ref`` is a pmf over its last axis (leading axes index prompts: ``ref[x, y]`` :math:`= \pi_{\mathrm{ref}}(y|x)`),
    ``reward`` broadcastable to it (finite), ``kl_weight`` >= 0 (reward units per nat).  Responses with
    :math:`\pi_{\mathrm{ref}} = 0` keep log-probability :math:`-\infty`.  Computed with ``logsumexp``, so any
    :math:`\beta > 0` is safe; ``kl_weight = 0`` is the greedy limit, the reference restricted to its best
    responses :math:`A^*` (the end of the rate-reward curve with the largest reward).  Chapter 6.

    Parameters
    ----------
    ref : array_like, shape (..., K)
        The reference policy, a pmf over its last axis (leading axes index prompts).
    reward : array_like
        A finite reward per response, broadcastable to ``ref`` (reward units).
    kl_weight : float
        The KL weight :math:`\beta \ge 0` (a temperature, reward units per nat); 0 is the greedy limit.

    Returns
    -------
    numpy.ndarray, shape of ``ref``
        :math:`\log \pi^*_\beta` in nats (natural logarithms), :math:`-\infty` off the reference's support.

    Examples
    --------
    >>> import numpy as np
    >>> from semtheory.ratereward import gibbs_logpolicy
    >>> np.round(np.exp(gibbs_logpolicy([0.5, 0.5], [0.0, 1.0], 1.0)), 4)
    array([0.2689, 0.7311])
    """
    P = as_ref(ref)
    r = as_reward(reward, P.shape)
    b = check_kl_weight0(kl_weight)
    return tilt(log(P), r, math.inf if b == 0 else 1.0 / b)[0]


def gibbs_policy(ref: ArrayLike, reward: ArrayLike, kl_weight: float) -> np.ndarray:
    r"""Gibbs optimum :math:`\pi^*_\beta \propto \pi_{\mathrm{ref}} e^{r/\beta}` of :func:`kl_objective` (probabilities).

    See :func:`gibbs_logpolicy`.  :math:`\beta \to 0`: the reference restricted to its best responses;
    :math:`\beta \to \infty`: the reference itself.  Chapter 6.

    Parameters
    ----------
    ref : array_like, shape (..., K)
        The reference policy, a pmf over its last axis (leading axes index prompts).
    reward : array_like
        A finite reward per response, broadcastable to ``ref`` (reward units).
    kl_weight : float
        The KL weight :math:`\beta \ge 0` (reward units per nat); 0 is the greedy limit.

    Returns
    -------
    numpy.ndarray, shape of ``ref``
        The probabilities :math:`\pi^*_\beta`, a pmf over the last axis.

    Examples
    --------
    >>> from semtheory.ratereward import gibbs_policy
    >>> gibbs_policy([0.6, 0.4], [1.0, 1.0], 0.5).round(12).tolist()  # equal rewards: the reference itself
    [0.6, 0.4]
    """
    return np.exp(gibbs_logpolicy(ref, reward, kl_weight))


def optimal_value(ref: ArrayLike, reward: ArrayLike, kl_weight: float) -> float | FloatArray:
    r"""Optimal value :math:`\max_\pi J_\beta(\pi) = \beta \log \E_{\pi_{\mathrm{ref}}}[e^{r/\beta}]` (reward units).

    The soft maximum of the reward under the reference: it lies between :math:`\E_{\pi_{\mathrm{ref}}} r`
    (approached as :math:`\beta\to\infty`) and the largest reward on the reference's support
    (:math:`\beta \to 0`, and its value at ``kl_weight = 0``).  One value per prompt (leading axes of ``ref``); a float for a 1-D ``ref``.
    Chapter 6.

    Parameters
    ----------
    ref : array_like, shape (..., K)
        The reference policy, a pmf over its last axis (leading axes index prompts).
    reward : array_like
        A finite reward per response, broadcastable to ``ref`` (reward units).
    kl_weight : float
        The KL weight :math:`\beta \ge 0` (reward units per nat); 0 gives the largest reward on the support.

    Returns
    -------
    float or numpy.ndarray
        The optimal value in reward units: a float for a 1-D ``ref``, else one value per prompt (shape
        ``ref.shape[:-1]``).

    Examples
    --------
    >>> import math
    >>> from semtheory.ratereward import optimal_value
    >>> v = optimal_value([0.5, 0.5], [0.0, 1.0], 1.0)
    >>> math.isclose(v, math.log(0.5 + 0.5 * math.e))
    True
    """
    P = as_ref(ref)
    r = as_reward(reward, P.shape)
    b = check_kl_weight0(kl_weight)
    if b == 0:  # the limit kl_weight -> 0: the largest reward on the support
        out = tilt(log(P), as_float(r, "r"), math.inf)[1]
        return float(out) if np.ndim(out) == 0 else out
    out = b * logsumexp(log(P) + r / b, axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def kl_objective(policy: ArrayLike, ref: ArrayLike, reward: ArrayLike, kl_weight: float) -> float | FloatArray:
    r"""KL-regularised objective :math:`J_\beta(\pi) = \E_\pi[r] - \beta\, D(\pi\,\|\,\pi_{\mathrm{ref}})` (reward units).

    The KL is in nats (so :math:`\beta` is in reward units per nat).  ``policy`` may carry extra leading
    axes (a batch of policies): it is broadcast against ``ref`` over the last axis, and the result has the
    broadcast leading shape.  :math:`-\infty` when the policy puts mass where the reference has none.
    Identity: :math:`J_\beta(\pi) = \beta\log Z - \beta D(\pi\,\|\,\pi^*_\beta)`.  Chapter 6.

    Parameters
    ----------
    policy : array_like, shape (..., K)
        The policy (or a batch of policies) scored, a pmf over its last axis.
    ref : array_like, shape (..., K)
        The reference policy, a pmf over its last axis.
    reward : array_like
        A finite reward per response, broadcastable to the broadcast shape of ``policy`` and ``ref``.
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).

    Returns
    -------
    float or numpy.ndarray
        :math:`J_\beta` in reward units (``-inf`` where the policy leaves the reference's support): a float for
        1-D inputs, else an array of the broadcast leading shape.
    """
    Q = as_stochastic(policy, "policy")
    P = as_ref(ref)
    if Q.shape[-1] != P.shape[-1]:
        raise ValueError(f"policy has {Q.shape[-1]} responses on its last axis, ref has {P.shape[-1]}")
    b = check_kl_weight(kl_weight)
    try:
        shape = np.broadcast_shapes(Q.shape, P.shape)
    except ValueError:
        raise ValueError(f"policy shape {Q.shape} does not broadcast against ref shape {P.shape}") from None
    r = as_reward(reward, shape)
    Qb, Pb = np.broadcast_to(Q, shape), np.broadcast_to(P, shape)
    miss = ((Qb > 0) & (Pb == 0)).any(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(Qb > 0, Qb * (log(Qb) - log(np.where(Pb > 0, Pb, 1.0))), 0.0).sum(axis=-1)
    out = (Qb * r).sum(axis=-1) - b * kl
    out = np.where(miss, -np.inf, out)
    return float(out) if np.ndim(out) == 0 else out


def random_policies(k: int, n: int, *, seed: SeedLike = None) -> np.ndarray:
    r"""``n`` random policies on the :math:`k`-simplex, shape ``(n, k)``, deterministic under ``seed``.

    A mixture that covers the simplex: Dirichlet draws with concentrations 0.05, 0.3, 1 and 5 (corners,
    edges, bulk, centre) plus the :math:`k` vertices.  Used to check by brute force that no policy beats
    the Gibbs optimum.  Chapter 6.

    Parameters
    ----------
    k : int
        Number of responses (the simplex's dimension plus one), >= 1.
    n : int
        Number of policies, >= 1.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of the draws (None: fresh entropy).

    Returns
    -------
    numpy.ndarray, shape (n, k)
        One policy (a pmf) per row; the first ``min(k, n)`` rows are the vertices.
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


def best_random_objective(ref: ArrayLike, reward: ArrayLike, kl_weight: float, *, n: int = 20000,
                          seed: SeedLike = None) -> float:
    r"""Brute force: :math:`\max_i J_\beta(\pi_i)` over ``n`` random policies (:func:`random_policies`).

    Never exceeds :func:`optimal_value`; the gap is :math:`\beta \min_i D(\pi_i \| \pi^*_\beta)`.  ``ref``
    must be 1-D.  Reward units.  Chapter 6.

    Parameters
    ----------
    ref : array_like, shape (K,)
        The reference policy, a pmf.
    reward : array_like, shape (K,)
        A finite reward per response.
    kl_weight : float
        The KL weight :math:`\beta > 0` (reward units per nat).
    n : int, keyword-only, default 20000
        Number of random policies.
    seed : int, numpy.random.Generator or None, keyword-only, default None
        Seed of :func:`random_policies`.

    Returns
    -------
    float
        The best objective :math:`J_\beta` among the random policies, in reward units.
    """
    P = as_pmf(ref, "ref", ndim=1)
    pols = random_policies(P.size, n, seed=seed)
    return float(np.max(kl_objective(pols, P, reward, kl_weight)))


def simplex_grid(resolution: int = 60) -> np.ndarray:
    r"""Points :math:`(p_1, p_2, p_3)` of the 2-simplex on a triangular grid with ``resolution`` steps per side.

    Returns an array of shape ``((resolution+1)(resolution+2)/2, 3)`` whose rows are pmfs (vertices and
    edges included).  For plotting objectives over all policies on three responses.  Chapter 6.

    Parameters
    ----------
    resolution : int, default 60
        Grid steps per side of the triangle, between 1 and 2000.

    Returns
    -------
    numpy.ndarray, shape ((resolution+1)(resolution+2)/2, 3)
        The grid points, one pmf per row.

    Examples
    --------
    >>> from semtheory.ratereward import simplex_grid
    >>> simplex_grid(2).shape
    (6, 3)
    """
    m = check_int(resolution, "resolution", minimum=1, maximum=2000)
    i, j = np.meshgrid(np.arange(m + 1), np.arange(m + 1), indexing="ij")
    keep = i + j <= m
    a, b = i[keep], j[keep]
    return np.stack([a, b, m - a - b], axis=1) / m
