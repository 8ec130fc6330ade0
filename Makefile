# `make run` serves the site on http://127.0.0.1:8000 (PORT=8080 make run for another
# port); `make test` runs every test, on all CPU cores. Both make `.venv` and install
# what is needed first, and install again only when a requirements file has changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check

# `make run PORT=8080` works as well as `PORT=8080 make run`.
ifdef PORT
export PORT
endif

.PHONY: run test lint clean

run: $(VENV)/.installed-runtime
	$(BIN)/flask --app wsgi serve

# Extra pytest arguments: make test ARGS="tests/test_serve.py -x"
test: $(VENV)/.installed-dev
	$(BIN)/pytest $(ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "This site needs Python 3.11 or newer as '$(PYTHON)'." >&2; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { \
		echo "Could not make $(VENV). On Debian or Ubuntu: sudo apt-get install python3-venv" >&2; \
		rm -rf $(VENV); exit 1; }

# The stamp files record that the installs finished; `|` means a new .venv alone
# does not count as a change.
$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(PIP) install -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime
