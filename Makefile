# The whole set-up on a fresh machine is `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SYSTEM_DEPS := $(VENV)/.system-deps
SHARED ?= ../shared
TEST_WORKERS ?= 0
PAIRS ?= build/ocr-pairs
PAIR_PAGES ?= 700

.PHONY: install run test test-fast bench model ocr-pairs clean

install: $(INSTALLED) $(SYSTEM_DEPS)

$(INSTALLED): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

$(SYSTEM_DEPS): scripts/install-system-deps.sh
	@mkdir -p $(VENV)
	scripts/install-system-deps.sh
	touch $@

run: install
	$(BIN)/python -m pipeline run raw --out-dir outputs --normalized-dir normalized

# TEST_WORKERS=2 spreads the tests over two processes (pytest-xdist); the default 0 runs them in this one,
# because the tests that kill a run at its time limit are less sure when two workers compete for the cores.
test: install
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

# The quick day-to-day subset: everything not marked slow, in one process (for this short a run,
# a second process costs more in start-up and collection than it saves).
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

# Figures side by side with baselines; reads the evaluation material in $(SHARED).
bench: install
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/restore.py --shared $(SHARED) --seed
	$(BIN)/python bench/restore_speed.py --shared $(SHARED)

# Synthetic OCR training pairs: corpus pages rendered, degraded and read by Tesseract (about an hour on 2 cores).
ocr-pairs: install
	$(BIN)/python training/make_ocr_pairs.py --corpus $(SHARED)/corpus/legal-vi.txt.xz --out $(PAIRS) \
		--pages $(PAIR_PAGES) --seed 1 --jobs 2

# Rebuild the shipped restoration models from the corpus and the OCR pairs.
model: install
	$(BIN)/pip install -q -e '.[train]'
	$(BIN)/python training/build_lm.py --corpus $(SHARED)/corpus/legal-vi.txt.xz --out pipeline/restore/data/lm.npz
	$(BIN)/python training/build_channel.py --pairs $(PAIRS) --out pipeline/restore/data/channel.json.gz
	$(BIN)/python training/build_gazetteer.py --corpus $(SHARED)/corpus/legal-vi.txt.xz \
		--out pipeline/restore/data/gazetteer.txt --words pipeline/restore/data/words.txt

clean:
	rm -rf outputs/* normalized/* .pytest_cache
