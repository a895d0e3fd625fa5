r"""Symbolic identities of directed information (chapter 3).

Every information quantity of a finite family of random variables is a linear combination of the
joint entropies of its subsets: :math:`I(A;B \mid C) = H(A,C) + H(B,C) - H(A,B,C) - H(C)`.  Writing
each side of an identity in these *subset entropies* (one sympy symbol per subset) and expanding turns
an information identity into a polynomial identity that sympy checks exactly.  The no-feedback
derivation instead works on an explicit symbolic joint law of binary variables.
"""

from __future__ import annotations

import itertools

import sympy as sp

from . import Derivation, derivation

__all__ = [
    "subset_entropy",
    "cmi_entropies",
    "directed_information_entropies",
    "reverse_directed_information_entropies",
    "conservation_law",
    "conservation_law_n2",
    "conservation_law_n3",
    "di_equals_mi_n1",
    "causal_chain_rule_n2",
    "no_feedback_reverse_di_zero",
]



def _key(name: str) -> tuple[int, int]:
    # X1 < X2 < ... < Y1 < Y2 < ...: the joint layout order of semtheory.directed
    return (0 if name[0] == "X" else 1, int(name[1:]))


def subset_entropy(variables) -> sp.Expr:
    r"""The symbol :math:`H(V_1, \dots, V_k)` for a set of variable names such as ``{"X1", "Y1"}`` (0 for the empty set)."""
    names = sorted(set(variables), key=_key)
    if not names:
        return sp.Integer(0)
    label = ",".join(f"{v[0]}_{{{v[1:]}}}" for v in names)
    return sp.Symbol(f"H({label})", real=True)


def cmi_entropies(a, b, given=()) -> sp.Expr:
    r""":math:`I(A; B \mid C) = H(A \cup C) + H(B \cup C) - H(A \cup B \cup C) - H(C)` in subset entropies."""
    a, b, c = set(a), set(b), set(given)
    pos = [subset_entropy(a | c), subset_entropy(b | c)]
    neg = [subset_entropy(a | b | c), subset_entropy(c)]
    terms = [s for s in pos if s != 0] + [sp.Mul(-1, s, evaluate=False) for s in neg if s != 0]
    # kept unevaluated so that a chapter displays every term; expand() (used by holds()) evaluates it
    return sp.Add(*terms, evaluate=False)


def _xs(t):
    return {f"X{i}" for i in range(1, t + 1)}


def _ys(t):
    return {f"Y{i}" for i in range(1, t + 1)}


def directed_information_entropies(n: int) -> sp.Expr:
    r""":math:`I(X^n \to Y^n) = \sum_{t=1}^n I(X^t; Y_t \mid Y^{t-1})` expanded in subset entropies."""
    return sp.Add(*[cmi_entropies(_xs(t), {f"Y{t}"}, _ys(t - 1)) for t in range(1, n + 1)], evaluate=False)


def reverse_directed_information_entropies(n: int) -> sp.Expr:
    r""":math:`I(0{*}Y^{n-1} \to X^n) = \sum_{t=1}^n I(Y^{t-1}; X_t \mid X^{t-1})` expanded in subset entropies."""
    return sp.Add(*[cmi_entropies(_ys(t - 1), {f"X{t}"}, _xs(t - 1)) for t in range(2, n + 1)], evaluate=False)


def conservation_law(n: int) -> Derivation:
    r"""Massey & Massey's conservation law :math:`I(X^n;Y^n) = I(X^n\to Y^n) + I(0{*}Y^{n-1}\to X^n)` for a given ``n``.

    Both sides are written in subset entropies; the identity holds for every joint law.  Chapter 3.
    """
    lhs = cmi_entropies(_xs(n), _ys(n))
    rhs = sp.Add(directed_information_entropies(n), reverse_directed_information_entropies(n), evaluate=False)
    return Derivation(
        name=f"conservation law, n = {n}",
        lhs=lhs,
        rhs=rhs,
        proves=f"I(X^{n};Y^{n}) = I(X^{n} -> Y^{n}) + I(0*Y^{n - 1} -> X^{n}) for every joint law (Massey & Massey 2005)",
        chapter="3",
        assumptions=("any joint law of (X^n, Y^n)",),
    )


@derivation
def conservation_law_n2() -> Derivation:
    r"""Conservation law for two time steps, in subset entropies of :math:`\{X_1, X_2, Y_1, Y_2\}`.  Chapter 3."""
    return conservation_law(2)


@derivation
def conservation_law_n3() -> Derivation:
    r"""Conservation law for three time steps, in subset entropies of six variables.  Chapter 3."""
    return conservation_law(3)


