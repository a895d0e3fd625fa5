"""The library's conventions (book/appendix/conventions.md), checked over every public function.

Each rule has a list of the public names that do not follow it yet (the library issue, #15). A test fails when
a name outside its list breaks the rule (a new exception) and when a listed name follows it (the list is
stale: delete the name), so the lists, and the conventions page that points to them, stay exact.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re

import pytest

import semtheory

SKIP_MODULES = {"exercises"}

# ---- names that do not follow a rule yet (keep sorted; shrink them, never grow them) -------------------------
BASE_NOT_KEYWORD_ONLY: set[str] = set()
BASE_DEFAULT_NOT_BITS: set[str] = set()
SEED_NOT_KEYWORD_ONLY: set[str] = set()
SEED_INT_ONLY: set[str] = set()
BETA_IS_A_TEMPERATURE: set[str] = set()
NUMPYDOC_SECTIONS_MISSING: set[str] = set()
ANNOTATIONS_MISSING: set[str] = set()
DATACLASS_RESULT: set[str] = set()
#: Public methods (of the public classes) still without numpydoc sections or full annotations.
METHOD_NUMPYDOC_MISSING: set[str] = set()
METHOD_ANNOTATIONS_MISSING: set[str] = set()
#: Classes that are objects with behaviour, not results: they may be (frozen) dataclasses.
NOT_RESULTS = {"tokens.BPETokenizer", "symbolic.Derivation"}
# ---------------------------------------------------------------------------------------------------------------


def _home(obj) -> str:
    """The public module a name belongs to: its defining module, or the subpackage that module sits in
    (``semtheory.ratedistortion.blahut`` belongs to ``semtheory.ratedistortion``)."""
    parts = (getattr(obj, "__module__", None) or "").split(".")
    return ".".join(parts[:2])


def _functions():
    """(qualified name, callable) for every public function and class of every public module."""
    out = []
    for m in sorted(m.name for m in pkgutil.iter_modules(semtheory.__path__)):
        if m.startswith("_") or m in SKIP_MODULES:
            continue
        try:
            mod = importlib.import_module(f"semtheory.{m}")
        except ImportError:  # an extra that is not installed
            continue
        names = getattr(mod, "__all__", None) or [
            n for n, o in vars(mod).items()
            if not n.startswith("_") and (inspect.isfunction(o) or inspect.isclass(o))
            and _home(o) == mod.__name__]
        out += [(f"{m}.{n}", getattr(mod, n)) for n in names]
    return out


FUNCTIONS = _functions()


def _methods():
    """(qualified name, function) for every public method of the public classes (not of result records), named
    by its defining class's home (``core.LanguageModel.sample``, once, though ``channel`` re-exports the class);
    properties are not methods, and inherited non-semtheory methods are not scanned."""
    out = {}
    for _, cls in FUNCTIONS:
        if not inspect.isclass(cls) or hasattr(cls, "_fields"):
            continue
        for mn, m in vars(cls).items():
            f = m.__func__ if isinstance(m, (classmethod, staticmethod)) else m
            if mn.startswith("_") or not inspect.isfunction(f) or not (f.__module__ or "").startswith("semtheory"):
                continue
            out[f"{_home(f).removeprefix('semtheory.')}.{f.__qualname__}"] = f
    return sorted(out.items())


METHODS = _methods()


def _signature(obj):
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


def _with(param: str):
    for name, obj in FUNCTIONS + METHODS:
        if inspect.isclass(obj):
            continue
        sig = _signature(obj)
        if sig is not None and param in sig.parameters:
            yield name, obj, sig.parameters[param]


def _section(doc: str, title: str) -> bool:
    return re.search(rf"^{title}\n-{{{len(title)}}}\s*$", doc, re.M) is not None


def _numpydoc_ok(obj) -> bool:
    """A function's docstring has numpydoc ``Parameters`` (when it takes any) and ``Returns`` (or ``Yields``)
    sections; a class's has ``Parameters`` or ``Attributes`` (when it has fields)."""
    doc = inspect.getdoc(obj) or ""
    sig = _signature(obj)
    params = [] if sig is None else [p for p in sig.parameters.values() if p.name not in ("self", "cls")]
    if inspect.isclass(obj):
        fields = getattr(obj, "_fields", None) or [f.name for f in dataclasses.fields(obj)] \
            if (hasattr(obj, "_fields") or dataclasses.is_dataclass(obj)) else []
        if not (params or fields):
            return True
        return _section(doc, "Parameters") or _section(doc, "Attributes")
    if params and not _section(doc, "Parameters"):
        return False
    return _section(doc, "Returns") or _section(doc, "Yields") or (sig is not None and sig.return_annotation
                                                                   in (None, "None"))


def _annotated(obj) -> bool:
    """Every parameter of a public function (of a class: of its constructor) and a function's return carry a type
    annotation (``self``/``cls`` excepted); NamedTuple fields are annotated by construction."""
    if inspect.isclass(obj) and (hasattr(obj, "_fields") or dataclasses.is_dataclass(obj)):
        return True
    sig = _signature(obj)
    if sig is None:
        return True
    params = [p for p in sig.parameters.values() if p.name not in ("self", "cls")]
    if any(p.annotation is inspect.Parameter.empty for p in params):
        return False
    return inspect.isclass(obj) or sig.return_annotation is not inspect.Signature.empty


def scan() -> dict[str, set[str]]:
    """Every rule's offenders, as the test sees them (also: `python tests/test_conventions.py` prints them)."""
    found = {k: set() for k in ("BASE_NOT_KEYWORD_ONLY", "BASE_DEFAULT_NOT_BITS", "SEED_NOT_KEYWORD_ONLY",
                                "SEED_INT_ONLY", "BETA_IS_A_TEMPERATURE",
                                "NUMPYDOC_SECTIONS_MISSING", "ANNOTATIONS_MISSING", "DATACLASS_RESULT",
                                "METHOD_NUMPYDOC_MISSING", "METHOD_ANNOTATIONS_MISSING")}
    for name, _, p in _with("base"):
        if p.kind is not p.KEYWORD_ONLY:
            found["BASE_NOT_KEYWORD_ONLY"].add(name)
        if p.default != 2:
            found["BASE_DEFAULT_NOT_BITS"].add(name)
    for name, obj, p in _with("seed"):
        if p.kind is not p.KEYWORD_ONLY:
            found["SEED_NOT_KEYWORD_ONLY"].add(name)
        try:
            src = inspect.getsource(obj)
        except (OSError, TypeError):
            src = ""
        if re.search(r"check_int\(\s*seed\b", src):
            found["SEED_INT_ONLY"].add(name)
    for name, obj in FUNCTIONS:
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and not _numpydoc_ok(obj):
            found["NUMPYDOC_SECTIONS_MISSING"].add(name)
    for name, obj in FUNCTIONS:
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and not _annotated(obj):
            found["ANNOTATIONS_MISSING"].add(name)
        if inspect.isclass(obj) and dataclasses.is_dataclass(obj) and name not in NOT_RESULTS:
            found["DATACLASS_RESULT"].add(name)
    for name, f in METHODS:
        if not _numpydoc_ok(f):
            found["METHOD_NUMPYDOC_MISSING"].add(name)
        if not _annotated(f):
            found["METHOD_ANNOTATIONS_MISSING"].add(name)
    for name, _, _ in _with("beta"):
        if name.startswith("ratereward."):  # the KL weight, a temperature (module docstring)
            found["BETA_IS_A_TEMPERATURE"].add(name)
    return found


FOUND = scan()


@pytest.mark.parametrize("rule", sorted(FOUND))
def test_no_new_exception_and_no_stale_one(rule):
    pending = globals()[rule]
    new, stale = FOUND[rule] - pending, pending - FOUND[rule]
    assert not new, f"{rule}: these break the convention (book/appendix/conventions.md): {sorted(new)}"
    assert not stale, f"{rule}: these follow the convention now; delete them from the list: {sorted(stale)}"


def test_the_scan_sees_the_library():
    """The scan is of the real surface: the functions every chapter uses carry base, seed and beta."""
    names = {n for n, _ in FUNCTIONS}
    assert {"measures.entropy", "directed.directed_information", "ratedistortion.blahut_arimoto"} <= names
    assert len(list(_with("base"))) > 100 and len(list(_with("seed"))) > 30 and len(list(_with("beta"))) > 15
    methods = {n for n, _ in METHODS}
    assert {"core.LanguageModel.cross_entropy", "core.MarkovLM.random", "tokens.BPETokenizer.encode"} <= methods
    assert not any(n.startswith("channel.") and n.split(".")[1] == "LanguageModel" for n in methods)  # once


#: One name per concept (book/appendix/conventions.md, "One name per concept"): a synonym -> the library's name.
SYNONYMS = {
    "pxy": "p_xy", "joint": "p_xy", "px": "p_x",
    "alphabet_size": "vocab_size", "n_symbols": "vocab_size",
    "num_samples": "n_samples", "n_draws": "n_samples", "n_paths": "n_samples",
    "runs": "repeats", "mc_runs": "repeats", "reps": "repeats", "trials": "repeats", "replicates": "repeats",
    "n_surrogates": "repeats", "n_runs": "repeats", "n_trials": "repeats",
    "maxiter": "max_iter", "max_iters": "max_iter", "max_steps": "max_iter", "max_sweeps": "max_iter",
    "sweeps": "n_iter", "n_iterations": "n_iter",
    "batch": "batch_size", "log_p": "logp", "log_q": "logq", "lp": "logp",
    "supersamples": "n_samples", "dim": "d (a dimension) or axis (an array axis)",
    "trans": "transition", "emit": "emission",
    "mutual_information": "mutual", "directed_information": "directed",
}
#: Synonyms of an argument only (a record may hold, say, the log-probabilities it computed as ``logprobs``).
ARGUMENT_SYNONYMS = {"logprobs": "logp"}
#: Synonyms of a record field only (an argument ``mi`` is the value a bound is evaluated at).
RECORD_SYNONYMS = {"mi": "mutual", "mc_se": "mc_gap_se", "sample_se": "sample_nll_se"}
#: Synonyms only when they name a count (``alphabet`` may be the alphabet itself, a string; ``samples`` an array).
COUNT_SYNONYMS = {"alphabet": "vocab_size", "V": "vocab_size", "samples": "n_samples"}
#: Names that are always counts.
COUNTS = {"vocab_size", "n_samples", "repeats", "max_iter", "n_iter", "steps", "batch_size", "n"}


