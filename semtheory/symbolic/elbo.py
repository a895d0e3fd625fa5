r"""Symbolic identities of the evidence lower bound on a two-state latent (chapter 11).

A latent :math:`z \in \{1, 2\}` with joint weights :math:`p(x, z{=}1) = p_1`, :math:`p(x, z{=}2) = p_2`
(positive symbols, so :math:`p(x) = p_1 + p_2`) and a variational law :math:`q = (a, 1-a)`, :math:`0<a<1`.
"""

from __future__ import annotations

import sympy as sp

from . import Derivation, derivation

__all__ = ["symbols", "elbo_decomposition", "elbo_gap_is_kl", "elbo_tight_at_posterior", "elbo_stationary_at_posterior",
           "rate_is_information_plus_prior_kl"]


def symbols():
    r"""``(p1, p2, a, elbo, kl)``: joint weights, variational mass on :math:`z=1`, the ELBO and :math:`\KL(q\cc p(z|x))` (nats)."""
    p1, p2 = sp.symbols("p_1 p_2", positive=True)
    a = sp.Symbol("a", positive=True)
    elbo = a * (sp.log(p1) - sp.log(a)) + (1 - a) * (sp.log(p2) - sp.log(1 - a))
    post1, post2 = p1 / (p1 + p2), p2 / (p1 + p2)
    kl = a * sp.log(a / post1) + (1 - a) * sp.log((1 - a) / post2)
    return p1, p2, a, elbo, kl


@derivation
def elbo_decomposition() -> Derivation:
    r""":math:`\ln p(x) = \mathrm{ELBO}(q) + \KL(q \cc p(z|x))` for every :math:`q` (two-state latent)."""
    p1, p2, a, elbo, kl = symbols()
    return Derivation("elbo_decomposition", sp.log(p1 + p2), elbo + kl,
                      "the log-evidence splits into the ELBO plus the KL divergence to the exact posterior", "11",
                      ("p_1, p_2 > 0", "0 < a < 1"))


@derivation
def elbo_gap_is_kl() -> Derivation:
    r"""The gap :math:`\ln p(x) - \mathrm{ELBO}(q)` equals :math:`\KL(q\cc p(z|x))`, written out term by term."""
    p1, p2, a, elbo, _ = symbols()
    kl_explicit = a * (sp.log(a) - sp.log(p1) + sp.log(p1 + p2)) + (1 - a) * (sp.log(1 - a) - sp.log(p2) + sp.log(p1 + p2))
    return Derivation("elbo_gap_is_kl", sp.log(p1 + p2) - elbo, kl_explicit,
                      "the ELBO's gap is the relative entropy from q to the posterior", "11",
                      ("p_1, p_2 > 0", "0 < a < 1"))


@derivation
def elbo_tight_at_posterior() -> Derivation:
    r"""At :math:`q = p(z|x)`, i.e. :math:`a = p_1/(p_1+p_2)`, the ELBO equals :math:`\ln p(x)` (the bound is tight)."""
    p1, p2, a, elbo, _ = symbols()
    return Derivation("elbo_tight_at_posterior", elbo.subs(a, p1 / (p1 + p2)), sp.log(p1 + p2),
                      "the bound is attained at the exact posterior", "11", ("p_1, p_2 > 0",))


@derivation
def elbo_stationary_at_posterior() -> Derivation:
    r""":math:`\partial\,\mathrm{ELBO}/\partial a = \ln\frac{p_1}{a} - \ln\frac{p_2}{1-a}`, which vanishes at :math:`a = p_1/(p_1+p_2)`."""
    p1, p2, a, elbo, _ = symbols()
    grad = sp.diff(elbo, a)
    return Derivation("elbo_stationary_at_posterior", grad.subs(a, p1 / (p1 + p2)), sp.Integer(0),
                      "the exact posterior is a stationary point of the ELBO (its maximiser, the ELBO being concave in q)",
                      "11", ("p_1, p_2 > 0",), steps=(sp.Eq(sp.Derivative(sp.Symbol("ELBO"), a), grad),))


@derivation
def rate_is_information_plus_prior_kl() -> Derivation:
    r"""One step of :func:`semtheory.elbo.causal_elbo_decomposition`: :math:`\E_x\KL(q(\cdot|x)\cc r) = \I(X;Z) + \KL(q_Z\cc r)`.

    Binary :math:`x` with :math:`P(x{=}1) = \pi`, encoder :math:`q(z{=}1|x{=}0) = a`, :math:`q(z{=}1|x{=}1) = b`, prior
    :math:`r(z{=}1) = c`, aggregate posterior :math:`q_Z(z{=}1) = (1-\pi)a + \pi b`.  For :math:`n = 1` the directed
    information is the mutual information, so this is the theorem's rate split.  Chapter 11.
    """
    pi, a, b, c = sp.symbols("pi a b c", positive=True)
    px = {0: 1 - pi, 1: pi}
    q = {(0, 1): a, (0, 0): 1 - a, (1, 1): b, (1, 0): 1 - b}
    r = {1: c, 0: 1 - c}
    qz = {1: (1 - pi) * a + pi * b, 0: (1 - pi) * (1 - a) + pi * (1 - b)}
    Lq, Lz = sp.Function("L_q"), sp.Function("L_Z")  # log q(z|x) and log q_Z(z) kept as atoms, so that the
    lr = {z: sp.log(r[z]) for z in (0, 1)}            # identity is the bookkeeping sum_x p(x) q(z|x) = q_Z(z)
    rate = sum(px[x] * q[x, z] * (Lq(x, z) - lr[z]) for x in (0, 1) for z in (0, 1))
    mi = sum(px[x] * q[x, z] * (Lq(x, z) - Lz(z)) for x in (0, 1) for z in (0, 1))
    kl = sum(qz[z] * (Lz(z) - lr[z]) for z in (0, 1))
    return Derivation("rate_is_information_plus_prior_kl", rate, mi + kl,
                      "the ELBO's averaged rate term is the information the latent carries about the data plus the "
                      "prior's mismatch with the aggregate posterior", "11",
                      ("0 < pi, a, b, c < 1",))
