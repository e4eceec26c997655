# clipkit: `make demo` converts the bundled sample, `make test` runs every check.
# Both install what they need first (system packages via apt-get, Python ones into .venv).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE := media/avWhreBUYF0.md
OUT    := out
# the talk to cut: the stand-in by default, or the real one after `clipkit fetch`
VIDEO  ?= $(OUT)/standin.mp4
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# command -> Debian package (melt renders the .kdenlive timelines in the tests, chromium reads
# the words-mode WebVTT as a browser does); fonts (for burned captions and title cards) are checked by file
SYSTEM_COMMANDS := ffmpeg:ffmpeg ffprobe:ffmpeg espeak-ng:espeak-ng fc-list:fontconfig \
	melt:melt chromium:chromium
FONT_FILE := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

.PHONY: setup system-packages demo test lint clean

setup: system-packages $(VENV)/.installed

# apt-get only when something is missing, so a second `make` needs neither network nor sudo
system-packages:
	@missing=""; \
	for pair in $(SYSTEM_COMMANDS); do \
		command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	[ -f $(FONT_FILE) ] || missing="$$missing fonts-dejavu-core"; \
	$(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# pip -qq: only errors; the packages' own chatter (and pip's warnings about the machine's
# index configuration) stays out of sight
$(VENV)/.installed: pyproject.toml
	@echo "setting up $(VENV): clipkit and the Python packages it uses (about a minute, once)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -qq --upgrade pip
	@$(BIN)/python -m pip install -qq -e '.[dev,align,timeline,dask]'
	@touch $@

demo: setup
	mkdir -p $(OUT)
	$(BIN)/clipkit convert $(SAMPLE) -o $(OUT)/avWhreBUYF0.srt
	$(BIN)/clipkit convert $(SAMPLE) -o $(OUT)/avWhreBUYF0.vtt
	@$(BIN)/python -c "$$DEMO_SUMMARY" $(OUT)/avWhreBUYF0.srt $(OUT)/avWhreBUYF0.vtt
	@test -f $(VIDEO) || { echo "making $(VIDEO), a stand-in for the 41-minute talk (about 3 minutes, once)"; \
		$(BIN)/python scripts/make_standin.py --captions $(SAMPLE) -o $(VIDEO); }
	$(BIN)/clipkit find $(OUT)/avWhreBUYF0.srt "wells fargo"
	$(BIN)/clipkit clip $(VIDEO) --captions $(SAMPLE) --highlights media/highlights.yaml -d $(OUT)/clips
	$(BIN)/clipkit clip $(VIDEO) --captions $(OUT)/avWhreBUYF0.srt --highlights media/highlights.yaml -d $(OUT)/shorts --vertical --burn --resegment
	$(BIN)/clipkit reel $(VIDEO) --captions $(OUT)/avWhreBUYF0.srt --highlights media/highlights.yaml -o $(OUT)/reel.mp4 --titles 2 --xfade 0.5

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q -n auto

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache

# What the demo wrote, read back with pysrt and webvtt-py.
define DEMO_SUMMARY
import sys, pysrt, webvtt
for path in sys.argv[1:]:
    if path.endswith(".srt"):
        cues = [(c.start.ordinal, c.end.ordinal, c.text.split("\n")) for c in pysrt.open(path)]
    else:
        cues = [(c.start_time.in_milliseconds(), c.end_time.in_milliseconds(), c.text.split("\n"))
                for c in webvtt.read(path)]
    lines = [line for _, _, text in cues for line in text]
    words = sum(len(line.split()) for line in lines)
    print(f"{path}: {len(cues)} cues, {words} words, last cue ends at {cues[-1][1] / 1000:.1f} s, "
          f"longest line {max(map(len, lines))} chars, at most {max(len(t) for _, _, t in cues)} lines a cue")
start, end, text = cues[len(cues) // 2]
print(f"  e.g. {start / 1000:.3f} -> {end / 1000:.3f} s: " + " / ".join(text))
endef
export DEMO_SUMMARY
