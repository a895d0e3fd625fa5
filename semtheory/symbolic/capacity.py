r"""Symbolic identities behind the capacity formulas of chapter 13 (sympy).

* :func:`gardner_integral_closed_form` — Gardner's integral in closed form:
  :math:`\int_{-\kappa}^{\infty}(t+\kappa)^2\varphi(t)\,dt = (1+\kappa^2)\Phi(\kappa) + \kappa\varphi(\kappa)`;
* :func:`gardner_alpha_at_zero` — :math:`\alpha_c(0) = [\int_0^\infty t^2\varphi(t)\,dt]^{-1} = 2`;
* :func:`cover_recursion` — Cover's recursion :math:`C(P+1,N) = C(P,N) + C(P,N-1)` for symbolic
  :math:`P, N` (Pascal's rule under the sum);
* :func:`ags_reduction` — eliminating :math:`C` and :math:`r` from the zero-temperature AGS equations
  gives :math:`\sqrt{2\alpha} = m/y - (2/\sqrt\pi)e^{-y^2}` with :math:`y = m/\sqrt{2\alpha r}`.
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "std_normal_pdf",
    "std_normal_cdf",
    "cover_count_symbolic",
    "gardner_integral_closed_form",
    "gardner_alpha_at_zero",
    "cover_recursion",
    "ags_reduction",
]

_t = sp.Symbol("t", real=True)
_kappa = sp.Symbol("kappa", real=True)


def std_normal_pdf(x) -> sp.Expr:
    r"""The standard normal density :math:`\varphi(x) = e^{-x^2/2}/\sqrt{2\pi}` (sympy)."""
    return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)


def std_normal_cdf(x) -> sp.Expr:
    r"""The standard normal CDF :math:`\Phi(x) = \tfrac12(1 + \operatorname{erf}(x/\sqrt2))` (sympy)."""
    return (1 + sp.erf(x / sp.sqrt(2))) / 2


def cover_count_symbolic(P, N, k=None) -> sp.Expr:
    r"""Cover's :math:`C(P,N) = 2\sum_{k=0}^{N-1}\binom{P-1}{k}` as an unevaluated sympy ``Sum``."""
    k = sp.Symbol("k", integer=True, nonnegative=True) if k is None else k
    return 2 * sp.Sum(sp.binomial(P - 1, k), (k, 0, N - 1))


@derivation
def gardner_integral_closed_form() -> Derivation:
    r"""Gardner's integral :math:`\int_{-\kappa}^\infty (t+\kappa)^2\varphi(t)\,dt = (1+\kappa^2)\Phi(\kappa)+\kappa\varphi(\kappa)`.

    sympy evaluates the integral (``steps[0]`` is the unevaluated integral shown in the chapter) and
    reduces the difference with the closed form to 0, for every real :math:`\kappa`.  Chapter 13.
    """
    integral = sp.Integral((_t + _kappa) ** 2 * std_normal_pdf(_t), (_t, -_kappa, sp.oo))
    evaluated = integral.doit().rewrite(sp.erf)
    closed = (1 + _kappa**2) * std_normal_cdf(_kappa) + _kappa * std_normal_pdf(_kappa)
    return Derivation(
        name="Gardner's integral in closed form",
        lhs=evaluated,
        rhs=closed,
        proves="int_{-kappa}^oo Dt (t+kappa)^2 = (1+kappa^2) Phi(kappa) + kappa phi(kappa), so alpha_c(kappa) has a closed form",
        chapter="13",
        assumptions=("kappa real",),
        steps=(integral,),
    )


@derivation
def gardner_alpha_at_zero() -> Derivation:
    r""":math:`\alpha_c(0) = \bigl[\int_0^\infty t^2\varphi(t)\,dt\bigr]^{-1} = 2`: Gardner's capacity without margin is Cover's :math:`P = 2N`.  Chapter 13."""
    integral = sp.Integral(_t**2 * std_normal_pdf(_t), (_t, 0, sp.oo))
    return Derivation(
        name="alpha_c(0) = 2",
        lhs=1 / integral.doit(),
        rhs=sp.Integer(2),
        proves="Gardner's critical load at zero margin equals Cover's 2",
        chapter="13",
        steps=(1 / integral,),
    )


