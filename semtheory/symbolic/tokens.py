r"""Symbolic identities of chapter 1: the exchange rate between tokens and bytes, and entropy rates.

A text of :math:`N_b` bytes is cut into :math:`N_t` tokens and a model assigns it a total log-loss
:math:`L` (in units of a base :math:`b`).  Per token the rate is :math:`L/N_t`, per byte :math:`L/N_b`, and
:math:`r = N_b/N_t` is the number of bytes per token.  The entropy-rate derivations work with the symbolic
two-state chain :math:`P = \begin{pmatrix} 1-a & a \\ c & 1-c \end{pmatrix}` (flip probabilities :math:`a, c`)
and a symbolic binary i.i.d. law :math:`(p, 1-p)`; natural logarithms (nats) throughout.
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "two_state_chain",
    "bits_per_token_exchange",
    "perplexity_exchange",
    "iid_block_entropy",
    "two_state_stationary",
    "two_state_entropy_rate",
]

L, Nb, Nt, base = sp.symbols("L N_b N_t b", positive=True)
a, c, p = sp.symbols("a c p", positive=True)


def _h(x) -> sp.Expr:
    """Binary entropy in nats."""
    return -x * sp.log(x) - (1 - x) * sp.log(1 - x)


def two_state_chain() -> tuple[sp.Matrix, sp.Matrix]:
    r"""``(P, pi)``: the symbolic two-state transition matrix and its stationary law solved by sympy from :math:`\pi P = \pi`, :math:`\pi_0 + \pi_1 = 1`."""
    P = sp.Matrix([[1 - a, a], [c, 1 - c]])
    x0, x1 = sp.symbols("pi_0 pi_1")
    sol = sp.solve([x0 * P[0, 0] + x1 * P[1, 0] - x0, x0 + x1 - 1], [x0, x1], dict=True)[0]
    return P, sp.Matrix([[sol[x0], sol[x1]]])


@derivation
def bits_per_token_exchange() -> Derivation:
    r"""Per-token rate = per-byte rate × bytes per token: :math:`\frac{L}{N_t} = \frac{L}{N_b}\cdot\frac{N_b}{N_t}`.  Chapter 1."""
    return Derivation(
        name="bits per token = bits per byte x bytes per token",
        lhs=L / Nt,
        rhs=sp.Mul(L / Nb, sp.Mul(Nb, 1 / Nt, evaluate=False), evaluate=False),
        proves="a loss per token equals the loss per byte times the bytes per token r = N_b/N_t",
        chapter="1",
        assumptions=("N_b, N_t > 0",),
    )


@derivation
def perplexity_exchange() -> Derivation:
    r"""Token perplexity = byte perplexity to the power bytes/token: :math:`b^{L/N_t} = (b^{L/N_b})^{N_b/N_t}`.  Chapter 1."""
    return Derivation(
        name="PPL_token = PPL_byte ** (bytes per token)",
        lhs=base ** (L / Nt),
        rhs=sp.Pow(sp.Pow(base, L / Nb, evaluate=False), sp.Mul(Nb, 1 / Nt, evaluate=False), evaluate=False),
        proves="the perplexity per token is the perplexity per byte raised to the bytes per token",
        chapter="1",
        assumptions=("b > 0 (the base of the logarithm)", "N_b, N_t > 0"),
    )


@derivation
def iid_block_entropy() -> Derivation:
    r"""For a binary i.i.d. source, :math:`H(X_1, X_2) = 2\,h(p)`: the entropy rate of an i.i.d. source is :math:`H(p)`.  Chapter 1."""
    q = {1: p, 0: 1 - p}
    # -sum P(x1, x2) log P(x1, x2) with P(x1, x2) = q(x1) q(x2) and log P(x1, x2) = log q(x1) + log q(x2)
    terms = [sp.Mul(q[x1], q[x2], sp.Add(sp.log(q[x1]), sp.log(q[x2]), evaluate=False), evaluate=False) for x1 in (1, 0) for x2 in (1, 0)]
    h2 = sp.Mul(-1, sp.Add(*terms, evaluate=False), evaluate=False)
    return Derivation(
        name="block entropy of an i.i.d. pair",
        lhs=h2,
        rhs=2 * _h(p),
        proves="H(X_1, X_2) = 2 H(p) for i.i.d. bits, so H(X^n)/n = H(p)",
        chapter="1",
        assumptions=("0 < p < 1",),
    )


@derivation
def two_state_stationary() -> Derivation:
    r""":math:`\pi = \left(\frac{c}{a+c}, \frac{a}{a+c}\right)` is stationary: :math:`\pi_0 (1-a) + \pi_1 c = \pi_0` (and sympy's solve finds it).  Chapter 1."""
    P, pi = two_state_chain()
    closed = (c / (a + c), a / (a + c))
    if sp.simplify(pi[0] - closed[0]) != 0 or sp.simplify(pi[1] - closed[1]) != 0:  # pragma: no cover
        raise AssertionError("sympy's stationary law differs from (c, a)/(a + c)")
    return Derivation(
        name="stationary law of a two-state chain",
        lhs=sp.Add(sp.Mul(closed[0], P[0, 0], evaluate=False), sp.Mul(closed[1], P[1, 0], evaluate=False), evaluate=False),
        rhs=closed[0],
        proves="pi = (c, a)/(a + c) solves pi P = pi (first coordinate; the second follows from pi_0 + pi_1 = 1)",
        chapter="1",
        assumptions=("a, c in (0, 1]",),
    )


@derivation
def two_state_entropy_rate() -> Derivation:
    r"""General formula :math:`\sum_i \pi_i H(P_{i\cdot})` for the two-state chain equals :math:`\frac{c\,h(a) + a\,h(c)}{a + c}`.  Chapter 1."""
    P, pi = two_state_chain()
    general = sp.Add(*[pi[i] * sp.Add(*[-P[i, j] * sp.log(P[i, j]) for j in range(2)]) for i in range(2)])
    closed = (c * _h(a) + a * _h(c)) / (a + c)
    return Derivation(
        name="entropy rate of a two-state Markov chain",
        lhs=general,
        rhs=closed,
        proves="sum_i pi_i H(P_i.) with pi solved from pi P = pi equals (c h(a) + a h(c))/(a + c)",
        chapter="1",
        assumptions=("0 < a, c < 1",),
    )
