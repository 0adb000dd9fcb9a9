# Set-up and the main commands. Every target creates the virtual environment it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch 2.13.0 is a CPU build on this kind of machine (from local disk). For a GPU build, or
# CPU-only wheels elsewhere, set TORCH_INDEX, e.g.
#   make setup TORCH_INDEX=https://download.pytorch.org/whl/cu126
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
INPUT ?= data/articles
OUTPUT ?= outputs
APT_PACKAGES := hunspell-da lttoolbox apertium-dan-nor chromium chromium-driver

.PHONY: setup setup-dev system-packages model run test test-fast lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.torch: | $(BIN)/python
	$(BIN)/pip install -q $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) "$(TORCH_SPEC)"
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.torch
	$(BIN)/pip install -q -e ".[fast,qa]"
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e ".[fast,qa,cluster,dev]"
	touch $@

setup: $(VENV)/.installed system-packages

setup-dev: $(VENV)/.installed-dev system-packages

# Optional Debian packages: the Danish Hunspell dictionary (casing lexicon) and Chromium (the
# review-page browser test). Installed when apt-get can be used; everything runs without them.
system-packages:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
		if [ -n "$$missing" ]; then \
			echo "Installing Debian packages:$$missing"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
				|| echo "warning: could not install$$missing; continuing without them" >&2; \
		fi; \
	else \
		echo "note: not root or no apt-get; install $(APT_PACKAGES) yourself for full features" >&2; \
	fi

run: setup model
	$(BIN)/daen run $(INPUT) -o $(OUTPUT)

# The back-translation model, fetched once when the Hugging Face Hub can be reached (a 3 s
# probe); offline, or with HF_HUB_OFFLINE=1, nothing is fetched and the run says what is
# missing. Translating itself never downloads.
MODEL_PROBE := import socket; socket.create_connection(("huggingface.co", 443), timeout=3).close()
model: setup
	@if $(BIN)/daen model info >/dev/null 2>&1; then :; \
	elif [ -n "$$HF_HUB_OFFLINE" ] && [ "$$HF_HUB_OFFLINE" != 0 ]; then \
		echo "note: HF_HUB_OFFLINE is set; the back-translation model is not fetched" >&2; \
	elif $(BIN)/python -c '$(MODEL_PROBE)' >/dev/null 2>&1; then \
		$(BIN)/daen model download || echo "note: the model download failed; see above" >&2; \
	else \
		echo "note: offline; the back-translation model is not fetched (daen model download, once online)" >&2; \
	fi

test: setup-dev
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

# The edit loop: everything but model training and conversion, the browser, Ray and the tests
# that start processes (markers in pyproject.toml); `make test` stays the full suite.
FAST_MARKERS := not slow and not browser and not process and not ray
test-fast: setup-dev
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -m "$(FAST_MARKERS)"

lint: setup-dev
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/mypy pipeline

bench: setup-dev
	$(BIN)/python bench/cleanup.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
