# tui: see HACKING.md
