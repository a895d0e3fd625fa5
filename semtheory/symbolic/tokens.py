r"""Symbolic identities of chapter 1: entropy rates of Markov sources.

The derivations work with the symbolic two-state chain
:math:`P = \begin{pmatrix} 1-a & a \\ c & 1-c \end{pmatrix}` (flip probabilities :math:`a, c`), whose
stationary law sympy solves from :math:`\pi P = \pi`; natural logarithms (nats) throughout.  Each one compares
two *independent* computations (a closed form against a sum over the joint law of a block), so each could
fail: :func:`block_entropy_of` with a non-stationary start shows the block identity failing.  (The i.i.d.
source is the special case :math:`a + c = 1`, where both rows of :math:`P` are equal.)
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "two_state_chain",
    "two_state_stationary",
    "two_state_entropy_rate",
    "two_state_block_entropy",
    "block_entropy_of",
]

a, c = sp.symbols("a c", positive=True)


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


def block_entropy_of(initial, n: int = 3) -> sp.Expr:
    r"""Block entropy :math:`H(X_1, \dots, X_n) = -\sum_{x^n} P(x^n) \log P(x^n)` of the two-state chain started in ``initial``.

    :math:`P(x^n) = \mathrm{initial}(x_1) \prod_t P(x_{t-1}, x_t)`, summed over all :math:`2^n` blocks (nats).
    """
    P, _ = two_state_chain()
    terms = []
    for xs in __import__("itertools").product((0, 1), repeat=n):
        factors = [initial[xs[0]]] + [P[u, v] for u, v in zip(xs, xs[1:])]
        # -P(x^n) log P(x^n), with the log of the product written as the sum of the logs of its factors
        terms.append(-sp.Mul(*factors) * sp.Add(*[sp.log(f) for f in factors]))
    return sp.Add(*terms)


@derivation
def two_state_block_entropy() -> Derivation:
    r"""Block entropy of the stationary two-state chain: :math:`H(X_1, X_2, X_3) = H(\pi) + 2\,\mathcal H`.  Chapter 1.

    The left side sums :math:`-P \log P` over the eight blocks of the joint law
    :math:`\pi(x_1) P(x_1,x_2) P(x_2,x_3)` with :math:`\pi` solved by sympy; the right side is the entropy of
    :math:`\pi` plus twice the closed-form rate :math:`(c\,h(a) + a\,h(c))/(a+c)`.  It fails for a
    non-stationary start (then :math:`H(X_3 \mid X_2) \ne H(X_2 \mid X_1)`), which the tests check.
    """
    _, pi = two_state_chain()
    rate = (c * _h(a) + a * _h(c)) / (a + c)
    h_pi = -pi[0] * sp.log(pi[0]) - pi[1] * sp.log(pi[1])
    return Derivation(
        name="block entropy of a stationary two-state chain",
        lhs=block_entropy_of((pi[0], pi[1]), 3),
        rhs=h_pi + 2 * rate,
        proves="H(X^3) = H(pi) + 2 H_rate: the block entropy grows by the entropy rate per symbol, so H(X^n)/n -> H_rate",
        chapter="1",
        assumptions=("0 < a, c < 1", "X_1 ~ pi (stationary start)"),
    )
