/* Symbols of code addresses (symbols.h). libdw reads .symtab, so static functions get
 * their names, and the DWARF line table for file:line; dladdr, the fallback, sees only the
 * dynamic symbol table. Looked-up function names are cached per symboliser because a
 * profile asks for the same few hundred addresses thousands of times. */
#include "config.h"
#include "symbols.h"
#include "xalloc.h"

#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_LIBDW
#include <elfutils/libdwfl.h>
#include <gelf.h>
#endif

#define CACHE_MIN 256

struct cached {
	uintptr_t addr; /* 0: empty */
	char *function;
};

struct symboliser {
#ifdef HAVE_LIBDW
	Dwfl *dwfl;
#endif
	struct cached *cache;
	size_t cap, used;
};

/* What one lookup found; the strings belong to the lookup's source. */
struct sym {
	const char *module; /* base name */
	const char *name;   /* NULL: no symbol contains the address */
	uintptr_t start;    /* of the symbol, or of the module when name is NULL */
	const char *file;   /* NULL: no line information */
	int line;
};

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path ? path : "?";
}


#ifdef HAVE_LIBDW
static char *debuginfo_path;

/* Separate debug files by build ID only (/usr/lib/debug/.build-id/, where Debian's dbgsym
 * packages put them); DWARF in the file itself needs no lookup. Not the standard lookup:
 * when it finds nothing locally (any library without its dbgsym) it asks debuginfod, and
 * elfutils 0.188 then loads libdebuginfod, whose constructor initialises libcurl with
 * GnuTLS, Kerberos and OpenSSL in the host: about 5 MB more RSS for good after the first
 * /threads, and a network client the host never asked for. A debug file found only by
 * its .gnu_debuglink name is therefore not read. */
static int find_debuginfo_local(Dwfl_Module *m, void **user, const char *name, Dwarf_Addr base,
				const char *file, const char *link, GElf_Word crc, char **path)
{
	return dwfl_build_id_find_debuginfo(m, user, name, base, file, link, crc, path);
}

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = find_debuginfo_local,
	.debuginfo_path = &debuginfo_path,
};

static void open_dwfl(struct symboliser *s)
{
	s->dwfl = dwfl_begin(&callbacks);
	if (s->dwfl == NULL)
		return;
	if (dwfl_linux_proc_report(s->dwfl, getpid()) != 0 ||
	    dwfl_report_end(s->dwfl, NULL, NULL) != 0) {
		dwfl_end(s->dwfl);
		s->dwfl = NULL;
	}
}

/* Whether m's own file holds line tables. Lines are read only from there: a separate debug
 * file (libc6-dbg's) holds compressed DWARF that libdw decompresses whole, and with it
 * every /threads took 100 ms of the host's CPU instead of 10 (5% of a core while
 * lmcache-top shows the Threads tab) and left 30-40 MB in the host's malloc arenas after a
 * few. Names still come from the debug file's symbol table. */
static bool lines_in_file(Dwfl_Module *m)
{
	GElf_Addr bias;
	Elf *e = dwfl_module_getelf(m, &bias);
	Elf_Scn *scn = NULL;
	size_t names;
	GElf_Shdr sh;

	if (e == NULL || elf_getshdrstrndx(e, &names) != 0)
		return false;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(e, names, sh.sh_name) : NULL;

		if (name != NULL && strcmp(name, ".debug_line") == 0)
			return sh.sh_type != SHT_NOBITS;
	}
	return false;
}

static void line_of(Dwfl_Module *m, uintptr_t a, struct sym *out)
{
	Dwfl_Line *l = dwfl_module_getsrc(m, a);

	if (l != NULL)
		out->file = dwfl_lineinfo(l, NULL, &out->line, NULL, NULL, NULL);
}

static bool lookup_libdw(struct symboliser *s, uintptr_t a, struct sym *out)
{
	Dwfl_Module *m = s->dwfl ? dwfl_addrmodule(s->dwfl, a) : NULL;
	GElf_Addr low = 0, bias = 0;
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *path;

	if (m == NULL)
		return false;
	path = dwfl_module_info(m, NULL, &low, NULL, NULL, NULL, NULL, NULL);
	out->module = base_name(path);
	out->start = (uintptr_t)low;
	out->name = dwfl_module_addrinfo(m, a, &off, &sym, NULL, NULL, NULL);
	if (out->name != NULL)
		out->start = a - (uintptr_t)off;
	if (lines_in_file(m) && dwfl_module_getdwarf(m, &bias) != NULL)
		line_of(m, a, out);
	return true;
}
#endif

