# semtheory — two commands on a fresh machine: `make book` and `make test` (see README).
SHELL   := /bin/bash
PYTHON  ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
JB      := $(VENV)/bin/jupyter-book
CACHE   := _build/.jupyter_cache
STAMP   := $(VENV)/.installed
JBFLAGS := -W -n --keep-going

.PHONY: install book execute test pytest lab clean lock chapter times

install: $(STAMP)

# A fresh .venv with the package (editable) and its book + test extras, pinned by the lock.
$(STAMP): pyproject.toml .ci/constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c .ci/constraints.txt -e ".[book,test]"
	@touch $@

# Execute every chapter (in parallel, into the cache), then render HTML with warnings as errors.
book: install
	$(PY) -m semtheory._booktools guard $(CACHE)
	$(PY) -m semtheory._booktools execute $(CACHE)
	$(JB) build . $(JBFLAGS) || { cat _build/html/reports/*.err.log 2>/dev/null; exit 1; }
	@$(PY) -m semtheory._booktools times $(CACHE)
	@echo "HTML: file://$(CURDIR)/_build/html/index.html"

# Package tests, then a full book build, then the tests that read the built book (execution budget).
test: install
	$(PY) -m pytest
	$(MAKE) book
	$(PY) -m pytest -m book

pytest: install
	$(PY) -m pytest

# Build one chapter alone (preface + chapter + references) with -W: `make chapter CH=book/02-information-measures.md`
chapter: install
	$(PY) -m semtheory._booktools check $(CH)

times:
	@$(PY) -m semtheory._booktools times $(CACHE)

# JupyterLab where a double-click on book/*.md opens the chapter as a notebook (jupytext).
lab: install
	$(PY) -m pip install --quiet -c .ci/constraints.txt -e ".[lab]"
	$(VENV)/bin/jupytext-config set-default-viewer markdown myst
	$(VENV)/bin/jupyter lab book/

# Re-pin the whole dependency tree from a fresh venv (maintainers only).
lock:
	rm -rf _build/lockvenv && $(PYTHON) -m venv _build/lockvenv
	_build/lockvenv/bin/pip install --quiet --upgrade "pip>=24"
	_build/lockvenv/bin/pip install --quiet -e ".[book,test]"
	_build/lockvenv/bin/pip freeze --exclude-editable | sed '/^semtheory/d' > .ci/constraints.txt
	rm -rf _build/lockvenv

clean:
	rm -rf _build
