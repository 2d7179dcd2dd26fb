# lmcache-top under tmux, for the tui-*.bats tests. Load after ../helpers/common.
#
#   tui_start [COLSxROWS] [lmcache-top args...]   starts it in a detached tmux session on this
#                              test's own tmux socket ($T/tmux), default 120x40
#   tui_screen                 the screen as text
#   tui_keys KEY...            tmux send-keys
#   tui_wait TEXT [SECONDS]    until TEXT (a fixed string) is on the screen
#   tui_wait_re REGEX [SECONDS]  the same for an extended regular expression
#   tui_wait_gone TEXT [SECONDS] until TEXT is no longer on the screen
#   tui_resize COLSxROWS       resizes the window
#   tui_running                true while lmcache-top runs
#   tui_status                 its exit status, once it has exited
#   tui_attrs TEXT             the line holding TEXT with its SGR escape sequences
#   tui_sgr_before TEXT        the SGR sequences set last before TEXT (ESC written "ESC")
#   tui_dim TEXT               true when the line holding TEXT is drawn dim
# tui_stop quits it and the tmux server and fails on a sanitizer report (call it from
# teardown, before lmc_teardown).

tui_tmux() { tmux -S "$T/tmux" "$@"; }

tui_start() {
	local size=120x40
	if [[ ${1:-} =~ ^[0-9]+x[0-9]+$ ]]; then size=$1; shift; fi
	rm -f "$T/tui.rc"
	# LMC_TOP: another build of lmcache-top (to see a test fail on an older one)
	printf '%q ' "${LMC_TOP:-lmcache-top}" "$@" >"$T/tui.cmd"
	# the pane stays after the program exits, so its exit status can be read
	tui_tmux -f /dev/null new-session -d -s top -x "${size%x*}" -y "${size#*x}" \
		"$(cat "$T/tui.cmd") 2>$T/tui.err; echo \$? >$T/tui.rc"
	tui_tmux set-option -t top remain-on-exit on >/dev/null
}

# The exit status of lmcache-top, once it has exited.
tui_status() { cat "$T/tui.rc"; }

tui_screen() { tui_tmux capture-pane -p -t top; }
tui_keys() { tui_tmux send-keys -t top "$@"; }

tui_has() { tui_screen | grep -qF -- "$1"; }
tui_has_re() { tui_screen | grep -qE -- "$1"; }

tui_wait() {
	wait_until "${2:-15}" tui_has "$1" && return 0
	printf 'not on the screen: %s\n--- screen:\n%s\n' "$1" "$(tui_screen)" >&2
	return 1
}

tui_wait_re() {
	wait_until "${2:-15}" tui_has_re "$1" && return 0
	printf 'no match on the screen: %s\n--- screen:\n%s\n' "$1" "$(tui_screen)" >&2
	return 1
}

tui_wait_gone() {
	wait_until "${2:-15}" eval "! tui_has $(printf %q "$1")" && return 0
	printf 'still on the screen: %s\n--- screen:\n%s\n' "$1" "$(tui_screen)" >&2
	return 1
}

tui_resize() {
	tui_tmux resize-window -t top -x "${1%x*}" -y "${1#*x}"
}

tui_running() {
	[ ! -s "$T/tui.rc" ]
}

# The line of the screen that holds TEXT.
tui_line() { tui_screen | grep -F -- "$1" | head -n 1; }

# The same line with its attributes (SGR sequences).
tui_attrs() { tui_tmux capture-pane -e -p -t top | grep -F -- "$1" | head -n 1; }

# True when the line holding TEXT is drawn dim (SGR 2 in one of its sequences).
tui_dim() { tui_attrs "$1" | grep -qP '\e\[(\d*;)*2(;\d*)*m'; }

# True when one of the lines holding TEXT is drawn dim: the cursor's row never is, and it
# may be the first of them (a list sorted by CPU puts the busiest thread on top).
tui_dim_any() {
	tui_tmux capture-pane -e -p -t top | grep -F -- "$1" | grep -qP '\e\[(\d*;)*2(;\d*)*m'
}

# The SGR sequences in effect where TEXT starts (the run of them last set before it).
tui_sgr_before() {
	tui_tmux capture-pane -e -p -t top | T="$1" perl -ne \
		'if (/((?:\e\[[0-9;]*m)+)[^\e]*?\Q$ENV{T}\E/) { print $1 =~ s/\e/ESC/gr; exit }'
}

# Quits lmcache-top (q) and the tmux server, and fails when a sanitizer reported anything.
tui_stop() {
	[ -S "$T/tmux" ] || return 0
	if tui_running; then
		tui_keys Escape Escape q 2>/dev/null
		wait_until 10 test -s "$T/tui.rc"
	fi
	tui_tmux kill-server 2>/dev/null
	rm -f "$T/tmux"
	if grep -qE 'Sanitizer|runtime error' "$T/tui.err" 2>/dev/null; then
		cat "$T/tui.err" >&2
		return 1
	fi
	return 0
}