def _names_and_types():
    """(qualified name, argument or field name, annotation) over every public signature (methods included) and
    result record."""
    for name, obj in FUNCTIONS + METHODS:
        sig = _signature(obj)
        if sig is None:
            continue
        record = inspect.isclass(obj) and (hasattr(obj, "_fields") or dataclasses.is_dataclass(obj))
        for p in sig.parameters.values():
            if p.name not in ("self", "cls"):
                yield name, p.name, str(p.annotation), record


def _is_count(annotation: str) -> bool:
    return annotation.replace("ForwardRef('int')", "int") in ("int", "int | None", "'int'", "'int | None'")


def _synonyms(items) -> list[str]:
    """The (name, argument, annotation, is-a-record) items that use a synonym of the library's name."""
    bad = []
    for name, arg, ann, record in items:
        if arg in SYNONYMS:
            bad.append(f"{name}({arg}): use {SYNONYMS[arg]}")
        elif arg in ARGUMENT_SYNONYMS and not record:
            bad.append(f"{name}({arg}): use {ARGUMENT_SYNONYMS[arg]}")
        elif arg in RECORD_SYNONYMS and record:
            bad.append(f"{name}.{arg}: use {RECORD_SYNONYMS[arg]}")
        elif arg in COUNT_SYNONYMS and _is_count(ann):
            bad.append(f"{name}({arg}: int): use {COUNT_SYNONYMS[arg]}")
        elif arg == "iterations" and not record:
            bad.append(f"{name}(iterations): use max_iter (a limit) or n_iter (a fixed count)")
    return bad


def _non_int_counts(items) -> list[str]:
    """The arguments (not record fields) named as counts whose annotation is not an int."""
    return [f"{name}({arg}: {ann})" for name, arg, ann, record in items
            if not record and arg in COUNTS and ann != str(inspect.Parameter.empty) and not _is_count(ann)
            and not (arg == "steps" and name == "diffusion.sampling_quality")]  # a list of step counts


def test_one_name_per_concept():
    assert not _synonyms(_names_and_types())


#: One name per returned concept: a function name -> the library's name for what it returns.
FUNCTION_SYNONYMS = {"sequence_pmf": "sequence_law", "sequence_distribution": "sequence_law"}


def test_one_public_name_per_function():
    """No function or class is published under a second name (an alias): one API per concept."""
    names: dict[int, set[str]] = {}
    for name, obj in FUNCTIONS:
        names.setdefault(id(obj), set()).add(name.split(".")[-1])
    aliases = [sorted(v) for v in names.values() if len(v) > 1]
    assert not aliases, aliases


def test_one_name_per_returned_concept():
    bad = [n for n, _ in FUNCTIONS if n.split(".")[-1] in FUNCTION_SYNONYMS]
    assert not bad, [f"{n}: use {FUNCTION_SYNONYMS[n.split('.')[-1]]}" for n in bad]


def test_counts_are_ints():
    """A count has one type: ``n_samples``, ``repeats``, ``max_iter``, ``vocab_size``... are ints everywhere."""
    assert not _non_int_counts(_names_and_types())


def test_the_name_rules_can_fail():
    """Both rules catch what they forbid, and pass what the conventions allow."""
    def f(pxy, V: int, alphabet: str, samples, *, mc_runs: int = 2, iterations: int = 1, n_samples: float = 1.0):
        pass  # pragma: no cover
    items = [("f", p.name, str(p.annotation), False) for p in inspect.signature(f).parameters.values()]
    assert [b.split("(")[1].split(")")[0] for b in _synonyms(items)] == ["pxy", "V: int", "mc_runs", "iterations"]
    assert _non_int_counts(items) == ["f(n_samples: float)"]
    assert not _synonyms([("R", "iterations", "int", True)])  # a record reports the iterations it used


def test_records_are_immutable():
    """Results are NamedTuples (DATACLASS_RESULT lists the frozen dataclasses still to convert)."""
    mutable = [n for n, o in FUNCTIONS if inspect.isclass(o) and dataclasses.is_dataclass(o)
               and not o.__dataclass_params__.frozen]
    assert not mutable, mutable


if __name__ == "__main__":  # pragma: no cover - prints the lists to paste above
    for k, v in scan().items():
        print(f"{k}: set[str] = {{\n" + "".join(f"    {n!r},\n" for n in sorted(v)) + "}")
