# src/demo: see HACKING.md
