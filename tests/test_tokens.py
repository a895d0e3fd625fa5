"""Tests for semtheory.tokens: byte-level BPE, the tokenizer as a source code, unit conversions (chapter 1)."""

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semtheory import tokens as T
from semtheory.exercises import is_correct, registered
from semtheory.sources import english_corpus
from semtheory.symbolic import tokens as sym

CORPUS = english_corpus(max_chars=30_000)


@pytest.fixture(scope="module")
def tok():
    return T.train_bpe(CORPUS, 150)


# ----------------------------------------------------------------------------------------------
# a naive reference trainer: recount every pair from scratch at every merge
# ----------------------------------------------------------------------------------------------


def naive_bpe(text, num_merges, pattern=T.DEFAULT_PATTERN, min_count=2):
    import re
    from collections import Counter

    counts = Counter(re.findall(pattern, text))
    words = {c: list(c.encode("utf-8")) for c in counts}
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for c, w in words.items():
            for p in zip(w, w[1:]):
                pairs[p] += counts[c]
        if not pairs:
            break
        best_n = max(pairs.values())
        if best_n < min_count:
            break
        best = min(p for p, n in pairs.items() if n == best_n)
        new = 256 + len(merges)
        merges.append(best)
        for c, w in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(new)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            words[c] = out
    return merges, words


small_text = st.text(alphabet=st.sampled_from("ab c\nd'é"), max_size=80)


@settings(max_examples=60, deadline=None)
@given(small_text, st.integers(0, 12))
def test_incremental_training_equals_naive_recount(text, m):
    merges, words = naive_bpe(text, m)
    tk = T.train_bpe(text, m)
    assert list(tk.merges) == merges
    # encoding applies the merges exactly as training segmented the chunks
    expect = [t for c in T.pretokenize(text) for t in words[c]]
    assert tk.encode(text).tolist() == expect


# ----------------------------------------------------------------------------------------------
# round trip, chunking, determinism
# ----------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_round_trip_any_string(tok, s):
    ids = tok.encode(s)
    assert ids.dtype == np.int64
    assert tok.decode(ids) == s
    assert tok.decode_bytes(ids) == s.encode("utf-8")
    assert "".join(T.pretokenize(s)) == s


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=200), st.integers(0, 30))
def test_round_trip_tokenizer_trained_on_the_string(s, m):
    tk = T.train_bpe(s, m)
    assert tk.decode(tk.encode(s)) == s
    assert tk.vocab_size == 256 + len(tk.merges) and len(tk.merges) <= m


def test_round_trip_whole_corpus_slice(tok):
    text = english_corpus(max_chars=60_000)
    assert tok.decode(tok.encode(text)) == text


def test_merges_are_deterministic_and_order_free():
    words = CORPUS.split()[:3000]
    a = T.train_bpe(" " + " ".join(words), 80)
    b = T.train_bpe(" " + " ".join(words), 80)
    assert a.merges == b.merges and a == b
    random.Random(0).shuffle(words)
    c = T.train_bpe(" " + " ".join(words), 80)
    assert c.merges == a.merges  # the chunk multiset is the same, so the merges are too


def test_hand_checked_tiny_example():
    # Gage's example: aa (count 4) first; then ab and (aa)a tie at 2 -> smallest ids (97, 98) = "ab";
    # then (aa)(ab) = "aaab" (count 2).  "aaabdaaabac" -> [aaab, d, aaab, a, c]
    tk = T.train_bpe("aaabdaaabac", 3)
    assert tk.merges == ((97, 97), (97, 98), (256, 257))
    assert tk.encode("aaabdaaabac").tolist() == [258, 100, 258, 97, 99]
    assert tk.token_bytes(258) == b"aaab" and tk.token_str(257) == "ab"


def test_ties_go_to_the_smallest_pair():
    # one chunk "baxybaxy": ba, ax, xy all occur twice; (97, 120) = "ax" is the smallest pair
    assert T.train_bpe("baxybaxy", 1).merges == ((97, 120),)


def test_min_count_stops_training_early():
    assert T.train_bpe("abc", 10).merges == ()
    assert len(T.train_bpe("abab", 10, min_count=1).merges) >= 1


def test_truncate_equals_training_fewer_merges(tok):
    assert tok.truncate(40) == T.train_bpe(CORPUS, 40)
    assert tok.truncate(0).vocab_size == 256


