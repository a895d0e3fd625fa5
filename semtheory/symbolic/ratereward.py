r"""Symbolic identities of KL-regularised post-training (chapter 6).

Three responses with reference probabilities :math:`q_1, q_2, q_3 > 0`, rewards :math:`r_1, r_2, r_3` and a
temperature :math:`\beta > 0`; the partition function is :math:`Z = \sum_i q_i e^{r_i/\beta}`.  The Gibbs
optimum is *derived* by solving the Lagrangian stationarity conditions with ``sympy.solve`` (not typed in),
and its value, the variational gap, DPO's implicit reward and the slope of the rate-reward curve follow.
The numeric tests of :mod:`semtheory.ratereward` check the same identities for any number of responses.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "symbols",
    "stationary_policy",
    "gibbs_from_stationarity",
    "gibbs_optimal_value",
    "gibbs_variational_gap",
    "dpo_implicit_reward",
    "rate_reward_slope",
    "soft_value_two_steps",
]


def symbols():
    r"""``(q, r, beta, Z)``: reference probabilities, rewards (3-tuples), temperature and partition function."""
    q = sp.symbols("q_1:4", positive=True)
    r = sp.symbols("r_1:4", real=True)
    beta = sp.Symbol("beta", positive=True)
    Z = sp.Add(*[qi * sp.exp(ri / beta) for qi, ri in zip(q, r)])
    return q, r, beta, Z


def _gibbs(q, r, beta, Z):
    return [qi * sp.exp(ri / beta) / Z for qi, ri in zip(q, r)]


@lru_cache(maxsize=1)
def stationary_policy():
    r"""Solve :math:`\partial \mathcal L / \partial \pi_i = 0` and :math:`\sum_i \pi_i = 1` for the Lagrangian
    :math:`\mathcal L = \sum_i \pi_i r_i - \beta \sum_i \pi_i \log(\pi_i/q_i) + \lambda(\sum_i \pi_i - 1)`.

    Returns ``(lagrangian, stationarity_equations, solution)`` where ``solution`` lists the three
    :math:`\pi_i` with the multiplier eliminated.  Chapter 6.
    """
    q, r, beta, _ = symbols()
    lam = sp.Symbol("lambda", real=True)
    pi = sp.symbols("pi_1:4", positive=True)
    L = sp.Add(*[p * ri for p, ri in zip(pi, r)]) - beta * sp.Add(
        *[p * (sp.log(p) - sp.log(qi)) for p, qi in zip(pi, q)]
    ) + lam * (sp.Add(*pi) - 1)
    eqs = [sp.Eq(sp.diff(L, p), 0) for p in pi]
    sol = [sp.solve(e, p)[0] for e, p in zip(eqs, pi)]
    lam_star = sp.solve(sp.Eq(sp.Add(*sol), 1), lam)[0]
    return L, eqs, [sp.simplify(s.subs(lam, lam_star)) for s in sol]


@derivation
def gibbs_from_stationarity() -> Derivation:
    r"""The stationary point of the Lagrangian is the Gibbs tilt :math:`\pi_1 = q_1 e^{r_1/\beta}/Z`.  Chapter 6."""
    q, r, beta, Z = symbols()
    _, eqs, sol = stationary_policy()
    return Derivation(
        name="Gibbs optimum from Lagrangian stationarity",
        lhs=sol[0],
        rhs=_gibbs(q, r, beta, Z)[0],
        proves="solving dL/dpi_i = 0 with sum(pi) = 1 gives pi_i = q_i exp(r_i/beta) / Z (the maximiser: the Hessian -beta/pi_i is negative)",
        chapter="6",
        assumptions=("q_i > 0", "beta > 0", "three responses; any number works the same way"),
        steps=tuple(e.lhs for e in eqs),
    )


@derivation
def gibbs_optimal_value() -> Derivation:
    r""":math:`\E_{\pi^*}[r] - \beta D(\pi^* \| q) = \beta \log Z`.  Chapter 6."""
    q, r, beta, Z = symbols()
    g = _gibbs(q, r, beta, Z)
    J = sp.Add(*[p * ri for p, ri in zip(g, r)]) - beta * sp.Add(
        *[p * (sp.log(qi) + ri / beta - sp.log(Z) - sp.log(qi)) for p, qi, ri in zip(g, q, r)]
    )
    return Derivation(
        name="optimal value of the KL-regularised objective",
        lhs=J,
        rhs=beta * sp.log(Z),
        proves="the optimal value is the soft maximum beta log E_ref[exp(r/beta)]",
        chapter="6",
        assumptions=("q_i > 0", "beta > 0"),
    )


@derivation
def gibbs_variational_gap() -> Derivation:
    r""":math:`J_\beta(\pi) = \beta \log Z - \beta D(\pi \| \pi^*)` for *every* policy :math:`\pi`.  Chapter 6."""
    q, r, beta, Z = symbols()
    p1, p2 = sp.symbols("p_1 p_2", positive=True)
    pi = [p1, p2, 1 - p1 - p2]
    logg = [sp.log(qi) + ri / beta - sp.log(Z) for qi, ri in zip(q, r)]
    J = sp.Add(*[p * ri for p, ri in zip(pi, r)]) - beta * sp.Add(*[p * (sp.log(p) - sp.log(qi)) for p, qi in zip(pi, q)])
    D = sp.Add(*[p * (sp.log(p) - lg) for p, lg in zip(pi, logg)])
    return Derivation(
        name="Gibbs variational principle",
        lhs=J,
        rhs=beta * sp.log(Z) - beta * D,
        proves="J(pi) = beta log Z - beta D(pi || pi*): the Gibbs policy is the unique maximiser and the gap is a KL",
        chapter="6",
        assumptions=("pi = (p_1, p_2, 1 - p_1 - p_2) a pmf", "q_i > 0", "beta > 0"),
    )


@derivation
def dpo_implicit_reward() -> Derivation:
    r""":math:`\beta \log(\pi^*_1 / q_1) = r_1 - \beta \log Z`: DPO's implicit reward is the reward up to a constant.  Chapter 6."""
    q, r, beta, Z = symbols()
    g = _gibbs(q, r, beta, Z)
    return Derivation(
        name="DPO implicit reward of the Gibbs optimum",
        lhs=beta * (sp.log(g[0]) - sp.log(q[0])),
        rhs=r[0] - beta * sp.log(Z),
        proves="beta log(pi*/pi_ref) = r - beta log Z, the same constant for every response",
        chapter="6",
        assumptions=("q_i > 0", "beta > 0"),
    )


