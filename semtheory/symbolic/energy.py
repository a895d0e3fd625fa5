r"""Symbolic identities of the modern-Hopfield energy and its CCCP update (chapter 10).

Three stored patterns :math:`x_1, x_2, x_3 \in \R^2` with symbolic coordinates :math:`x_{jk}`, a state
:math:`\xi = (\xi_1, \xi_2)` and an inverse temperature :math:`\beta > 0`:

.. math:: E(\xi) = -\beta^{-1}\ln\sum_j e^{\beta x_j^\T\xi} + \tfrac12\xi^\T\xi, \qquad
          p_j(\xi) = \frac{e^{\beta x_j^\T\xi}}{\sum_l e^{\beta x_l^\T\xi}} .

Three patterns in two dimensions are in general position; the numeric tests check every identity in any
dimension and for any number of patterns.  The gradient of the free energy in the energies
(:math:`\partial F/\partial E_v = P_v`, softmax = gradient of log-sum-exp) is chapter 4's
:func:`semtheory.symbolic.boltzmann.free_energy_gradient` and is not repeated here.
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "symbols",
    "hopfield_energy_gradient",
    "cccp_step",
    "fixed_point_is_stationary",
    "lse_hessian",
    "small_beta_limit",
]

_N, _D = 3, 2


def symbols():
    r"""``(X, xi, beta, p, E)``: patterns ``X`` (3×2 sympy Matrix, row j = :math:`x_j^\T`), state ``xi`` (2×1), ``beta``,
    attention weights ``p`` (list of 3 expressions) and the energy ``E`` (without the constant)."""
    X = sp.Matrix(_N, _D, lambda j, k: sp.Symbol(f"x_{j + 1}{k + 1}", real=True))
    xi = sp.Matrix(_D, 1, lambda k, _: sp.Symbol(f"xi_{k + 1}", real=True))
    beta = sp.Symbol("beta", positive=True)
    z = X * xi  # overlaps x_j^T xi
    w = [sp.exp(beta * z[j]) for j in range(_N)]
    Z = sp.Add(*w)
    p = [wj / Z for wj in w]
    E = -sp.log(Z) / beta + (xi.T * xi)[0] / 2
    return X, xi, beta, p, E


def _update(X, p, k):
    """Coordinate k of X softmax(beta X^T xi) = sum_j p_j x_jk."""
    return sp.Add(*[p[j] * X[j, k] for j in range(_N)])


@derivation
def hopfield_energy_gradient() -> Derivation:
    r""":math:`\partial E/\partial \xi_1 = \xi_1 - \sum_j p_j x_{j1}`, i.e. :math:`\nabla E = \xi - X\softmax(\beta X^\T\xi)`.  Chapter 10."""
    X, xi, beta, p, E = symbols()
    return Derivation(
        name="gradient of the modern Hopfield energy",
        lhs=sp.diff(E, xi[0]),
        rhs=xi[0] - _update(X, p, 0),
        proves="grad E(xi) = xi - X softmax(beta X^T xi): the update xi - grad E is one step of softmax attention",
        chapter="10",
        assumptions=("beta > 0", "three patterns in R^2; the computation is the same in every coordinate and dimension"),
        steps=(sp.Derivative(E, xi[0]),),
    )


@derivation
def cccp_step() -> Derivation:
    r"""The minimiser of the CCCP majoriser :math:`U(\xi;\xi_t)` is :math:`X\softmax(\beta X^\T\xi_t)` (sympy solves :math:`\nabla U = 0`).  Chapter 10.

    :math:`U(\xi;\xi_t) = \tfrac12\xi^\T\xi - \operatorname{lse}(\xi_t) - \sum_k \partial_k
    \operatorname{lse}(\xi_t)\,(\xi_k - \xi_{t,k})`: the concave part :math:`-\operatorname{lse}` replaced by its
    tangent at :math:`\xi_t`.  The identity compares sympy's solution for :math:`\xi_1` with the first
    coordinate of the attention output at :math:`\xi_t`.
    """
    X, xt, beta, p, E = symbols()
    xi = sp.Matrix(_D, 1, lambda k, _: sp.Symbol(f"eta_{k + 1}", real=True))  # the free variable
    lse_t = sp.log(sp.Add(*[sp.exp(beta * (X * xt)[j]) for j in range(_N)])) / beta
    grad_t = [sp.diff(lse_t, xt[k]) for k in range(_D)]
    U = (xi.T * xi)[0] / 2 - lse_t - sp.Add(*[grad_t[k] * (xi[k] - xt[k]) for k in range(_D)])
    sol = sp.solve([sp.diff(U, xi[k]) for k in range(_D)], list(xi), dict=True)[0]
    return Derivation(
        name="the CCCP step is softmax attention",
        lhs=sol[xi[0]],
        rhs=_update(X, p, 0),
        proves="argmin_xi U(xi; xi_t) = X softmax(beta X^T xi_t), one attention step with query xi_t and keys = values = patterns",
        chapter="10",
        assumptions=("beta > 0", "U is the energy with -lse replaced by its tangent at xi_t (a convex quadratic)"),
        steps=(sp.Eq(sp.Symbol("U"), U, evaluate=False),),
    )


@derivation
def fixed_point_is_stationary() -> Derivation:
    r"""Fixed-point equation: :math:`\xi - \nabla E(\xi) = X\softmax(\beta X^\T\xi)`, so :math:`\xi = X\softmax(\beta X^\T\xi) \iff \nabla E(\xi) = 0`.  Chapter 10."""
    X, xi, beta, p, E = symbols()
    return Derivation(
        name="fixed points of the update are the stationary points of E",
        lhs=xi[1] - sp.diff(E, xi[1]),
        rhs=_update(X, p, 1),
        proves="the CCCP update is xi -> xi - grad E(xi); its fixed points xi = X softmax(beta X^T xi) are exactly the stationary points of E",
        chapter="10",
        assumptions=("beta > 0",),
    )


@derivation
def lse_hessian() -> Derivation:
    r""":math:`\partial^2 \operatorname{lse}/\partial\xi_1\partial\xi_2 = \beta\,\Cov_p(x_{\cdot 1}, x_{\cdot 2})`: the Hessian of lse is :math:`\beta X\,(\operatorname{diag}p - pp^\T)X^\T \succeq 0`.  Chapter 10.

    A covariance matrix is positive semi-definite, so lse is convex and :math:`-\operatorname{lse}` concave:
    the split :math:`E = \tfrac12\xi^\T\xi + (-\operatorname{lse})` is a convex-plus-concave split (the premise of CCCP).
    """
    X, xi, beta, p, E = symbols()
    lse = -(E - (xi.T * xi)[0] / 2)
    m1, m2 = _update(X, p, 0), _update(X, p, 1)
    cov = sp.Add(*[p[j] * X[j, 0] * X[j, 1] for j in range(_N)]) - m1 * m2
    return Derivation(
        name="Hessian of log-sum-exp is beta times a covariance",
        lhs=sp.diff(lse, xi[0], xi[1]),
        rhs=beta * cov,
        proves="Hess lse = beta X (diag p - p p^T) X^T >= 0: lse is convex, so E = convex + concave and CCCP applies",
        chapter="10",
        assumptions=("beta > 0",),
    )


@derivation
def small_beta_limit() -> Derivation:
    r""":math:`\lim_{\beta\to0} X\softmax(\beta X^\T\xi) = \tfrac1N\sum_j x_j`: at high temperature the update returns the mean pattern.  Chapter 10."""
    X, xi, beta, p, E = symbols()
    return Derivation(
        name="small beta: the update returns the mean pattern",
        lhs=sp.limit(_update(X, p, 0), beta, 0),
        rhs=sp.Add(*[X[j, 0] for j in range(_N)]) / _N,
        proves="beta -> 0: softmax -> uniform, so one update returns the mean of the stored patterns",
        chapter="10",
        assumptions=("beta -> 0+",),
    )
