"""Exercise answers for chapter 8 (Granger causality, transfer entropy, Pearl's ladder).

Every reference answer is computed with :mod:`semtheory.granger` or :mod:`semtheory.measures`; nothing is
typed in.
"""

import math

import numpy as np

from . import answer


@answer("ex-08-white-driver", units="nats", rtol=1e-4, hint="Y is an AR(1) whose innovation is c X_{t-1} + e_t")
def _white_driver():
    from ..granger import transfer_entropy_var

    # Y_t = 0.5 Y_{t-1} + 0.8 X_{t-1} + e_t, X white with unit variance; components (X, Y)
    A = np.array([[[0.0, 0.0], [0.8, 0.5]]])
    return transfer_entropy_var(A, source_index=0, target_index=1, k=None, base=math.e)


@answer("ex-08-delayed-copy", units="bits", rtol=1e-4, hint="condition on Y_{t-1}: it is independent of X_{t-1}")
def _delayed_copy():
    from ..measures import binary_entropy

    return 1.0 - float(binary_entropy(0.05))


@answer(
    "ex-08-necessity",
    units="probability",
    rtol=1e-4,
    hint="abduction: update the four noises on X = 1, Y = 1; action: set X = 0; prediction: P(Y = 0)",
)
def _necessity():
    from ..granger import confounded_scm

    m = confounded_scm(0.1, 0.2, 0.6)
    return m.counterfactual({"Y": 0}, evidence={"X": 1, "Y": 1}, do={"X": 0})


@answer("ex-08-granger-gap", units="nats", rtol=1e-3, hint="rung 1 is a conditional MI of the observed pair only")
def _granger_gap():
    from ..granger import spurious_granger_var, transfer_entropy_var

    A, S = spurious_granger_var(a=1.0, b=1.0, rho=0.5)
    return transfer_entropy_var(A, S, source_index=0, target_index=1, k=None, base=math.e)


@answer("ex-08-backdoor", units="probability", rtol=1e-4, hint="sum over z of P(z) P(Y = 1 | X = 1, Z = z), from the joint law")
def _backdoor():
    from ..granger import confounded_scm

    return confounded_scm(0.2, 0.1, 0.5).backdoor({"Y": 1}, do={"X": 1}, adjust=["Z"])
