r"""Symbolic identities of the semantic information flow (chapter 7): the sub-martingale property, binary case.

A binary output :math:`Y_{t+1}` and a binary input :math:`X_{t+1}` known before it is drawn.  Given the past,
:math:`P(X_{t+1} = 1 \mid \cdot) = \pi`, :math:`P(Y_{t+1} = 1 \mid X_{t+1} = x, \cdot) = a_x`, so the output's
predictive law (the input unseen) is :math:`b = \pi a_1 + (1-\pi) a_0`.  The binary relative entropy is
:math:`d(a \| b) = a(\log a - \log b) + (1-a)(\log(1-a) - \log(1-b))`.
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "symbols",
    "binary_kl",
    "binary_entropy",
    "increment_is_conditional_kl",
    "binary_kl_vanishes_at_match",
    "binary_kl_stationary_at_match",
    "binary_kl_curvature",
    "mixture_increment_is_mutual_information",
    "freedman_exponent",
    "ville_increment_has_unit_mean",
]


def symbols():
    r"""``(pi, a0, a1, b)``: input probability, output probabilities given each input, and :math:`b = \pi a_1 + (1-\pi)a_0`."""
    pi, a0, a1 = sp.symbols("pi a_0 a_1", positive=True)
    return pi, a0, a1, pi * a1 + (1 - pi) * a0


def binary_kl(a, b) -> sp.Expr:
    r""":math:`d(a\|b) = a(\log a - \log b) + (1-a)(\log(1-a) - \log(1-b))` (nats)."""
    return a * (sp.log(a) - sp.log(b)) + (1 - a) * (sp.log(1 - a) - sp.log(1 - b))


def binary_entropy(a) -> sp.Expr:
    r""":math:`h(a) = -a\log a - (1-a)\log(1-a)` (nats)."""
    return -a * sp.log(a) - (1 - a) * sp.log(1 - a)


@derivation
def increment_is_conditional_kl() -> Derivation:
    r""":math:`\E[\iota_{t+1} \mid \mathcal G_t] = d(a_1 \| b)` on :math:`\{X_{t+1} = 1\}`, with :math:`\iota` written as log posterior over prior.  Chapter 7.

    By Bayes, :math:`\iota = \log\frac{P(y \mid x, \cdot)}{P(y\mid\cdot)} = \log\frac{P(x \mid y, \cdot)}{P(x \mid \cdot)}`;
    averaging it over :math:`Y_{t+1} \sim a_1` gives the relative entropy of the output law given the input
    from the output law without it.
    """
    pi, a0, a1, b = symbols()
    post1 = pi * a1 / b  # P(X = 1 | Y = 1, past)
    post0 = pi * (1 - a1) / (1 - b)  # P(X = 1 | Y = 0, past)
    bayes = a1 * (sp.log(post1) - sp.log(pi)) + (1 - a1) * (sp.log(post0) - sp.log(pi))
    # the log-ratios are split before the comparison (Derivation.residual expands polynomials first, which
    # would hide log(pi (1 - a_1) / (1 - b)) = log pi + log(1 - a_1) - log(1 - b)); ``steps[0]`` keeps the
    # posterior-over-prior form for display.
    return Derivation(
        name="conditional mean of the information density",
        lhs=sp.expand_log(bayes, force=True),
        rhs=binary_kl(a1, b),
        proves="E[iota_{t+1} | G_t] = D(P(.|X^{t+1},Y^t) || P(.|Y^t)), a relative entropy",
        chapter="7",
        assumptions=("0 < pi, a_0, a_1 < 1",),
        steps=(bayes,),
    )


@derivation
def binary_kl_vanishes_at_match() -> Derivation:
    r""":math:`d(b \| b) = 0`.  Chapter 7."""
    a, b = sp.symbols("a b", positive=True)
    return Derivation(
        name="binary relative entropy vanishes at a = b",
        lhs=binary_kl(a, b).subs(a, b),
        rhs=sp.Integer(0),
        proves="d(b||b) = 0",
        chapter="7",
        assumptions=("0 < b < 1",),
    )


@derivation
def binary_kl_stationary_at_match() -> Derivation:
    r""":math:`\partial_a d(a\|b)\,\big|_{a=b} = 0`.  Chapter 7."""
    a, b = sp.symbols("a b", positive=True)
    return Derivation(
        name="binary relative entropy is stationary at a = b",
        lhs=sp.diff(binary_kl(a, b), a).subs(a, b),
        rhs=sp.Integer(0),
        proves="the derivative of d(a||b) in a vanishes at a = b",
        chapter="7",
        assumptions=("0 < b < 1",),
    )


@derivation
def binary_kl_curvature() -> Derivation:
    r""":math:`\partial_a^2 d(a\|b) = 1/(a(1-a)) > 0`: convex in :math:`a`, so with the two previous facts :math:`d \ge 0`.  Chapter 7.

    Taylor's theorem with integral remainder then gives :math:`d(a\|b) = \int_b^a \frac{a - s}{s(1-s)}\,\dd s \ge 0`.
    """
    a, b = sp.symbols("a b", positive=True)
    return Derivation(
        name="curvature of the binary relative entropy",
        lhs=sp.diff(binary_kl(a, b), a, 2),
        rhs=1 / (a * (1 - a)),
        proves="d''(a) = 1/(a(1-a)) > 0 on (0,1): d(a||b) is convex in a with minimum 0 at a = b, hence >= 0",
        chapter="7",
        assumptions=("0 < a, b < 1",),
    )


@derivation
def mixture_increment_is_mutual_information() -> Derivation:
    r""":math:`\pi\, d(a_1\|b) + (1-\pi)\, d(a_0\|b) = h(b) - \pi h(a_1) - (1-\pi) h(a_0) = I(X_{t+1}; Y_{t+1} \mid \text{past})`.  Chapter 7.

    Averaging the compensator increment over the input gives the per-step term of the directed information,
    so :math:`\E[A_n] = I(X^n \to Y^n)`.
    """
    pi, a0, a1, b = symbols()
    return Derivation(
        name="mean compensator increment is a mutual information",
        lhs=pi * binary_kl(a1, b) + (1 - pi) * binary_kl(a0, b),
        rhs=binary_entropy(b) - pi * binary_entropy(a1) - (1 - pi) * binary_entropy(a0),
        proves="E_x D(P(.|x) || P) = H(Y) - H(Y|X) = I(X;Y)",
        chapter="7",
        assumptions=("0 < pi, a_0, a_1 < 1",),
    )


@derivation
def freedman_exponent() -> Derivation:
    r"""The optimised Bernstein exponent in Freedman's inequality.  Chapter 7.

    With :math:`g(\lambda) \le \lambda^2/(2(1-\lambda c/3))` and :math:`\lambda = \epsilon/(v + c\epsilon/3)`,
    :math:`-\lambda\epsilon + \frac{\lambda^2 v}{2(1-\lambda c/3)} = -\frac{\epsilon^2}{2(v + c\epsilon/3)}`.
    """
    eps, v, c = sp.symbols("epsilon v c", positive=True)
    lam = eps / (v + c * eps / 3)
    return Derivation(
        name="Freedman's exponent at the optimising lambda",
        lhs=-lam * eps + lam**2 * v / (2 * (1 - lam * c / 3)),
        rhs=-(eps**2) / (2 * (v + c * eps / 3)),
        proves="the bound exp(-lambda eps + g(lambda) v) equals exp(-eps^2 / (2 (v + c eps / 3))) at lambda = eps/(v + c eps/3)",
        chapter="7",
        assumptions=("epsilon, v, c > 0",),
    )


@derivation
def ville_increment_has_unit_mean() -> Derivation:
    r""":math:`\E[2^{-\iota_{t+1}} \mid \mathcal G_t] = 1` for binary tokens with full support: :math:`2^{-\Lambda}` is a martingale.  Chapter 7.

    Given the past and :math:`X_{t+1} = 1`, :math:`Y_{t+1} \sim a_1` and :math:`2^{-\iota} = P(y \mid \cdot)/P(y \mid x, \cdot)`
    with :math:`P(y \mid \cdot) = b`: the mean is :math:`a_1 \frac{b}{a_1} + (1-a_1)\frac{1-b}{1-a_1} = 1`.
    """
    pi, a0, a1, b = symbols()
    return Derivation(
        name="the exponential of minus the flow has unit conditional mean",
        lhs=a1 * (b / a1) + (1 - a1) * ((1 - b) / (1 - a1)),
        rhs=sp.Integer(1),
        proves="E[2^{-iota_{t+1}} | G_t] = sum over the support of P(y | Y^t) = 1 under full support (Ville)",
        chapter="7",
        assumptions=("0 < pi, a_0, a_1 < 1",),
    )
