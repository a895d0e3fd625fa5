# semtheory — two commands on a fresh machine: `make book` and `make test` (see README).
SHELL   := /bin/bash
PYTHON  ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
JB      := $(VENV)/bin/jupyter-book
CACHE   := _build/.jupyter_cache
STAMP   := $(VENV)/.installed
JBFLAGS := -W -n --keep-going

.PHONY: install book execute test pytest lab clean lock chapter times appendices executed student instructor \
        assignments grade-demo pdf bench

install: $(STAMP)

# A fresh .venv with the package (editable) and every extra, pinned by the lock.
$(STAMP): pyproject.toml .ci/constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c .ci/constraints.txt -e ".[all]"
	@touch $@

# Regenerate the appendices that are computed from the package (exercise index, notation, derivations),
# and the API reference part (book/api/, one page per public module, and its part of _toc.yml).
appendices: install
	$(PY) -m tools.editions appendices
	$(PY) tools/apidocs.py

# Execute every chapter (in parallel, into the cache): shared by all three editions.
executed: appendices
	$(PY) -m tools.booktools guard $(CACHE)
	$(PY) -m tools.booktools execute $(CACHE)

# The reader's edition (solutions collapsed), with warnings as errors.
book: executed
	$(JB) build . $(JBFLAGS) || { cat _build/html/reports/*.err.log 2>/dev/null; exit 1; }
	@$(PY) -m tools.booktools times $(CACHE)
	@echo "HTML: file://$(CURDIR)/_build/html/index.html"

# The student edition: no solutions anywhere (pages, search index, sources, downloads) -> _build/student/html.
# Its config is generated from _config.yml into _build/student/_config.yml; it reuses the execution cache.
student: executed
	$(PY) -m tools.editions build student

# The instructor edition: the same pages with every solution shown open -> _build/instructor/html.
instructor: executed
	$(PY) -m tools.editions build instructor

# The printable edition: the built HTML printed by headless Chromium, joined behind a title page and contents
# -> _build/pdf/book.pdf (EDITION=student or instructor: book-student.pdf, book-instructor.pdf).
EDITION ?= reader
pdf: $(if $(filter reader,$(EDITION)),book,$(EDITION))
	$(PY) tools/pdf.py --edition $(EDITION)

# Each chapter's exercises in three formats (no solutions in what students get): plain self-study notebooks
# with check() cells, Otter Assign masters and nbgrader sources with hidden tests, and hidden-tests.json
# -> _build/assignments/{plain,otter,nbgrader}/ (see README, "Assign exercises").
assignments: install
	rm -rf _build/assignments
	$(PY) -m tools.editions assignments _build/assignments

# Grade the three sample submissions of tests/data (right, wrong, hostile) -> _build/grade-demo/grades.csv.
grade-demo: install
	rm -rf _build/grade-demo && mkdir -p _build/grade-demo/submissions
	for s in alice bob mallory; do mkdir -p _build/grade-demo/submissions/$$s; \
	  cp tests/data/submission-$$s-98-throwaway.ipynb _build/grade-demo/submissions/$$s/98-throwaway.ipynb; done
	$(PY) -m semtheory.exercises grade _build/grade-demo/submissions --answers tests/data/ch98_answers.py \
	  --timeout 10 --jobs 3 --out _build/grade-demo/grades.csv
	@cat _build/grade-demo/grades.csv

# Package tests, then the book and the student edition, then the tests that read them (execution budget,
# solution leaks, the pages in a headless browser). One sub-make builds both editions (the appendices and the
# execution cache are checked once), and the PDF is printed from the HTML just built (`make pdf` would build
# the book again first).
test: appendices
	$(PY) -m pytest
	$(MAKE) book student
	$(PY) tools/pdf.py --edition reader
	$(PY) -m pytest -m book

pytest: install
	$(PY) -m pytest

# Build one chapter alone (preface + chapter + references) with -W: `make chapter CH=book/02-information-measures.md`
chapter: install
	$(PY) -m tools.booktools check $(CH)

times:
	@$(PY) -m tools.booktools times $(CACHE)

# Every benchmark that prints a ratio (ours against a peer or a bare pass, measured in one run), their tables
# collected with the machine, the versions and the goals of issue #17 into benchmarks/results.md.
bench: install
	$(PY) benchmarks/run_all.py

# JupyterLab where a double-click on book/*.md opens the chapter as a notebook (jupytext), with MyST rendered
# (jupyterlab-myst). Settings live in the venv (JUPYTER_CONFIG_DIR), not in the user's home.
LABCONF := $(CURDIR)/$(VENV)/etc/jupyter-semtheory
LABPORT ?= 8888
lab: install
	$(PY) -m pip install --quiet -c .ci/constraints.txt -e ".[lab]"
	JUPYTER_CONFIG_DIR=$(LABCONF) $(PY) tools/labconfig.py
	@echo "JupyterLab on http://127.0.0.1:$(LABPORT)/lab/tree/book (open the URL with the token printed below)"
	JUPYTER_CONFIG_DIR=$(LABCONF) $(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(LABPORT) \
	  --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/book $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

# Re-pin the whole dependency tree from a fresh venv (maintainers only).
lock:
	rm -rf _build/lockvenv && $(PYTHON) -m venv _build/lockvenv
	_build/lockvenv/bin/pip install --quiet --upgrade "pip>=24"
	_build/lockvenv/bin/pip install --quiet -e ".[all]"
	_build/lockvenv/bin/pip freeze --exclude-editable | sed '/^semtheory/d' > .ci/constraints.txt
	rm -rf _build/lockvenv

clean:
	rm -rf _build
