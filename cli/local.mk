# cli: see HACKING.md
