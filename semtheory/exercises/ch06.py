"""Exercise answers for chapter 6 (post-training: the directed rate-reward function).

Every reference answer is computed with :mod:`semtheory.ratereward`; nothing is typed in.
"""

from . import answer

_REF = [0.5, 0.3, 0.2]
_REWARD = [0.0, 1.0, 3.0]


@answer("ex-06-gibbs-value", units="reward units", rtol=1e-4, hint="the value is a soft maximum: beta log E_ref[exp(r/beta)]")
def _gibbs_value():
    from ..ratereward import optimal_value

    return optimal_value(_REF, _REWARD, 0.5)


@answer("ex-06-rate-at-reward", units="bits", rtol=1e-3, hint="find the beta whose Gibbs policy earns the target reward")
def _rate_at_reward():
    from ..ratereward import rate_reward

    return rate_reward(_REF, _REWARD, 2.0)


@answer("ex-06-implicit-reward", units="reward units", rtol=1e-4, hint="beta log(pi*/pi_ref) = r - beta log Z")
def _implicit_reward():
    import numpy as np

    from ..ratereward import gibbs_logpolicy, implicit_reward

    return float(implicit_reward(gibbs_logpolicy(_REF, _REWARD, 0.5), np.log(_REF), 0.5)[0])


@answer("ex-06-matching-rate", units="bits", rtol=1e-4, hint="each step is a binary symmetric channel; which crossover?")
def _matching_rate():
    from ..directed import iid_policy
    from ..ratereward import directed_rate_reward, matching_reward

    n = 3
    return directed_rate_reward(iid_policy([0.5, 0.5], n), matching_reward(n, 2), 1.0).rate
