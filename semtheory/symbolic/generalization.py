r"""Symbolic identities behind the generalisation bounds of chapter 12 (sympy).

* :func:`hoeffding_two_point` — a two-point loss on :math:`\{a, b\}` has variance
  :math:`((b-a)/2)^2 - (b-a)^2(p-\tfrac12)^2`, so its variance never exceeds Hoeffding's proxy;
* :func:`binary_cross_entropy_softplus` — for :math:`K = 2` the cross-entropy is
  :math:`\log(1 + e^{-(z_y - z_{\bar y})})`;
* :func:`cross_entropy_upper_gap_k2` — for :math:`K = 2` the gap between :math:`\log 2 + r` and the worst
  loss :math:`r + \log(1 + e^{-r})` is :math:`\log\frac{2}{1+e^{-r}}`, zero at :math:`r = 0`;
* :func:`logit_bound_form` — :math:`\sqrt{2\sigma^2 I/n}` with :math:`\sigma = (\log K + B)/2` equals
  :math:`(\log K + B)\sqrt{I/(2n)}`.
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "hoeffding_two_point",
    "binary_cross_entropy_softplus",
    "cross_entropy_upper_gap_k2",
    "logit_bound_form",
]


@derivation
def hoeffding_two_point() -> Derivation:
    r""":math:`\Var L = \bigl(\tfrac{b-a}{2}\bigr)^2 - (b-a)^2(p-\tfrac12)^2` for :math:`L \in \{a, b\}`, :math:`\Prob(L=b)=p`.  Chapter 12."""
    a, b = sp.symbols("a b", real=True)
    p = sp.Symbol("p", positive=True)
    mean = (1 - p) * a + p * b
    var = (1 - p) * (a - mean) ** 2 + p * (b - mean) ** 2
    return Derivation(
        name="two-point variance vs Hoeffding proxy",
        lhs=var,
        rhs=((b - a) / 2) ** 2 - (b - a) ** 2 * (p - sp.Rational(1, 2)) ** 2,
        proves="a loss on two points has variance at most ((b-a)/2)^2, with equality iff p = 1/2",
        chapter="12",
        assumptions=("0 < p < 1",),
    )


@derivation
def binary_cross_entropy_softplus() -> Derivation:
    r""":math:`\log(e^{z_1} + e^{z_2}) - z_1 = \log(1 + e^{z_2 - z_1})`.  Chapter 12."""
    z1, z2 = sp.symbols("z_1 z_2", real=True)
    return Derivation(
        name="K = 2 cross-entropy is a softplus",
        lhs=sp.log(sp.exp(z1) + sp.exp(z2)) - z1,
        rhs=sp.log(1 + sp.exp(z2 - z1)),
        proves="for K = 2 the loss depends only on the logit difference and lies in (0, log 2 + |z_1 - z_2|)",
        chapter="12",
    )


@derivation
def cross_entropy_upper_gap_k2() -> Derivation:
    r""":math:`(\log 2 + r) - (r + \log(1 + e^{-r})) = \log\frac{2}{1 + e^{-r}}`.  Chapter 12."""
    r = sp.Symbol("r", nonnegative=True)
    return Derivation(
        name="K = 2 gap to the upper end",
        lhs=(sp.log(2) + r) - (r + sp.log(1 + sp.exp(-r))),
        rhs=sp.log(2 / (1 + sp.exp(-r))),
        proves="the upper end log K + r is attained at r = 0 and missed by at most log 2 for K = 2",
        chapter="12",
        assumptions=("r >= 0",),
    )


@derivation
def logit_bound_form() -> Derivation:
    r""":math:`\sqrt{2\sigma^2 I/n}` at :math:`\sigma = (\log K + B)/2` is :math:`(\log K + B)\sqrt{I/(2n)}`.  Chapter 12."""
    B, I, n = sp.symbols("B I n", positive=True)
    logK = sp.Symbol(r"\log K", positive=True)  # log K > 0 for K >= 2
    sigma = (logK + B) / 2
    return Derivation(
        name="logit-sum form of the Xu-Raginsky bound",
        lhs=sp.sqrt(2 * sigma**2 * I / n),
        rhs=(logK + B) * sp.sqrt(I / (2 * n)),
        proves="the bound grows linearly in the logit budget B",
        chapter="12",
        assumptions=("K >= 2", "B >= 0", "I >= 0", "n >= 1"),
    )
