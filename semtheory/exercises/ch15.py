"""Exercise answers for chapter 15 (Mamba, Mamba-2, the state as a finite-state channel).

Every reference answer is computed with :mod:`semtheory.ssm`; nothing is typed in.
"""

from . import answer


@answer("ex-15-zoh-gain", units="state units per unit input", rtol=1e-6, atol=1e-12,
        hint="Bbar = (e^{Delta a} - 1) b / a, not Delta b")
def _zoh_gain():
    from ..ssm import discretize

    _, Bbar = discretize([0.5], [[-2.0]], [1.0])
    return float(Bbar[0, 0])


@answer("ex-15-mask-entry", units="dimensionless", rtol=1e-9, atol=1e-12,
        hint="L_52 is the product of the decays strictly after position 2, up to and including position 5")
def _mask_entry():
    from ..ssm import semiseparable_mask

    return float(semiseparable_mask([0.9, 0.5, 0.8, 0.7, 0.6])[4, 1])


@answer("ex-15-crossover", units="tokens", rtol=0, atol=0.5,
        hint="the smallest L with L^2 (N + P + 1) > 3 L N P")
def _crossover():
    from ..ssm import ssd_cost

    L = 1
    while ssd_cost(L, 64, 64).matrix <= ssd_cost(L, 64, 64).recurrent:
        L += 1
    return L


@answer("ex-15-byte-of-state", units="bits per token", rtol=1e-4, atol=1e-6,
        hint="compare the entropy rate with (H(X^m) - 8)/m for m = 1, 2, 3, ...")
def _byte_of_state():
    from ..ssm import delay_source, state_bottleneck_bound

    return state_bottleneck_bound(delay_source(8, 3, 0.02), 8.0).bound


@answer("ex-15-register", units="bits per token", rtol=1e-4, atol=1e-6,
        hint="a fraction j/k of the positions is predicted with the source's law, the rest uniformly")
def _register():
    from ..ssm import RegisterPredictor

    return RegisterPredictor(4, 4, 0.1, 2).stationary_cross_entropy()


@answer("ex-15-needed-bits", units="bits of state", rtol=1e-6, atol=1e-9,
        hint="read the bottleneck theorem backwards: the block term for m = k must not exceed the cross-entropy")
def _needed_bits():
    from ..ssm import delay_source, state_bottleneck_bound

    src, target = delay_source(4, 4, 0.1), 1.2
    lo, hi = 0.0, 8.0  # bisection on the bound, which falls as the state grows
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if state_bottleneck_bound(src, mid).bound > target else (lo, mid)
    return (lo + hi) / 2
