# tests/bench: see HACKING.md
EXTRA_DIST += tests/bench/run-all
