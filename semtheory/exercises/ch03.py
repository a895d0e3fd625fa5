"""Exercise answers for chapter 3 (directed information and causal conditioning).

Every reference answer is computed with :mod:`semtheory.directed`; nothing is typed in.
"""

from . import answer


@answer("ex-03-bsc-three-uses", units="bits", rtol=1e-3, hint="without feedback DI = MI = n I(X;Y)")
def _bsc_three_uses():
    from ..directed import binary_symmetric_channel, directed_information, iid_policy, joint_law, memoryless_channel

    n = 3
    p = joint_law(iid_policy([0.5, 0.5], n), memoryless_channel(binary_symmetric_channel(0.11), n))
    return directed_information(p)


@answer(
    "ex-03-echo-reverse",
    units="bits",
    rtol=1e-3,
    hint="the reverse term is what the mutual information counts beyond the directed information",
)
def _echo_reverse():
    from ..directed import binary_symmetric_channel, echo_policy, joint_law, memoryless_channel
    from ..directed import reverse_directed_information

    n = 4
    p = joint_law(echo_policy(0.5, n), memoryless_channel(binary_symmetric_channel(0.2), n))
    return reverse_directed_information(p)


@answer("ex-03-feedback-rate", units="bits per step", rtol=1e-4, hint="Y is itself a Markov chain; so is X")
def _feedback_rate():
    from ..directed import bsc_feedback_pair, directed_information_rate

    return directed_information_rate(bsc_feedback_pair(0.2, 0.1))


@answer("ex-03-trapdoor-one-use", units="bits", rtol=1e-4, hint="with a known initial ball, one use is a Z-channel")
def _trapdoor_one_use():
    from ..directed import feedback_capacity, finite_state_channel, trapdoor_channel

    return feedback_capacity(finite_state_channel(trapdoor_channel(), 1, initial_state=0), tol=1e-12).rate


@answer("ex-03-water-filling", units="bits", rtol=1e-6, hint="try k active channels: k*nu - (sum of their noises) = P")
def _water_filling():
    from ..gaussian import water_filling

    return water_filling([1.0, 2.0, 4.0], 3.0).capacity
