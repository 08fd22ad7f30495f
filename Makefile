# Two commands do all the set-up (see README):  make run   |   make test
VENV ?= .venv
PY := $(VENV)/bin/python
# torch is pinned to the CPU build; where a local wheel folder exists (these machines), use it
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)

.PHONY: install run test test-fast lint bench clean-data

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(FIND_LINKS) torch==2.13.0
	$(PY) -m pip install -q $(FIND_LINKS) -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) app.py

test: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

test-fast: install  # the quick tier while developing: no slow or browser tests (CI runs make test)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -m "not slow and not browser"

bench: install
	$(PY) bench/retrieval.py

clean-data:  # the store only: data/feedback.jsonl (user feedback) is kept
	rm -rf data/chroma data/bm25 data/gen-* data/CURRENT data/CURRENT.tmp data/write.lock