static bool lookup_dladdr(uintptr_t a, struct sym *out)
{
	ElfW(Sym) *sym = NULL;
	Dl_info info;

	if (dladdr1((void *)a, &info, (void **)&sym, RTLD_DL_SYMENT) == 0)
		return false;
	out->module = base_name(info.dli_fname);
	out->start = (uintptr_t)info.dli_fbase;
	/* The nearest exported symbol may not contain the address (hidden functions). */
	if (info.dli_sname && sym && a < (uintptr_t)info.dli_saddr + sym->st_size) {
		out->name = info.dli_sname;
		out->start = (uintptr_t)info.dli_saddr;
	}
	return true;
}

/* a is the address looked up: a return address minus one, which lies in the call. */
static bool lookup(struct symboliser *s, uintptr_t a, struct sym *out)
{
	memset(out, 0, sizeof *out);
#ifdef HAVE_LIBDW
	if (lookup_libdw(s, a, out))
		return true;
#else
	(void)s;
#endif
	return lookup_dladdr(a, out);
}

struct symboliser *symboliser_new(void)
{
	struct symboliser *s = xcalloc(1, sizeof *s);

#ifdef HAVE_LIBDW
	open_dwfl(s);
#endif
	return s;
}

void symboliser_free(struct symboliser *s)
{
	if (s == NULL)
		return;
#ifdef HAVE_LIBDW
	if (s->dwfl)
		dwfl_end(s->dwfl);
#endif
	for (size_t i = 0; i < s->cap; i++)
		free(s->cache[i].function);
	free(s->cache);
	free(s);
}

char *symboliser_frame(struct symboliser *s, void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	struct sym y;
	int len;

	if (a == 0 || !lookup(s, a - 1, &y))
		return xasprintf("0x%lx", (unsigned long)a);
	if (y.name == NULL)
		return xasprintf("%s+0x%lx", y.module, (unsigned long)(a - y.start));
	len = (int)strcspn(y.name, "@"); /* without the version: "memcpy@GLIBC_2.2.5" */
	if (y.file == NULL)
		return xasprintf("%.*s+0x%lx (%s)", len, y.name, (unsigned long)(a - y.start),
		                 y.module);
	return xasprintf("%.*s+0x%lx (%s) %s:%d", len, y.name, (unsigned long)(a - y.start),
	                 y.module, base_name(y.file), y.line);
}

static char *function_of(struct symboliser *s, uintptr_t a)
{
	struct sym y;

	if (a == 0 || !lookup(s, a - 1, &y))
		return xstrdup("[unknown]");
	if (y.name == NULL)
		return xasprintf("[%s]", y.module);
	return xstrndup(y.name, strcspn(y.name, "@"));
}

static size_t slot_of(const struct symboliser *s, uintptr_t a)
{
	size_t i = (size_t)((a * 0x9e3779b97f4a7c15ull) >> 7) & (s->cap - 1);

	while (s->cache[i].addr != 0 && s->cache[i].addr != a)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static void grow_cache(struct symboliser *s)
{
	struct cached *old = s->cache;
	size_t n = s->cap;

	s->cap = n ? n * 2 : CACHE_MIN;
	s->cache = xcalloc(s->cap, sizeof *s->cache);
	for (size_t i = 0; i < n; i++)
		if (old[i].addr != 0)
			s->cache[slot_of(s, old[i].addr)] = old[i];
	free(old);
}

const char *symboliser_function(struct symboliser *s, void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	size_t i;

	if (a == 0)
		return "[unknown]";
	if ((s->used + 1) * 2 > s->cap)
		grow_cache(s);
	i = slot_of(s, a);
	if (s->cache[i].addr == 0) {
		s->cache[i].addr = a;
		s->cache[i].function = function_of(s, a);
		s->used++;
	}
	return s->cache[i].function;
}
