#!/usr/bin/env bash
# The package as a researcher gets it: build the wheel, install it (with the lock) into a fresh venv outside
# the checkout, import every module, compute an entropy, a directed information and a Blahut-Arimoto point,
# and grade the demo submissions with `python -m semtheory.exercises grade`. Run by .ci/run after make test.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP" "$ROOT/build"' EXIT
rm -rf "$ROOT/build"   # setuptools' staging folder: a stale copy would leak removed modules into the wheel
"$PY" -m pip wheel --quiet --no-deps --no-build-isolation -w "$TMP/dist" . >/dev/null
WHEEL=$(ls "$TMP"/dist/semtheory-*.whl)
echo "wheel: $(basename "$WHEEL") ($(du -k "$WHEEL" | cut -f1) kB)"
if unzip -l "$WHEEL" | grep -E "semtheory/(_booktools|_editions|_sphinxext|_apilinks|exercises/assign)|tools/|book/"; then
  echo "the book's build tooling is in the wheel (it lives in tools/ and book/_ext/)"; exit 1
fi
python3 -m venv "$TMP/venv"
"$TMP/venv/bin/pip" install --quiet --upgrade "pip>=24" 2>/dev/null || true
"$TMP/venv/bin/pip" install --quiet -c "$ROOT/.ci/constraints.txt" "$WHEEL[torch,symbolic,plot,course,hf]"
mkdir -p "$TMP/work/subs"
for s in alice bob mallory; do
  mkdir -p "$TMP/work/subs/$s"
  cp "$ROOT/tests/data/submission-$s-98-throwaway.ipynb" "$TMP/work/subs/$s/98-throwaway.ipynb"
done
cp "$ROOT/tests/data/ch98_answers.py" "$TMP/work/"
cd "$TMP/work"   # outside the checkout: nothing may be read through the repository's layout
"$TMP/venv/bin/python" - <<'PY'
import importlib, pkgutil, time
t0 = time.perf_counter()
import semtheory
t_import = time.perf_counter() - t0
assert "site-packages" in semtheory.__file__, semtheory.__file__
names = [m.name for m in pkgutil.walk_packages(semtheory.__path__, "semtheory.")
         if not m.name.split(".")[-1].startswith("__")]
for name in names:
    importlib.import_module(name)
from semtheory import directed, granger, measures, ratedistortion
h = measures.entropy([0.5, 0.25, 0.25])
law = directed.markov_pair_law(granger.coupled_pair_transition(lagged=0.7, flip=0.1), 3)
di = directed.directed_information(law)
pt = ratedistortion.blahut_arimoto([0.5, 0.5], ratedistortion.hamming_distortion(2), 2.0)
assert abs(h - 1.5) < 1e-12 and di > 0 and pt.rate > 0
print(f"wheel install: import semtheory {t_import * 1e3:.0f} ms; {len(names)} modules imported; "
      f"H = {h} bits, DI = {di:.4f} bits, BA rate = {pt.rate:.4f} bits")
PY
"$TMP/venv/bin/python" -m semtheory.exercises grade subs --answers ch98_answers.py --timeout 10 --jobs 3 --out grades.csv
python3 - grades.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
got = {(r["student"], r["exercise"]): int(r["correct"]) for r in rows}
want = {"alice": (1, 1), "bob": (0, 0), "mallory": (1, 0)}
for s, marks in want.items():
    assert tuple(got[(s, e)] for e in ("ex-98-coin-entropy", "ex-98-kl-coins")) == marks, (s, got)
print(f"wheel install: the grader graded {len(rows)} rows as expected")
PY
# The lean install: the wheel alone (numpy and scipy), its size against the full one, and the extras' message.
cd "$ROOT"
python3 -m venv "$TMP/core"
"$TMP/core/bin/pip" install --quiet -c "$ROOT/.ci/constraints.txt" "$WHEEL"
cd "$TMP/work"
"$TMP/core/bin/python" - <<'PY'
import importlib, time
t0 = time.perf_counter()
import semtheory
from semtheory import directed, measures
t_import = time.perf_counter() - t0
assert abs(measures.entropy([0.5, 0.25, 0.25]) - 1.5) < 1e-12
try:
    importlib.import_module("semtheory.transformer")
except ImportError as exc:
    assert "semtheory[torch]" in str(exc), exc
else:
    raise AssertionError("semtheory.transformer imported without torch")
print(f"core install: import semtheory + measures + directed {t_import * 1e3:.0f} ms; without torch, "
      f"semtheory.transformer names the extra")
PY
site() { "$1/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])"; }
echo "install size: semtheory $(du -sm "$(site "$TMP/core")" | cut -f1) MB;" \
  "semtheory[torch,symbolic,plot,course,hf] $(du -sm "$(site "$TMP/venv")" | cut -f1) MB (site-packages)"
