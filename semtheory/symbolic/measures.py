r"""Symbolic identities of Shannon's measures (chapter 2), proved by sympy on symbolic laws.

The 2×2 joint law has four positive symbols :math:`p_{xy} = P(X=x, Y=y)`, :math:`x, y \in \{0, 1\}`.
Every marginal (:math:`p(x) = p_{x0} + p_{x1}`, :math:`p(y) = p_{0y} + p_{1y}`) and every conditional is
computed *from the joint* symbolically, so the identities are checked, not assumed.  They hold without
using :math:`\sum p_{xy} = 1`, i.e. for every positive 2×2 table and in particular for every 2×2 law of
full support.  The two-point laws are :math:`(p, 1-p)` and :math:`(q, 1-q)` with :math:`0 < p, q < 1`.
Everything is in nats (natural logarithms); other bases only rescale both sides.
"""

from __future__ import annotations

import itertools

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "joint_2x2",
    "chain_rule_2x2",
    "mutual_information_2x2",
    "kl_two_point",
    "kl_two_point_antiderivative",
    "kl_two_point_gradient",
    "kl_two_point_curvature",
    "kl_cross_entropy_gap",
    "pinsker_two_point_gradient",
]

p, q, t = sp.symbols("p q t", positive=True)


def joint_2x2() -> dict[tuple[int, int], sp.Expr]:
    r"""The symbolic joint law :math:`p(x, y) = p_{xy}` of two bits (four positive symbols)."""
    return {(x, y): sp.Symbol(f"p_{{{x}{y}}}", positive=True) for x, y in itertools.product((0, 1), repeat=2)}


def _marg(joint, axis):
    out = {}
    for k, v in joint.items():
        out[k[axis]] = out.get(k[axis], 0) + v
    return out


def _entropy(pmf) -> sp.Expr:
    return sp.Add(*[-v * sp.log(v) for v in pmf.values()])


@derivation
def chain_rule_2x2() -> Derivation:
    r"""Chain rule :math:`H(X,Y) = H(X) + H(Y \mid X)` for the symbolic 2×2 joint law (nats).  Chapter 2.

    :math:`H(Y\mid X) = -\sum p(x,y) \log \frac{p(x,y)}{p(x)}` with :math:`p(x) = \sum_y p(x,y)`.
    """
    j = joint_2x2()
    px = _marg(j, 0)
    h_y_x = sp.Add(*[-v * sp.log(v / px[x]) for (x, _y), v in j.items()])
    return Derivation(
        name="chain rule of entropy, 2x2 law",
        lhs=_entropy(j),
        rhs=sp.Add(_entropy(px), h_y_x, evaluate=False),
        proves="H(X,Y) = H(X) + H(Y|X) for every 2x2 joint law of full support",
        chapter="2",
        assumptions=("p_xy > 0 (the normalisation sum p_xy = 1 is not even needed)",),
    )


@derivation
def mutual_information_2x2() -> Derivation:
    r""":math:`I(X;Y) = \sum p(x,y)\log\frac{p(x,y)}{p(x)p(y)} = H(X) - H(X \mid Y)` for the 2×2 law (nats).  Chapter 2."""
    j = joint_2x2()
    px, py = _marg(j, 0), _marg(j, 1)
    mi = sp.Add(*[v * sp.log(v / (px[x] * py[y])) for (x, y), v in j.items()])
    h_x_y = sp.Add(*[-v * sp.log(v / py[y]) for (_x, y), v in j.items()])
    return Derivation(
        name="mutual information as a reduction of entropy, 2x2 law",
        lhs=mi,
        rhs=sp.Add(_entropy(px), sp.Mul(-1, h_x_y, evaluate=False), evaluate=False),
        proves="I(X;Y) = H(X) - H(X|Y) for every 2x2 joint law of full support",
        chapter="2",
        assumptions=("p_xy > 0 (the normalisation sum p_xy = 1 is not even needed)",),
    )


def kl_two_point() -> sp.Expr:
    r""":math:`D(p\|q) = p \log\frac{p}{q} + (1-p)\log\frac{1-p}{1-q}` (nats) as a sympy expression in ``p, q``."""
    return p * (sp.log(p) - sp.log(q)) + (1 - p) * (sp.log(1 - p) - sp.log(1 - q))


def _g(x):
    # antiderivative of (t - p) / (t (1 - t)) in t
    return -p * sp.log(x) - (1 - p) * sp.log(1 - x)