@derivation
def rate_reward_slope() -> Derivation:
    r"""Along the curve :math:`\beta \mapsto (\rho(\beta), R(\beta))`, :math:`\dd R / \dd\rho = 1/\beta` (two responses).  Chapter 6."""
    beta = sp.Symbol("beta", positive=True)
    q = sp.Symbol("q", positive=True)
    r = sp.Symbol("r", real=True)
    w = q * sp.exp(r / beta)
    Z = w + (1 - q)
    p = w / Z  # reward r on response 1, 0 on response 2
    rho = p * r
    R = p * (sp.log(q) + r / beta - sp.log(Z) - sp.log(q)) + (1 - p) * (sp.log(1 - q) - sp.log(Z) - sp.log(1 - q))
    return Derivation(
        name="slope of the rate-reward curve",
        lhs=sp.simplify(sp.diff(R, beta) / sp.diff(rho, beta)),
        rhs=1 / beta,
        proves="dR/drho = 1/beta (nats per reward unit): the temperature is the inverse slope, so the curve is convex",
        chapter="6",
        assumptions=("0 < q < 1", "beta > 0", "rewards (r, 0)"),
    )


@derivation
def soft_value_two_steps() -> Derivation:
    r"""Two binary tokens: the token-level soft-value policy multiplies out to the sequence-level Gibbs law.  Chapter 6.

    :math:`\pi^*(y_1)\,\pi^*(y_2 \mid y_1) = \pi_{\mathrm{ref}}(y_1, y_2)\, e^{r(y_1,y_2)/\beta} / Z` at :math:`y = (1, 1)`,
    with :math:`V_1(y_1) = \beta\log\sum_{y_2}\pi_{\mathrm{ref}}(y_2\mid y_1)e^{r(y_1,y_2)/\beta}`.
    """
    beta = sp.Symbol("beta", positive=True)
    a, b0, b1 = sp.symbols("a b_0 b_1", positive=True)  # ref(y1=1), ref(y2=1 | y1)
    r = {(i, j): sp.Symbol(f"r_{i}{j}", real=True) for i in (0, 1) for j in (0, 1)}
    p1 = {0: 1 - a, 1: a}
    p2 = {(0, 0): 1 - b0, (0, 1): b0, (1, 0): 1 - b1, (1, 1): b1}
    E1 = {i: sp.Add(*[p2[(i, j)] * sp.exp(r[(i, j)] / beta) for j in (0, 1)]) for i in (0, 1)}  # e^{V_1/beta}
    Z = sp.Add(*[p1[i] * E1[i] for i in (0, 1)])
    token = (p1[1] * E1[1] / Z) * (p2[(1, 1)] * sp.exp(r[(1, 1)] / beta) / E1[1])
    seq = p1[1] * p2[(1, 1)] * sp.exp(r[(1, 1)] / beta) / Z
    return Derivation(
        name="soft value recursion = sequence-level Gibbs (two steps)",
        lhs=token,
        rhs=seq,
        proves="pi*(y1) pi*(y2|y1) with the soft values equals pi_ref(y1,y2) exp(r/beta)/Z",
        chapter="6",
        assumptions=("0 < a, b_0, b_1 < 1", "beta > 0"),
    )
