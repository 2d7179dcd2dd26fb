# src/discovery: see HACKING.md
