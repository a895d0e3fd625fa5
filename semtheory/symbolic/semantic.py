r"""Symbolic identities behind chapter 14's measures: the flow telescopes; attention entropy is a free-energy gap.

**Telescoping.**  Two prompts :math:`x_1, x_2` with weights :math:`w, 1-w`; the model writes :math:`y_1, y_2` with
:math:`a_k = P(y_1 \mid x_k)` and :math:`b_k = P(y_2 \mid x_k, y_1)` (symbols in :math:`(0, 1)`).  The output-only
observer's belief is :math:`\pi_1(1) = w a_1 / (w a_1 + (1-w) a_2)` after one token, and the densities of
prompt 1 are :math:`\iota_1 = \log a_1 / (w a_1 + (1-w) a_2)`, :math:`\iota_2 = \log b_1 / (\pi_1(1) b_1 + \pi_1(2) b_2)`.
Their sum is :math:`\log \pi_2(1)/w`.  The numeric tests check the same identity for any number of prompts,
tokens and vocabulary (:func:`semtheory.semantic.sample_prompt_flow`).

**Attention entropy.**  A Boltzmann law :math:`\alpha_j = e^{-\beta e_j}/Z` over three keys with energies
:math:`e_j` has entropy :math:`\beta(\bar E - F)` with :math:`\bar E = \sum_j \alpha_j e_j`,
:math:`F = -\beta^{-1}\ln Z`.
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = ["flow_telescopes", "attention_entropy_is_free_energy_gap"]


@derivation
def flow_telescopes() -> Derivation:
    r""":math:`\iota_1 + \iota_2 = \log \pi_2(1)/w`: the flow of a generation is the log posterior-to-prior ratio of its prompt.  Chapter 14."""
    w, a1, a2, b1, b2 = sp.symbols("w a_1 a_2 b_1 b_2", positive=True)
    m1 = w * a1 + (1 - w) * a2
    pi1 = w * a1 / m1
    iota1 = sp.log(a1 / m1)
    iota2 = sp.log(b1 / (pi1 * b1 + (1 - pi1) * b2))
    pi2 = w * a1 * b1 / (w * a1 * b1 + (1 - w) * a2 * b2)
    return Derivation(
        name="the flow telescopes to a log posterior ratio",
        lhs=iota1 + iota2,
        rhs=sp.log(pi2 / w),
        proves="Lambda_n = log pi_n(k) / w_k, hence Lambda_n <= log(1/w_k) on every path",
        chapter="14",
        assumptions=("0 < w < 1", "all conditional probabilities positive"),
        steps=(iota1, iota2),
    )


@derivation
def attention_entropy_is_free_energy_gap() -> Derivation:
    r""":math:`-\sum_j \alpha_j \ln\alpha_j = \beta(\bar E - F)` for the attention law :math:`\alpha = \softmax(-\beta e)`.  Chapter 14."""
    beta = sp.Symbol("beta", positive=True)
    e = sp.symbols("e_1:4", real=True)
    Z = sp.Add(*[sp.exp(-beta * ej) for ej in e])
    alpha = [sp.exp(-beta * ej) / Z for ej in e]
    F = -sp.log(Z) / beta
    Ebar = sp.Add(*[a * ej for a, ej in zip(alpha, e)])
    return Derivation(
        name="attention entropy is a free-energy gap",
        lhs=-sp.Add(*[a * sp.log(a) for a in alpha]),
        rhs=beta * (Ebar - F),
        proves="the entropy of an attention law (nats) is beta times the mean key energy minus the free energy",
        chapter="14",
        assumptions=("beta > 0",),
    )