@derivation
def cover_recursion() -> Derivation:
    r"""Cover's recursion :math:`C(P+1,N) = C(P,N) + C(P,N-1)` for symbolic integers :math:`P, N \ge 1`.

    ``lhs`` is :math:`C(P+1,N) = 2\sum_{k=0}^{N-1}\binom{P}{k}`; ``rhs`` is :math:`C(P,N)` plus
    :math:`C(P,N-1) = 2\sum_{k=0}^{N-2}\binom{P-1}{k}` written with the index shifted,
    :math:`2\sum_{k=0}^{N-1}\binom{P-1}{k-1}` (the :math:`k=0` term is :math:`\binom{P-1}{-1}=0`).
    sympy merges the sums and Pascal's rule :math:`\binom{P}{k} = \binom{P-1}{k}+\binom{P-1}{k-1}`
    makes the summand vanish.  ``steps`` holds :math:`C(P,N-1)` before the shift (a test checks the
    shift on integers).  Geometrically: adding a point splits exactly the dichotomies whose
    separating hyperplanes can be made to pass through it.  Chapter 13.
    """
    P, N = sp.symbols("P N", integer=True, positive=True)
    k = sp.Symbol("k", integer=True, nonnegative=True)
    lhs = cover_count_symbolic(P + 1, N, k)
    shifted = 2 * sp.Sum(sp.binomial(P - 1, k - 1), (k, 0, N - 1))
    rhs = cover_count_symbolic(P, N, k) + shifted
    return Derivation(
        name="Cover's recursion",
        lhs=lhs,
        rhs=rhs,
        proves="C(P+1,N) = C(P,N) + C(P,N-1) (Pascal's rule under the sum)",
        chapter="13",
        assumptions=("P, N positive integers",),
        steps=(cover_count_symbolic(P, N - 1, k), shifted),
    )


@derivation
def ags_reduction() -> Derivation:
    r"""Eliminating :math:`C, r` from the AGS equations: :math:`\sqrt{2\alpha} = m/y - (2/\sqrt\pi)e^{-y^2}`.

    With :math:`y = m/\sqrt{2\alpha r}` (so :math:`\alpha r = m^2/(2y^2)`), the equations
    :math:`C = \sqrt{2/(\pi\alpha r)}\,e^{-m^2/(2\alpha r)}` and :math:`r = (1-C)^{-2}` give
    :math:`\sqrt{2\alpha} = \sqrt{2\alpha r}\,(1-C) = (m/y)(1-C)`; ``lhs`` is that expression with
    :math:`C` substituted, ``rhs`` the reduced form.  With :math:`m = \operatorname{erf}(y)` the right
    side is :math:`g(y)` of :func:`semtheory.capacity.hopfield_rs_gain`.  Chapter 13.
    """
    m, y = sp.symbols("m y", positive=True)
    alpha_r = m**2 / (2 * y**2)
    C = sp.sqrt(2 / (sp.pi * alpha_r)) * sp.exp(-(m**2) / (2 * alpha_r))
    lhs = sp.sqrt(2 * alpha_r) * (1 - C)
    rhs = m / y - 2 * sp.exp(-(y**2)) / sp.sqrt(sp.pi)
    return Derivation(
        name="AGS zero-temperature reduction",
        lhs=lhs,
        rhs=rhs,
        proves="sqrt(2 alpha) = m/y - (2/sqrt(pi)) exp(-y^2) on the retrieval branch, with m = erf(y)",
        chapter="13",
        assumptions=("m > 0", "y > 0", "1 - C > 0"),
        steps=(C,),
    )
