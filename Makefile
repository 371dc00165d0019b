# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install dyadsim, serve the dashboard on http://127.0.0.1:8050
#   make test   create .venv with the dev extras, run the whole test suite
#   make class  serve a class: gunicorn, 2 workers, on every interface (see docs/SECURITY.md)
# Mesa 3.5 needs Python >= 3.12. We look for one on PATH, then in pyenv's versions folder
# (pyenv shims fail for versions that are installed but not activated).

VENV    := .venv
BIN     := $(VENV)/bin
PYTHON_CANDIDATES := python3.12 python3.13 python3.14 python3 \
	$(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3) \
	$(wildcard /usr/local/bin/python3.1[2-9]) $(wildcard /usr/bin/python3.1[2-9])

.PHONY: run class test lint clean

define find_python
for p in $(PYTHON_CANDIDATES); do \
  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v $$p; exit 0; fi; done; \
echo "error: dyadsim needs Python >= 3.12 (Mesa 3.5 requires it) and none was found; tried: $(PYTHON_CANDIDATES)" >&2; exit 1
endef

$(BIN)/python:
	@py=$$($(find_python)) || exit 1; echo "creating $(VENV) with $$py"; "$$py" -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/dyadsim dashboard --host 127.0.0.1 --port 8050

class: $(VENV)/.installed
	$(BIN)/dyadsim dashboard --host 0.0.0.0 --port 8050 --workers 2

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