def test_training_on_100kB_learns_every_merge():
    """Speed is measured in benchmarks/, not here: this is the size the chapter trains on."""
    text = english_corpus(max_chars=100_000)
    tk = T.train_bpe(text, 400)
    assert len(tk.merges) == 400 and len(set(tk.merges)) == 400
    assert tk.decode(tk.encode(text[:2000])) == text[:2000]


def test_vocab_is_built_from_merges(tok):
    for i, (a, b) in enumerate(tok.merges):
        assert tok.vocab[256 + i] == tok.vocab[a] + tok.vocab[b]


# ----------------------------------------------------------------------------------------------
# the tokenizer as a source code
# ----------------------------------------------------------------------------------------------


def test_source_code_identities(tok):
    text = english_corpus(max_chars=20_000)
    sc = T.source_code(tok, text)
    ids = tok.encode(text)
    assert sc.n_bytes == len(text.encode("utf-8")) == T.token_lengths(tok, ids).sum()
    assert sc.n_tokens == len(ids)
    assert sc.bytes_per_token == pytest.approx(sc.n_bytes / sc.n_tokens)
    assert sc.fixed_per_token == pytest.approx(math.log2(tok.vocab_size))
    assert sc.fixed_per_byte * sc.bytes_per_token == pytest.approx(sc.fixed_per_token)
    assert sc.unigram_per_byte * sc.bytes_per_token == pytest.approx(sc.unigram_per_token)
    assert sc.unigram_per_token <= sc.fixed_per_token + 1e-12
    # BPE compresses English: fewer bits per byte than raw 8-bit bytes and than the byte unigram code
    assert sc.bytes_per_token > 1.5 and sc.fixed_per_byte < 8 and sc.unigram_per_byte < sc.byte_unigram_per_byte
    nats = T.source_code(tok, text, base=math.e)
    assert nats.unigram_per_byte == pytest.approx(sc.unigram_per_byte * math.log(2))


def test_source_code_without_merges_is_the_byte_code(tok):
    sc = T.source_code(tok.truncate(0), "hello, world")
    assert sc.bytes_per_token == 1 and sc.fixed_per_byte == pytest.approx(8.0)
    assert sc.unigram_per_byte == pytest.approx(sc.byte_unigram_per_byte)


def test_token_lengths_of_vocab(tok):
    lens = T.token_lengths(tok)
    assert lens.shape == (tok.vocab_size,) and np.all(lens[:256] == 1)
    assert all(lens[256 + i] == lens[a] + lens[b] for i, (a, b) in enumerate(tok.merges))


# ----------------------------------------------------------------------------------------------
# units
# ----------------------------------------------------------------------------------------------

rates = st.floats(0, 20, allow_nan=False)
ratios = st.floats(0.1, 10, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(rates, ratios)
def test_conversion_identities(h_byte, r):
    h_tok = T.per_token(h_byte, r)
    assert h_tok == pytest.approx(h_byte * r)
    assert T.per_byte(h_tok, r) == pytest.approx(h_byte, abs=1e-12)
    ppl_byte = T.rate_to_perplexity(h_byte)
    ppl_tok = T.rate_to_perplexity(h_tok)
    assert ppl_tok == pytest.approx(ppl_byte**r, rel=1e-9)
    assert T.perplexity_to_rate(ppl_tok) == pytest.approx(h_tok, abs=1e-9)
    assert T.convert(h_byte, "bits/byte", "ppl/token", bytes_per_token=r) == pytest.approx(ppl_tok, rel=1e-9)
    assert T.convert(h_tok, "bits/token", "nats/byte", bytes_per_token=r) == pytest.approx(h_byte * math.log(2))


@settings(max_examples=60, deadline=None)
@given(st.floats(0.5, 5), ratios, st.sampled_from(T.UNITS), st.sampled_from(T.UNITS))
def test_convert_round_trips_between_every_pair_of_units(h, r, u, v):
    x = T.convert(h, "nats/byte", u, bytes_per_token=r)
    y = T.convert(x, u, v, bytes_per_token=r)
    assert T.convert(y, v, "nats/byte", bytes_per_token=r) == pytest.approx(h, rel=1e-9)


def test_conversions_are_vectorised_and_keep_units():
    h = np.array([1.0, 2.0, 3.0])
    assert np.allclose(T.per_byte(h, 2.0), h / 2)
    assert np.allclose(T.per_byte(h, np.array([1.0, 2.0, 4.0])), [1.0, 1.0, 0.75])
    assert T.rate_to_perplexity(1.0, base=math.e) == pytest.approx(math.e)
    assert T.convert(8.0, "bits/byte", "bits/byte") == 8.0
    assert T.convert(2.0, "ppl/token", "bits/token") == pytest.approx(1.0)


def test_symbolic_derivations_hold():
    for f in (sym.two_state_stationary, sym.two_state_entropy_rate, sym.two_state_block_entropy):
        assert f().holds(), f.__name__


def test_block_entropy_derivation_can_fail_and_matches_numerics():
    """The block identity needs the stationary start: from (1/2, 1/2) it is false; numerically it matches sources."""
    import sympy as sp

    from semtheory import measures, sources
    from semtheory.symbolic import Derivation

    d = sym.two_state_block_entropy()
    half = sp.Rational(1, 2)
    assert not Derivation("bad", sym.block_entropy_of((half, half), 3), d.rhs, "nothing", "1").holds()
    vals = {sym.a: 0.1, sym.c: 0.3}
    chain = sources.MarkovSource.two_state(0.1, 0.3)
    law = measures.markov_chain_law(chain.stationary, chain.transition, chain.transition)
    assert float(d.lhs.subs(vals)) == pytest.approx(measures.entropy(law, base=math.e), rel=1e-12)
    assert float(d.rhs.subs(vals)) == pytest.approx(
        measures.entropy(chain.stationary, base=math.e) + 2 * chain.entropy_rate(base=math.e), rel=1e-12)


# ----------------------------------------------------------------------------------------------
# exercises
# ----------------------------------------------------------------------------------------------


def test_exercises_pass_with_reference_and_fail_perturbed():
    labels = [k for k in registered() if k.startswith("ex-01-")]
    assert len(labels) >= 2
    for label in labels:
        ref = registered()[label].compute()
        assert is_correct(label, ref).correct, label
        bad = ref + 1 if isinstance(ref, int) else ref * 1.05
        assert not is_correct(label, bad).correct, label


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------


def test_bad_input_names_the_argument(tok):
    cases = [
        (lambda: T.train_bpe(123, 5), "text"),
        (lambda: T.train_bpe("\ud800", 5), "text"),
        (lambda: T.train_bpe("abc", -1), "num_merges"),
        (lambda: T.train_bpe("abc", 1.5), "num_merges"),
        (lambda: T.train_bpe("abc", 3, pattern="("), "pattern"),
        (lambda: T.train_bpe("abc", 3, pattern="a"), "pattern"),
        (lambda: T.train_bpe("abc", 3, min_count=0), "min_count"),
        (lambda: T.pretokenize(b"abc"), "text"),
        (lambda: T.pretokenize("abc", pattern=""), "pattern"),
        (lambda: T.BPETokenizer(((300, 1),)), "merges"),
        (lambda: T.BPETokenizer(((1,),)), "merges"),
        (lambda: tok.encode(None), "text"),
        (lambda: tok.decode([tok.vocab_size]), "ids"),
        (lambda: tok.decode([[1, 2]]), "ids"),
        (lambda: tok.decode([1.5]), "ids"),
        (lambda: tok.decode([0xC3], errors="strict"), "ids"),
        (lambda: tok.decode([65], errors="nope"), "errors"),
        (lambda: tok.decode_bytes([-1]), "ids"),
        (lambda: tok.token_bytes(-1), "token"),
        (lambda: tok.token_str(tok.vocab_size), "token"),
        (lambda: tok.truncate(len(tok.merges) + 1), "num_merges"),
        (lambda: T.token_lengths("tok"), "tokenizer"),
        (lambda: T.token_lengths(tok, [10**6]), "ids"),
        (lambda: T.source_code(None, "abc"), "tokenizer"),
        (lambda: T.source_code(tok, ""), "text"),
        (lambda: T.source_code(tok, "abc", base=1), "base"),
        (lambda: T.per_byte(-1.0, 2.0), "rate_per_token"),
        (lambda: T.per_byte(1.0, 0.0), "bytes_per_token"),
        (lambda: T.per_byte(1.0, [1.0, -2.0]), "bytes_per_token"),
        (lambda: T.per_token(float("nan"), 2.0), "rate_per_byte"),
        (lambda: T.per_token("x", 2.0), "rate_per_byte"),
        (lambda: T.rate_to_perplexity(-0.1), "rate"),
        (lambda: T.rate_to_perplexity(1.0, base=1), "base"),
        (lambda: T.perplexity_to_rate(0.5), "perplexity"),
        (lambda: T.convert(1.0, "bits/char", "bits/byte"), "from_unit"),
        (lambda: T.convert(1.0, "bits/byte", "furlongs"), "to_unit"),
        (lambda: T.convert(1.0, "bits/byte", "bits/token"), "bytes_per_token"),
        (lambda: T.convert(0.5, "ppl/byte", "bits/byte"), "value"),
        (lambda: T.convert(1.0, "bits/byte", "bits/token", bytes_per_token=-3), "bytes_per_token"),
        (lambda: T.segmentation_code_lengths("tok", "ab", _ngram(tok)), "tokenizer"),
        (lambda: T.segmentation_code_lengths(tok, "", _ngram(tok)), "text"),
        (lambda: T.segmentation_code_lengths(tok, "ab", "model"), "model"),
        (lambda: T.segmentation_code_lengths(tok.truncate(0), "ab", _ngram(tok)), "model"),
        (lambda: T.segmentation_code_lengths(tok, "ab", _ngram(tok), base=1), "base"),
    ]
    for fn, name in cases:
        with pytest.raises(ValueError, match=name):
            fn()


# ----------------------------------------------------------------------------------------------
# canonical segmentation against the marginal over all segmentations
# ----------------------------------------------------------------------------------------------


def _ngram(tok, order=1):
    from semtheory.sources import NGramModel

    return NGramModel(tok.encode("abracadabra cab a bar"), order, vocab_size=tok.vocab_size, alpha=0.3)


def _all_segmentations(tok, data):
    """Every token sequence whose bytes are ``data``, by plain recursion (exponential; tiny inputs only)."""
    if not data:
        return [[]]
    out = []
    for t, b in enumerate(tok.vocab):
        if data.startswith(b):
            out += [[t] + rest for rest in _all_segmentations(tok, data[len(b):])]
    return out


@pytest.mark.parametrize("order", [0, 1, 2])
def test_segmentation_marginal_equals_brute_force(order):
    tok = T.train_bpe("abracadabra cab a bar abra", 6)
    model = _ngram(tok, order)
    text = "abracab"
    segs = _all_segmentations(tok, text.encode())
    brute = math.log2(sum(2.0 ** model.log_prob(s) for s in segs))
    res = T.segmentation_code_lengths(tok, text, model)
    assert res.n_segmentations == len(segs) > 1
    assert res.marginal == pytest.approx(-brute, rel=1e-12)
    assert res.canonical == pytest.approx(-model.log_prob(tok.encode(text)), rel=1e-12)
    assert res.marginal < res.canonical and 0 < res.canonical_share < 1
    assert res.canonical_share == pytest.approx(2.0 ** model.log_prob(tok.encode(text)) / 2.0**brute)
    nats = T.segmentation_code_lengths(tok, text, model, base=math.e)
    assert nats.marginal == pytest.approx(res.marginal * math.log(2)) and nats.canonical_share == pytest.approx(res.canonical_share)


def test_segmentation_with_bytes_only_has_one_parse():
    tok = T.train_bpe("abc", 0)
    res = T.segmentation_code_lengths(tok, "abcab", _ngram(tok))
    assert res.n_segmentations == 1 and res.marginal == pytest.approx(res.canonical) and res.n_bytes == 5


def test_parses_answer_by_enumeration():
    tok = T.train_bpe("aaabdaaabac", 3)
    n = len(_all_segmentations(tok, b"aaabdaaabac"))
    assert registered()["ex-01-parses"].compute() == n
    assert is_correct("ex-01-parses", n).correct and not is_correct("ex-01-parses", n - 1).correct


def test_perplexity_beyond_the_largest_float_is_inf_without_a_warning():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert T.rate_to_perplexity(1e6) == math.inf
        assert np.array_equal(T.rate_to_perplexity(np.array([1.0, 1e6])), [2.0, math.inf])
        assert T.convert(1e6, "bits/token", "ppl/token") == math.inf
        assert T.perplexity_to_rate(T.rate_to_perplexity(1000.0)) == pytest.approx(1000.0)  # just below overflow
    # the edge: ln(max float) = 709.78 nats, i.e. 1024 bits
    assert math.isfinite(T.rate_to_perplexity(1023.9)) and T.rate_to_perplexity(1024.1) == math.inf
