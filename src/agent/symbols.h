/* Symbols of code addresses in this process, resolved after capture (never in a signal
 * handler). With libdw (elfutils) every frame gets its function name, static ones too, and
 * file:line where debug info exists; without it, dladdr names exported symbols only. */
#ifndef LMC_AGENT_SYMBOLS_H
#define LMC_AGENT_SYMBOLS_H

#include <stdbool.h>

struct symboliser;

/* Reads this process's module map now; NULL only when nothing can be resolved. */
struct symboliser *symboliser_new(void);
void symboliser_free(struct symboliser *s);
/* A frame for reading: "func+0xoff (module) file.c:line", "func+0xoff (module)" or
 * "module+0xoff". addr is a return address (looked up at addr - 1). Caller frees. */
char *symboliser_frame(struct symboliser *s, void *addr);
/* The function alone, for profiles: "func", or "[module]" when it has no name. The string
 * belongs to s (cached) and lives as long as s. */
const char *symboliser_function(struct symboliser *s, void *addr);

#endif
