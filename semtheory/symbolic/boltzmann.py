r"""Symbolic identities of the Boltzmann form of a next-token law (chapter 4).

A vocabulary of three tokens with symbolic energies :math:`E_1, E_2, E_3` and temperature :math:`T > 0`:
:math:`Z = \sum_v e^{-E_v/T}`, :math:`P_v = e^{-E_v/T}/Z`, free energy :math:`F = -T \ln Z`, internal energy
:math:`U = \sum_v P_v E_v`, entropy (nats) :math:`S = -\sum_v P_v \ln P_v`.  Three tokens are enough to show
every identity in general position; the numeric tests check them for any vocabulary.
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "symbols",
    "free_energy_gradient",
    "free_energy_temperature_derivative",
    "free_energy_decomposition",
    "entropy_temperature_derivative",
    "energy_shift_invariance",
    "truncation_kl",
    "frontier_slope",
]


def symbols():
    r"""``(E, T, Z, P, F, U, S)`` for three tokens: energies ``E`` (tuple), temperature ``T`` and the derived expressions."""
    E = sp.symbols("E_1 E_2 E_3", real=True)
    T = sp.Symbol("T", positive=True)
    w = [sp.exp(-e / T) for e in E]
    Z = sp.Add(*w)
    P = [wi / Z for wi in w]
    F = -T * sp.log(Z)
    U = sp.Add(*[p * e for p, e in zip(P, E)])
    S = -sp.Add(*[p * sp.log(p) for p in P])
    return E, T, Z, P, F, U, S


@derivation
def free_energy_gradient() -> Derivation:
    r""":math:`\partial F / \partial E_1 = P_1`: the free energy's gradient in the energies is the Boltzmann law.  Chapter 4."""
    E, T, Z, P, F, U, S = symbols()
    return Derivation(
        name="gradient of the free energy",
        lhs=sp.Derivative(F, E[0]).doit(),
        rhs=P[0],
        proves="dF/dE_v = P(v): the Boltzmann law is the gradient of F = -T log Z (softmax = gradient of logsumexp)",
        chapter="4",
        assumptions=("T > 0", "three tokens; the same computation holds for any v and any vocabulary"),
    )


@derivation
def free_energy_temperature_derivative() -> Derivation:
    r""":math:`\partial F / \partial T = -S`: the free energy decreases with temperature at the rate of the entropy.  Chapter 4."""
    E, T, Z, P, F, U, S = symbols()
    return Derivation(
        name="temperature derivative of the free energy",
        lhs=sp.diff(F, T),
        rhs=-S,
        proves="dF/dT = -S (entropy in nats)",
        chapter="4",
        assumptions=("T > 0",),
    )


@derivation
def free_energy_decomposition() -> Derivation:
    r""":math:`F = U - T S`: free energy = mean energy minus temperature times entropy.  Chapter 4."""
    E, T, Z, P, F, U, S = symbols()
    return Derivation(
        name="free energy = energy - T * entropy",
        lhs=F,
        rhs=U - T * S,
        proves="F = U - T S, i.e. S = (U - F)/T",
        chapter="4",
        assumptions=("T > 0",),
    )


@derivation
def entropy_temperature_derivative() -> Derivation:
    r""":math:`\partial S / \partial T = \Var_P(E) / T^3 \ge 0`: the entropy never decreases with temperature.  Chapter 4."""
    E, T, Z, P, F, U, S = symbols()
    var = sp.Add(*[p * e**2 for p, e in zip(P, E)]) - U**2
    # S = (U - F)/T = U/T + ln Z by free_energy_decomposition; differentiate that form
    return Derivation(
        name="temperature derivative of the entropy",
        lhs=sp.diff(U / T + sp.log(Z), T),
        rhs=var / T**3,
        proves="dS/dT = Var_P(E)/T^3 >= 0, so the entropy of the tempered law is non-decreasing in T",
        chapter="4",
        assumptions=("T > 0", "S = U/T + ln Z (free_energy_decomposition)"),
    )


@derivation
def energy_shift_invariance() -> Derivation:
    r""":math:`P_1(E + c) = P_1(E)`: adding a constant to every energy (every logit) leaves the law unchanged.  Chapter 4."""
    E, T, Z, P, F, U, S = symbols()
    c = sp.Symbol("c", real=True)
    shifted = sp.exp(-(E[0] + c) / T) / sp.Add(*[sp.exp(-(e + c) / T) for e in E])
    return Derivation(
        name="shift invariance of the Boltzmann law",
        lhs=shifted,
        rhs=P[0],
        proves="P is invariant under E -> E + c; only F shifts, F -> F + c",
        chapter="4",
        assumptions=("T > 0",),
    )


@derivation
def truncation_kl() -> Derivation:
    r""":math:`D(q \| p) = -\ln p(S)` for the renormalised truncation :math:`q = p\,\ind_S / p(S)`, :math:`S = \{1, 2\}`.  Chapter 4."""
    p1, p2 = sp.symbols("p_1 p_2", positive=True)
    mass = p1 + p2
    q1, q2 = p1 / mass, p2 / mass
    lhs = q1 * sp.log(q1 / p1) + q2 * sp.log(q2 / p2)
    return Derivation(
        name="KL cost of a truncation (top-k, top-p, greedy)",
        lhs=lhs,
        rhs=-sp.log(mass),
        proves="D(q || p) = -log p(S) when q is p restricted to S and renormalised",
        chapter="4",
        assumptions=("p_1, p_2 > 0; the third token (mass 1 - p_1 - p_2) is cut",),
    )


def _tempered(beta):
    """Logits l_1, l_2, the model law p = softmax(l) and the tempered law q = softmax(beta l) (beta = 1/T)."""
    ell = sp.symbols("l_1 l_2", real=True)
    Zp = sp.Add(*[sp.exp(x) for x in ell])
    Zq = sp.Add(*[sp.exp(beta * x) for x in ell])
    logp = [x - sp.log(Zp) for x in ell]
    logq = [beta * x - sp.log(Zq) for x in ell]
    q = [sp.exp(beta * x) / Zq for x in ell]
    return ell, logp, logq, q


@derivation
def frontier_slope() -> Derivation:
    r"""Along the tempered family :math:`q_T \propto p^{1/T}`: :math:`\dd D(q_T\|p) / \dd H(q_T) = T - 1`.  Chapter 4.

    Both derivatives are taken in :math:`\beta = 1/T` from the explicit softmax of two symbolic logits and
    divided; the claim would fail for any other slope (e.g. the naive :math:`-1`).  It is the Lagrange
    multiplier of the frontier theorem: lowering the entropy by one nat below the model's costs
    :math:`1 - T` nats of KL at the margin.
    """
    beta = sp.Symbol("beta", positive=True)
    ell, logp, logq, q = _tempered(beta)
    kl = sp.Add(*[qi * (a - b) for qi, a, b in zip(q, logq, logp)])
    H = -sp.Add(*[qi * a for qi, a in zip(q, logq)])
    ratio = sp.diff(kl, beta) / sp.diff(H, beta)
    return Derivation(
        name="slope of the (entropy, KL) frontier",
        lhs=sp.simplify(sp.together(ratio)),  # the quotient of the two derivatives, simplified
        rhs=1 / beta - 1,
        proves="dD(q_T || p)/dH(q_T) = T - 1 along the tempered laws (beta = 1/T): the frontier's slope",
        chapter="4",
        assumptions=("two tokens with real logits l_1 != l_2 (any law on two tokens)", "beta = 1/T > 0"),
    )
