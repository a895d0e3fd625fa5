r"""Symbolic identities behind the state-space layers of chapter 15 (sympy).

* :func:`zoh_input_integral` — zero-order hold: :math:`\int_0^\Delta e^{as}\,b\,ds = (\Delta a)^{-1}(e^{\Delta a}-1)\,\Delta b`;
* :func:`zoh_solves_ode` — :math:`h(\tau) = e^{a\tau}h_0 + \frac{e^{a\tau}-1}{a}\,b\,u` solves :math:`\dot h = a h + b u`;
* :func:`zoh_euler_limit` — :math:`\bar B = \Delta b + \tfrac12 \Delta^2 a b + O(\Delta^3)`: Euler is the first-order term;
* :func:`zoh_diagonal` — for diagonal :math:`A`, :math:`(\Delta A)^{-1}(e^{\Delta A}-I)\Delta B` is elementwise
  :math:`(e^{\Delta a_i}-1)\,b_i / a_i`;
* :func:`ssd_unrolled_recurrence` — unrolling :math:`h_t = a_t h_{t-1} + B_t x_t`, :math:`y_t = C_t^\T h_t` gives
  :math:`y_i = \sum_{j \le i} L_{ij}\, C_i^\T B_j\, x_j` with :math:`L_{ij} = \prod_{k=j+1}^{i} a_k`;
* :func:`semiseparable_ratio` — :math:`L_{ij} = \ell_i/\ell_j = \exp\sum_{k=j+1}^i \log a_k` with
  :math:`\ell_i = \prod_{k \le i} a_k`: every block below the diagonal has rank one.
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "zoh_input_integral",
    "zoh_solves_ode",
    "zoh_euler_limit",
    "zoh_diagonal",
    "ssd_unrolled_recurrence",
    "semiseparable_ratio",
]

_a = sp.Symbol("a", negative=True)
_b, _u, _h0 = sp.symbols("b u h_0", real=True)
_delta = sp.Symbol("Delta", positive=True)
_s, _tau = sp.symbols("s tau", nonnegative=True)


def _zoh_B(a, delta, b):
    return (delta * a) ** -1 * (sp.exp(delta * a) - 1) * delta * b


@derivation
def zoh_input_integral() -> Derivation:
    r""":math:`\int_0^\Delta e^{as} b\,ds = (\Delta a)^{-1}(e^{\Delta a}-1)\Delta b`: the ZOH input matrix :math:`\bar B`.  Chapter 15."""
    integral = sp.Integral(sp.exp(_a * _s) * _b, (_s, 0, _delta))
    return Derivation(
        name="zero-order hold input gain",
        lhs=integral.doit(),
        rhs=_zoh_B(_a, _delta, _b),
        proves="holding the input constant over a step Delta, the state gains (Delta a)^{-1}(e^{Delta a}-1) Delta b per unit input",
        chapter="15",
        assumptions=("a < 0", "Delta > 0"),
        steps=(integral,),
    )


@derivation
def zoh_solves_ode() -> Derivation:
    r""":math:`h(\tau) = e^{a\tau} h_0 + \frac{e^{a\tau}-1}{a} b u` satisfies :math:`\dot h = a h + b u` (with :math:`h(0) = h_0` by inspection).  Chapter 15."""
    h = sp.exp(_a * _tau) * _h0 + (sp.exp(_a * _tau) - 1) / _a * _b * _u
    return Derivation(
        name="the ZOH step solves the ODE",
        lhs=sp.diff(h, _tau),
        rhs=_a * h + _b * _u,
        proves="h_t = e^{Delta a} h_{t-1} + Bbar u_t is the exact solution of dh/dt = a h + b u over one step",
        chapter="15",
        assumptions=("a < 0", "u constant over the step"),
        steps=(h,),
    )


@derivation
def zoh_euler_limit() -> Derivation:
    r""":math:`\bar B = \Delta b + \tfrac12\Delta^2 a b + O(\Delta^3)` and :math:`\bar A = 1 + \Delta a + O(\Delta^2)`: Euler to first order.  Chapter 15."""
    Bbar = _zoh_B(_a, _delta, _b)
    series_B = sp.series(Bbar, _delta, 0, 3).removeO()
    series_A = sp.series(sp.exp(_delta * _a), _delta, 0, 2).removeO()
    return Derivation(
        name="the Euler limit of ZOH",
        lhs=series_B + series_A,
        rhs=_delta * _b + _delta**2 * _a * _b / 2 + 1 + _delta * _a,
        proves="for small steps ZOH reduces to Euler: Abar ~ 1 + Delta a, Bbar ~ Delta b (next term Delta^2 a b / 2)",
        chapter="15",
        steps=(Bbar,),
    )


@derivation
def zoh_diagonal() -> Derivation:
    r"""For :math:`A = \operatorname{diag}(a_1, a_2, a_3)`: :math:`(\Delta A)^{-1}(e^{\Delta A}-I)\Delta B = \bigl((e^{\Delta a_i}-1) b_i/a_i\bigr)_i`.

    Proved for every component at once through :math:`\sum_i w_i [\cdot]_i` with free weights :math:`w_i`.
    Chapter 15.
    """
    a = sp.symbols("a_1:4", negative=True)
    b = sp.symbols("b_1:4", real=True)
    w = sp.symbols("w_1:4", real=True)
    A = sp.diag(*a)
    Bm = sp.Matrix(b)
    matrix = (_delta * A).inv() * ((_delta * A).exp() - sp.eye(3)) * _delta * Bm
    elementwise = [(sp.exp(_delta * a[i]) - 1) * b[i] / a[i] for i in range(3)]
    return Derivation(
        name="ZOH for a diagonal state matrix",
        lhs=sum(w[i] * matrix[i] for i in range(3)),
        rhs=sum(w[i] * elementwise[i] for i in range(3)),
        proves="with diagonal A the matrix formula for Bbar acts channel by channel: (e^{Delta a_i} - 1) b_i / a_i",
        chapter="15",
        assumptions=("a_i < 0", "Delta > 0"),
    )


@derivation
def ssd_unrolled_recurrence() -> Derivation:
    r"""The recurrence :math:`h_t = a_t h_{t-1} + B_t x_t`, :math:`y_t = C_t^\T h_t` equals the masked matrix form.

    With :math:`n = 4` steps and a state in :math:`\R^2`: :math:`\sum_i w_i y_i = \sum_i w_i \sum_{j\le i}
    \bigl(\prod_{k=j+1}^{i} a_k\bigr)\, C_i^\T B_j\, x_j` for free weights :math:`w_i`, i.e.
    :math:`y = (L \circ C B^\T)\,x` entry by entry.  Chapter 15.
    """
    n, N = 4, 2
    a = sp.symbols(f"a_1:{n + 1}", positive=True)
    x = sp.symbols(f"x_1:{n + 1}", real=True)
    w = sp.symbols(f"w_1:{n + 1}", real=True)
    B = [sp.Matrix([sp.Symbol(f"B_{i}{r}", real=True) for r in range(1, N + 1)]) for i in range(1, n + 1)]
    C = [sp.Matrix([sp.Symbol(f"C_{i}{r}", real=True) for r in range(1, N + 1)]) for i in range(1, n + 1)]
    h = sp.zeros(N, 1)
    y = []
    for t in range(n):
        h = a[t] * h + B[t] * x[t]
        y.append((C[t].T * h)[0])
    L = [[sp.Mul(*a[j + 1:i + 1]) if j <= i else 0 for j in range(n)] for i in range(n)]
    matrix_form = [sum(L[i][j] * (C[i].T * B[j])[0] * x[j] for j in range(i + 1)) for i in range(n)]
    return Derivation(
        name="state-space duality: recurrence = 1-semiseparable matrix",
        lhs=sp.expand(sum(w[i] * y[i] for i in range(n))),
        rhs=sp.expand(sum(w[i] * matrix_form[i] for i in range(n))),
        proves="unrolling the scalar-decay recurrence gives y = (L o C B^T) x with L_ij = prod_{k=j+1}^{i} a_k",
        chapter="15",
        assumptions=("a_t > 0",),
        steps=(sp.Matrix(L),),
    )


@derivation
def semiseparable_ratio() -> Derivation:
    r""":math:`\prod_{k=j+1}^{i} a_k = \ell_i/\ell_j = \exp\sum_{k=j+1}^{i}\log a_k` for all :math:`j \le i \le 5`.

    :math:`\ell_i = \prod_{k\le i} a_k`, so :math:`L = \operatorname{diag}(\ell)\,\mathbf 1\mathbf 1^\T
    \operatorname{diag}(\ell)^{-1}` below the diagonal: rank one (1-semiseparable), and computable in the
    log domain.  Chapter 15.
    """
    n = 5
    a = sp.symbols(f"a_1:{n + 1}", positive=True)
    ell = [sp.Mul(*a[: i + 1]) for i in range(n)]
    pairs = [(i, j) for i in range(n) for j in range(i + 1)]
    w = {p: sp.Symbol(f"w_{p[0] + 1}{p[1] + 1}", real=True) for p in pairs}
    direct = sum(w[(i, j)] * sp.Mul(*a[j + 1:i + 1]) for i, j in pairs)
    ratio = sum(w[(i, j)] * ell[i] / ell[j] for i, j in pairs)
    logform = sum(w[(i, j)] * sp.exp(sum(sp.log(a[k]) for k in range(j + 1, i + 1))) for i, j in pairs)
    return Derivation(
        name="the decay mask is a ratio of cumulative products",
        lhs=direct + ratio,
        rhs=2 * logform,
        proves="L_ij = ell_i / ell_j = exp(sum_{k=j+1}^i log a_k): rank one below the diagonal, stable in the log domain",
        chapter="15",
        assumptions=("a_k > 0",),
    )
