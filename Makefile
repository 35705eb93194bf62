# The two commands of README.md, and what they need.
#   make serve   set up, build the book (executing its pages), serve it locally
#   make test    set up, run the test suite
# Each does its own set-up; a second run reuses .venv/ and the execution cache.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed
VENDOR := book/_vendor/.vendored

.PHONY: help setup vendor browser grading-deps book weights serve lab publish test clean

help:
	@echo "make serve   build the course site and serve it on http://$(HOST):$(PORT)/"
	@echo "make book    build the course site into _build/html"
	@echo "make lab     open JupyterLab on your own copies of the assignments (in work/)"
	@echo "make test    run the test suite"
	@echo "make weights train the book's models again into cnn_core/pretrained/ (minutes)"
	@echo "make publish build the site and push it to the gh-pages branch of origin"
	@echo "make clean   remove the build (keeps .venv)"

# The environment: rebuilt only when the requirements change.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade-strategy only-if-needed -r requirements.txt -e .
	@touch $(STAMP)

setup: $(STAMP)

# MathJax, require.js and the widget manager, so the site works offline.
vendor:
	@bash scripts/vendor_assets.sh

# Debian's Chromium, for the site's browser test.
browser:
	@bash scripts/install_browser.sh

# bubblewrap (the grading sandbox) and PostgreSQL (the shared-gradebook tests), from Debian.
grading-deps:
	@bash scripts/install_grading_deps.sh

# Pages load the trained models shipped in cnn_core/pretrained/; a page that fails makes
# every build fail until it is fixed (scripts/build_book.py).
book: setup vendor
	@$(PY) scripts/build_book.py

# Train every model of the book again (minutes) into cnn_core/pretrained/, from the pages' code.
weights: setup
	$(PY) scripts/train_book_models.py

serve: book
	@echo ""
	@echo "The course is at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@$(PY) -m http.server $(PORT) --bind $(HOST) --directory _build/html

# Students: JupyterLab on their own copies of the assignments (work/: never overwritten).
LAB_ARGS ?=
lab: setup
	@$(PY) scripts/release_for_site.py
	@$(PY) scripts/student_workspace.py
	$(VENV)/bin/jupyter-lab --notebook-dir=work --ServerApp.ip=$(HOST) $(if $(filter 0,$(shell id -u)),--allow-root) \
		$(LAB_ARGS)

# GitHub Pages serves the site from the gh-pages branch; the Colab buttons read it there.
publish: book
	$(PY) scripts/publish_site.py _build/html

test: setup vendor browser grading-deps
	$(PY) -m pytest -n auto

clean:
	rm -rf _build
