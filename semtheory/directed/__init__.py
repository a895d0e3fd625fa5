r"""Directed information and causal conditioning (chapter 3; used by chapters 4, 5, 7, 8 and 14).

Two processes :math:`X^n = (X_1,\dots,X_n)` (input, prompt, source) and :math:`Y^n` (output, generated
tokens) interact in the order :math:`X_1, Y_1, X_2, Y_2, \dots`: the input at time :math:`t` may depend on
past outputs (feedback), the output at time :math:`t` on the inputs up to :math:`t` and past outputs.

**Joint-law layout.**  A joint pmf of :math:`(X^n, Y^n)` is an ndarray with ``2n`` axes, one per variable,
ordered :math:`X_1, \dots, X_n, Y_1, \dots, Y_n`:

    ``p[x1, ..., xn, y1, ..., yn] = P(X^n = x^n, Y^n = y^n)``

so axis ``t-1`` is :math:`X_t` and axis ``n+t-1`` is :math:`Y_t` (see :func:`axis_names`, :func:`x_axes`,
:func:`y_axes`; the layout's home is :mod:`semtheory.core.law`).  Alphabet sizes may differ between axes
(``kx``, ``ky`` in the docstrings' shapes, ``ks`` for a channel's hidden state).

**Kernels.**  A *policy* (input law, encoder, source) and a *channel* are lists of ``n`` arrays, one per
time step, each a conditional pmf over its **last** axis, with the history axes first, in the joint
layout's order (all X's of the history, then all Y's):

* ``policy[t-1]`` has axes :math:`(X_1..X_{t-1}, Y_1..Y_{t-1}, X_t)` and holds
  :math:`P(x_t \mid x^{t-1}, y^{t-1})`;
* ``channel[t-1]`` has axes :math:`(X_1..X_t, Y_1..Y_{t-1}, Y_t)` and holds
  :math:`P(y_t \mid x^t, y^{t-1})`.

A history axis may have length 1 when the kernel ignores that variable (numpy broadcasting), e.g. a
policy without feedback keeps its Y axes of length 1.  Without feedback the policy ignores the past
outputs; with feedback it may use them.

**Units.**  Every measure takes ``base`` (2 = bits, the default; ``math.e`` = nats).  The directed
informations, causally conditioned entropies and the Amblard–Michel terms are differences of the entropies
of prefix marginals, computed here from one validation of the joint law (see
:func:`directed_information_terms`); the mutual information of the conservation law and the rates use
:mod:`semtheory.measures`.

Definitions (Marko 1973; Massey 1990; Kramer 1998; Massey & Massey 2005):

.. math::

    P(y^n \| x^n) = \prod_t P(y_t \mid y^{t-1}, x^t),\qquad
    P(x^n \| y^{n-1}) = \prod_t P(x_t \mid x^{t-1}, y^{t-1}),\qquad
    P(x^n, y^n) = P(x^n \| y^{n-1})\,P(y^n \| x^n),

.. math::

    I(X^n \to Y^n) = \sum_t I(X^t; Y_t \mid Y^{t-1}),\qquad
    I(0{*}Y^{n-1} \to X^n) = \sum_t I(Y^{t-1}; X_t \mid X^{t-1}),

and the conservation law :math:`I(X^n;Y^n) = I(X^n\to Y^n) + I(0{*}Y^{n-1}\to X^n)`.

**Files.**  :mod:`~semtheory.directed.kernels` (policies, channels, joint laws, causal conditioning),
:mod:`~semtheory.directed.information` (directed information, causally conditioned entropies, the
conservation law), :mod:`~semtheory.directed.decomposition` (the Amblard–Michel split, the information
density), :mod:`~semtheory.directed.rates` (rates of Markov pairs), :mod:`~semtheory.directed.capacity`
(capacity with and without feedback); every public name is re-exported here.
"""

from __future__ import annotations

from ..core.law import (
    MAX_CELLS,
    axis_names,
    num_steps,
    x_axes,
    y_axes,
)
from .kernels import (
    binary_symmetric_channel,
    bsc_feedback_pair,
    causal_conditioning,
    causal_kernels,
    channel_from_function,
    echo_policy,
    finite_state_channel,
    fixed_prompt_policy,
    iid_policy,
    joint_law,
    markov_pair_law,
    markov_pair_stationary,
    memoryless_channel,
    policy_from_function,
    policy_from_source,
    reverse_causal_conditioning,
    sticky_channel,
    trapdoor_channel,
    unit_memory_policy,
)
from .information import (
    Conservation,
    causally_conditioned_entropy,
    conservation,
    directed_information,
    directed_information_terms,
    reverse_causally_conditioned_entropy,
    reverse_directed_information,
    reverse_directed_information_terms,
    sequence_mutual_information,
)
from .decomposition import (
    DIDecomposition,
    directed_information_decomposition,
    directed_information_density,
)
from .rates import (
    MarkovPairRates,
    directed_information_rate,
    markov_pair_rates,
    sample_markov_pair,
)
from .capacity import (
    CapacityResult,
    feedback_capacity,
    nonfeedback_capacity,
)

__all__ = [
    # layout
    "axis_names",
    "x_axes",
    "y_axes",
    "num_steps",
    # kernels and laws
    "joint_law",
    "iid_policy",
    "policy_from_source",
    "unit_memory_policy",
    "echo_policy",
    "fixed_prompt_policy",
    "sticky_channel",
    "memoryless_channel",
    "binary_symmetric_channel",
    "policy_from_function",
    "channel_from_function",
    "finite_state_channel",
    "trapdoor_channel",
    "bsc_feedback_pair",
    "markov_pair_law",
    "causal_kernels",
    "causal_conditioning",
    "reverse_causal_conditioning",
    # measures
    "causally_conditioned_entropy",
    "reverse_causally_conditioned_entropy",
    "directed_information",
    "directed_information_terms",
    "reverse_directed_information",
    "reverse_directed_information_terms",
    "sequence_mutual_information",
    "conservation",
    "directed_information_decomposition",
    "directed_information_density",
    # rates and capacity
    "markov_pair_stationary",
    "markov_pair_rates",
    "sample_markov_pair",
    "directed_information_rate",
    "feedback_capacity",
    "nonfeedback_capacity",
    "Conservation",
    "DIDecomposition",
    "MarkovPairRates",
    "CapacityResult",
]

