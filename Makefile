# Samling: `make run` starts the whole platform locally on moto, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# The newest Python >= 3.12 on the machine (pyenv shims that point nowhere are skipped).
PYTHON ?= $(shell for c in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 python3; do \
	if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo $$c; break; fi; done)

.PHONY: install browser run test lint bench docs package deploy clean
STAGE ?= prod

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Samling needs Python 3.12 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The browser tests drive Debian's Chromium; Playwright's own browser download is not used.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=; \
	elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
	else echo "The browser tests need $(CHROMIUM): run 'apt-get install chromium' as root" >&2; exit 1; fi; \
	command -v apt-get >/dev/null 2>&1 || { echo "The browser tests need Chromium at $(CHROMIUM), and apt-get is not here to install it" >&2; exit 1; }; \
	$$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
	  || { echo "Installing Chromium failed; the browser tests cannot run" >&2; exit 1; }; \
	test -x $(CHROMIUM) || { echo "Chromium was installed but $(CHROMIUM) is missing" >&2; exit 1; }

run: install
	$(BIN)/python -m samling.local run

test: install browser
	$(BIN)/cfn-lint infra/*.yaml
	$(BIN)/python -m pytest -n 2 --dist loadfile

# The benches compare with WeasyPrint too (Pango comes with Debian's Chromium or libpango-1.0-0).
bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The example certificate as a picture for the docs. pdftoppm comes from Debian's poppler-utils.
docs:
	@if ! command -v pdftoppm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=; \
	  elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
	  else echo "make docs needs pdftoppm: run 'apt-get install poppler-utils' as root" >&2; exit 1; fi; \
	  command -v apt-get >/dev/null 2>&1 || { echo "make docs needs pdftoppm, and apt-get is not here to install poppler-utils" >&2; exit 1; }; \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends poppler-utils \
	    || { echo "Installing poppler-utils failed" >&2; exit 1; }; \
	fi
	pdftoppm -png -r 80 -singlefile docs/certificate-example.pdf docs/certificate-example

package: install
	$(BIN)/python infra/package.py --stage $(STAGE)

deploy: package
	STAGE=$(STAGE) $(BIN)/python infra/deploy.py

clean:
	rm -rf $(VENV) build
