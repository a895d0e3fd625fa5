"""Exercise answers for chapter 1 (the token as the unit; sources and their entropy rates).

Every reference answer is computed with :mod:`semtheory.tokens` and :mod:`semtheory.sources`; nothing is typed in.
The exercise texts in ``book/01-bit-to-token.md`` state the same inputs.
"""

from . import answer

#: Exercise inputs (the chapter's exercise texts state the same values).
BPE_TEXT = "aaabdaaabac"
BPE_MERGES = 3
UNITS_LOSS_NATS_PER_TOKEN = 2.3
UNITS_BYTES_PER_TOKEN = 3.6
TWO_STATE = (0.05, 0.2)
ORDER_TWO_P1 = {(0, 0): 0.1, (0, 1): 0.6, (1, 0): 0.3, (1, 1): 0.9}  # P(X_t = 1 | x_{t-2}, x_{t-1})
HMM_TRANSITION = ((0.95, 0.05), (0.1, 0.9))
HMM_EMISSION = ((0.8, 0.2), (0.3, 0.7))
HMM_GAP = 0.01


def order_two_source():
    """The binary order-2 source of exercise ex-01-order-one-limit."""
    import numpy as np

    from ..sources import MarkovSource

    T = np.empty((2, 2, 2))
    for (u, v), p1 in ORDER_TWO_P1.items():
        T[u, v] = (1 - p1, p1)
    return MarkovSource(T)


@answer("ex-01-bpe-by-hand", units="tokens", rtol=0, atol=0, hint="ties go to the smallest pair of ids; 'a' < 'b' < 256")
def _bpe_by_hand():
    from ..tokens import train_bpe

    return int(len(train_bpe(BPE_TEXT, BPE_MERGES).encode(BPE_TEXT)))


@answer("ex-01-units", units="bits/byte", rtol=1e-3, hint="nats to bits: divide by ln 2; per token to per byte: divide by r")
def _units():
    from ..tokens import convert

    return convert(UNITS_LOSS_NATS_PER_TOKEN, "nats/token", "bits/byte", bytes_per_token=UNITS_BYTES_PER_TOKEN)


@answer("ex-01-two-state", units="bits/symbol", rtol=1e-4, hint="weight each row's binary entropy by the stationary law")
def _two_state():
    from ..sources import MarkovSource

    return MarkovSource.two_state(*TWO_STATE).entropy_rate()


@answer("ex-01-order-one-limit", units="bits/symbol", rtol=1e-4, hint="H(X_t | X_{t-1}) under the stationary law of pairs")
def _order_one_limit():
    from ..measures import conditional_entropy

    src = order_two_source()
    joint = src.stationary[:, :, None] * src.transition  # P(x_1, x_2, x_3), stationary
    return conditional_entropy(joint, axes=2, given=1)


@answer("ex-01-hmm-gap", units="n", rtol=0, atol=0, hint="compute entropy_rate_bounds and look at its gap")
def _hmm_gap():
    import numpy as np

    from ..sources import HiddenMarkovSource

    h = HiddenMarkovSource(np.array(HMM_TRANSITION), np.array(HMM_EMISSION))
    b = h.entropy_rate_bounds(min(h.max_sandwich_n(), 14))
    ok = np.nonzero(b.gap < HMM_GAP)[0]
    if ok.size == 0:  # pragma: no cover - the chosen source converges well before the limit
        raise AssertionError("the sandwich does not close below HMM_GAP within max_sandwich_n")
    return int(b.n[ok[0]])


@answer("ex-01-parses", units="segmentations", rtol=0, atol=0, hint="count the ways to cut the bytes into vocabulary tokens (a recursion over the first token)")
def _parses():
    from ..sources import NGramModel
    from ..tokens import segmentation_code_lengths, train_bpe

    tok = train_bpe(BPE_TEXT, BPE_MERGES)
    model = NGramModel(tok.encode(BPE_TEXT), 0, vocab_size=tok.vocab_size)
    return int(segmentation_code_lengths(tok, BPE_TEXT, model).n_segmentations)