@derivation
def kl_two_point_antiderivative() -> Derivation:
    r""":math:`D(p\|q) = G(q) - G(p)` with :math:`G(t) = -p\log t - (1-p)\log(1-t)`, :math:`G'(t) = \frac{t-p}{t(1-t)}`.

    So :math:`D(p\|q) = \int_p^q \frac{t-p}{t(1-t)}\,dt`: the integrand has the sign of :math:`t - p`,
    hence the integral is :math:`\ge 0` whichever side of :math:`p` the point :math:`q` lies, and 0 only
    at :math:`q = p`.  Chapter 2.
    """
    return Derivation(
        name="KL of two-point laws as an integral of (t - p)/(t(1 - t))",
        lhs=kl_two_point(),
        rhs=sp.Add(_g(q), sp.Mul(-1, _g(p), evaluate=False), evaluate=False),
        proves="D(p||q) = G(q) - G(p), G'(t) = (t - p)/(t(1 - t)); hence D(p||q) >= 0 with equality iff q = p",
        chapter="2",
        assumptions=("0 < p, q < 1",),
        steps=(sp.Eq(sp.diff(_g(t), t), (t - p) / (t * (1 - t))),),
    )


@derivation
def kl_two_point_gradient() -> Derivation:
    r""":math:`\partial D(p\|q) / \partial q = \frac{q - p}{q(1-q)}`: zero exactly at :math:`q = p`, where :math:`D = 0`.  Chapter 2."""
    return Derivation(
        name="derivative of the two-point KL in q",
        lhs=sp.diff(kl_two_point(), q),
        rhs=(q - p) / (q * (1 - q)),
        proves="the two-point D(p||.) is stationary only at q = p, decreasing before and increasing after it",
        chapter="2",
        assumptions=("0 < p, q < 1",),
    )


@derivation
def kl_two_point_curvature() -> Derivation:
    r""":math:`\partial^2 D(p\|q) / \partial q^2 = \frac{p}{q^2} + \frac{1-p}{(1-q)^2} > 0`: strictly convex in q.  Chapter 2."""
    return Derivation(
        name="second derivative of the two-point KL in q",
        lhs=sp.diff(kl_two_point(), q, 2),
        rhs=p / q**2 + (1 - p) / (1 - q) ** 2,
        proves="the two-point D(p||.) is strictly convex, so its stationary point q = p is its global minimum 0",
        chapter="2",
        assumptions=("0 < p, q < 1",),
    )


@derivation
def kl_cross_entropy_gap() -> Derivation:
    r""":math:`D(p\|q) = H(p, q) - H(p)` for symbolic three-point laws (nats).  Chapter 2."""
    ps = sp.symbols("p_1:4", positive=True)
    qs = sp.symbols("q_1:4", positive=True)
    kl = sp.Add(*[pi * sp.log(pi / qi) for pi, qi in zip(ps, qs)])
    ce = sp.Add(*[-pi * sp.log(qi) for pi, qi in zip(ps, qs)])
    h = sp.Add(*[-pi * sp.log(pi) for pi in ps])
    return Derivation(
        name="KL divergence as the excess of cross-entropy over entropy",
        lhs=kl,
        rhs=sp.Add(ce, sp.Mul(-1, h, evaluate=False), evaluate=False),
        proves="D(p||q) = H(p, q) - H(p): the extra code length of coding p with a code built for q",
        chapter="2",
        assumptions=("p_i, q_i > 0",),
    )


@derivation
def pinsker_two_point_gradient() -> Derivation:
    r"""Derivative in :math:`b` of :math:`g(b) = D(\mathrm{Ber}(a)\|\mathrm{Ber}(b)) - 2(a-b)^2` (nats): :math:`(b-a)\big(\frac{1}{b(1-b)} - 4\big)`.  Chapter 2.

    The step of Pinsker's inequality after the reduction to two points: :math:`g(a) = 0` and
    :math:`g' \le 0` for :math:`b \le a`, because :math:`b(1-b) \le 1/4`.
    """
    a, b = sp.symbols("a b", positive=True)
    g = a * sp.log(a / b) + (1 - a) * sp.log((1 - a) / (1 - b)) - 2 * (a - b) ** 2
    return Derivation(
        name="Pinsker: derivative of the two-point slack",
        lhs=sp.diff(g, b),
        rhs=(b - a) * (1 / (b * (1 - b)) - 4),
        proves="g'(b) = (b - a)(1/(b(1-b)) - 4), which is <= 0 for b <= a, so D(Ber(a)||Ber(b)) >= 2(a - b)^2",
        chapter="2",
        assumptions=("0 < a, b < 1",),
    )
