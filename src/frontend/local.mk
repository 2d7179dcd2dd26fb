# src/frontend: see HACKING.md
