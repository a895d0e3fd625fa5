"""Exercise answers for chapter 7 (inference: semantic information flow, a sub-martingale).

Every reference answer is computed with :mod:`semtheory.flow` and :mod:`semtheory.directed`; nothing is typed in.
"""

from . import answer


@answer("ex-07-expected-flow", units="bits", rtol=1e-4, hint="E[Lambda_n] is a directed information; no feedback here")
def _expected_flow():
    from ..directed import binary_symmetric_channel, iid_policy, joint_law, memoryless_channel
    from ..flow import expected_flow

    p = joint_law(iid_policy([0.5, 0.5], 3), memoryless_channel(binary_symmetric_channel(0.1), 3))
    return float(expected_flow(p)[-1])


@answer("ex-07-first-increment", units="bits", rtol=1e-4, hint="compare P(Y_1 | X_1 = 1) with the law of Y_1 alone")
def _first_increment():
    from ..directed import binary_symmetric_channel, iid_policy, joint_law, memoryless_channel
    from ..flow import exact_flow

    p = joint_law(iid_policy([0.7, 0.3], 1), memoryless_channel(binary_symmetric_channel(0.2), 1))
    return float(exact_flow(p).kl[1, 0, 0])  # D_1 on {X_1 = 1} (any y_1)


@answer("ex-07-azuma-width", units="bits", rtol=1e-4, hint="the band grows like the square root of the sum of squared bounds")
def _azuma_width():
    import numpy as np

    from ..flow import azuma_band

    return float(azuma_band(np.ones(100), 0.05)[-1])


@answer("ex-07-greedy-flow", units="bits per token", rtol=1e-4, hint="decode with top_k=1 (not greedy=True: the first token is tied); the law is still exact")
def _greedy_flow():
    from ..channel import MarkovLM
    from ..flow import decoding_flow

    lm = MarkovLM.random(2, 2, seed=0)
    return float(decoding_flow(lm, [0.5, 0.5], 3, temperatures=[1.0], top_k=1)[0])


@answer("ex-07-feedback-filtration", units="bits", rtol=1e-4, hint="given X_1 and X_2 = Y_1 the token Y_1 is known")
def _feedback_filtration():
    import numpy as np

    from ..directed import binary_symmetric_channel, joint_law, memoryless_channel
    from ..flow import conditional_mean, exact_flow

    p = joint_law([np.array([0.5, 0.5]), np.eye(2)[None]], memoryless_channel(binary_symmetric_channel(0.2), 2))
    return float(conditional_mean(p, exact_flow(p).iota[..., 0], given=[0, 1])[0, 1, 1, 0])  # on {X_1 != X_2}


@answer("ex-07-ville", units="probability", rtol=1e-4, hint="list the paths on which the running sum first dips to -1 bit")
def _ville():
    from ..directed import binary_symmetric_channel, iid_policy, joint_law, memoryless_channel
    from ..flow import exact_flow, min_flow_tail

    p = joint_law(iid_policy([0.5, 0.5], 3), memoryless_channel(binary_symmetric_channel(0.1), 3))
    return float(min_flow_tail(exact_flow(p).Lambda, [1.0], weights=p)[0])