@derivation
def di_equals_mi_n1() -> Derivation:
    r"""For one step, :math:`I(X_1 \to Y_1) = H(Y_1) - H(Y_1 \| X_1) = I(X_1; Y_1)`.  Chapter 3."""
    H = subset_entropy
    cc = sp.Add(H({"X1", "Y1"}), sp.Mul(-1, H({"X1"}), evaluate=False), evaluate=False)  # H(Y1 || X1)
    lhs = sp.Add(H({"Y1"}), sp.Mul(-1, cc, evaluate=False), evaluate=False)
    rhs = cmi_entropies({"X1"}, {"Y1"})
    return Derivation(
        name="directed information equals mutual information for n = 1",
        lhs=lhs,
        rhs=rhs,
        proves="I(X_1 -> Y_1) = H(Y_1) - H(Y_1 || X_1) = I(X_1; Y_1)",
        chapter="3",
    )


@derivation
def causal_chain_rule_n2() -> Derivation:
    r""":math:`H(X^2, Y^2) = H(Y^2 \| X^2) + H(X^2 \| Y^1)` in subset entropies.  Chapter 3."""
    # H(Y^2 || X^2) = H(Y1 | X1) + H(Y2 | X1, X2, Y1); H(X^2 || Y^1) = H(X1) + H(X2 | X1, Y1)
    H = subset_entropy
    def cond(a, b):  # H(A | B) = H(A, B) - H(B), unevaluated
        return sp.Add(H(a | b), sp.Mul(-1, H(b), evaluate=False), evaluate=False) if b else H(a)

    cc_y = sp.Add(cond({"Y1"}, {"X1"}), cond({"Y2"}, {"X1", "X2", "Y1"}), evaluate=False)
    cc_x = sp.Add(cond({"X1"}, set()), cond({"X2"}, {"X1", "Y1"}), evaluate=False)
    return Derivation(
        name="chain rule of causal conditioning, n = 2",
        lhs=H({"X1", "X2", "Y1", "Y2"}),
        rhs=sp.Add(cc_y, cc_x, evaluate=False),
        proves="H(X^2, Y^2) = H(Y^2 || X^2) + H(X^2 || Y^1)",
        chapter="3",
    )


@derivation
def no_feedback_reverse_di_zero() -> Derivation:
    r"""Without feedback the reverse term :math:`I(Y_1; X_2 \mid X_1)` of a symbolic binary law is 0.

    Law :math:`P(x_1)P(y_1 \mid x_1)P(x_2 \mid x_1)`: the input :math:`X_2` ignores :math:`Y_1`.  The
    conditional mutual information, written as :math:`\sum p \log \frac{p(x_1,y_1,x_2)p(x_1)}{p(x_1,y_1)p(x_1,x_2)}`
    with every marginal computed symbolically, simplifies to 0; so for ``n = 2`` the conservation law
    gives :math:`I(X^2;Y^2) = I(X^2 \to Y^2)`.  Chapter 3.
    """
    a = sp.Symbol("a", positive=True)  # P(X1 = 1)
    b0, b1 = sp.symbols("b_0 b_1", positive=True)  # P(Y1 = 1 | X1 = x)
    c0, c1 = sp.symbols("c_0 c_1", positive=True)  # P(X2 = 1 | X1 = x), no Y1
    px1 = {0: 1 - a, 1: a}
    py = {0: {0: 1 - b0, 1: b0}, 1: {0: 1 - b1, 1: b1}}
    px2 = {0: {0: 1 - c0, 1: c0}, 1: {0: 1 - c1, 1: c1}}
    joint = {
        (x1, y1, x2): px1[x1] * py[x1][y1] * px2[x1][x2]
        for x1, y1, x2 in itertools.product((0, 1), repeat=3)
    }

    def marg(keep):
        out = {}
        for k, v in joint.items():
            kk = tuple(k[i] for i in keep)
            out[kk] = out.get(kk, 0) + v
        return out

    m1, m12, m13 = marg((0,)), marg((0, 1)), marg((0, 2))
    terms = []
    for (x1, y1, x2), v in joint.items():
        ratio = v * m1[(x1,)] / (m12[(x1, y1)] * m13[(x1, x2)])
        terms.append(v * sp.log(ratio))
    lhs = sp.Add(*terms)
    return Derivation(
        name="no feedback: I(Y_1; X_2 | X_1) = 0",
        lhs=lhs,
        rhs=sp.Integer(0),
        proves="without feedback the reverse directed information vanishes, so DI = MI (n = 2, binary)",
        chapter="3",
        assumptions=("P(x_2 | x_1, y_1) = P(x_2 | x_1)", "0 < a, b_x, c_x < 1"),
    )
