# Shared by scripts/deps, scripts/check and scripts/demo. POSIX sh.

top=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

jobs_n() { nproc 2>/dev/null || echo 2; }

# build DIR [configure args...]: configure (once) and build in DIR, out of tree.
build() {
	dir=$1
	shift
	[ -x "$top/configure" ] && [ "$top/configure" -nt "$top/configure.ac" ] ||
		(cd "$top" && autoreconf -fi) || die "autoreconf failed"
	mkdir -p "$dir"
	if [ ! -f "$dir/config.status" ]; then
		(cd "$dir" && "$top/configure" --enable-werror "$@") || die "configure failed (see $dir/config.log)"
	fi
	make -C "$dir" -j"$(jobs_n)" >/dev/null || make -C "$dir" || die "build failed"
}
