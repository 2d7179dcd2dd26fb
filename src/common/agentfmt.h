/* Parsers for the text formats of an internal API server (PROTOCOL.md 3), accepting what
 * LMCache's Python server sends as well as ours. Pure: no I/O. */
#ifndef LMC_COMMON_AGENTFMT_H
#define LMC_COMMON_AGENTFMT_H

#include <jansson.h>
#include <stddef.h>

/* /version, /lmc_version, /commit_id: a JSON string ("0.3.9-abc"), or plain text from an
 * older server. The version without quotes or surrounding space; caller frees. */
char *agentfmt_version(const char *body, size_t len);

/* /loglevel: "=== Loggers and Levels ===" then "<name>: <LEVEL>" lines, or one such line.
 * A JSON object {name: LEVEL} in the order of the text. NULL with cause when no line has
 * the form. */
json_t *agentfmt_loglevels(const char *body, size_t len, char **cause);

/* /threads in any of its formats: LMCache's text blocks, LMCache's JSON list, or ours
 * (?format=json). A JSON array of {"name", "thread_id", "state", "cpu_time", "frames"}
 * (members absent from the input are null; frames is a list, maybe empty). Frames are
 * innermost first, as the agent's native stacks are: Python stacks (traceback.format_stack's
 * `File "PATH", line N, in F` + source line, outermost first, in LMCache's text or in a JSON
 * frames list) are reversed and joined into one string a frame, "F (PATH:N): SOURCE" (no
 * ": SOURCE" when Python gave no source line; 3.11's caret lines are left out). */
json_t *agentfmt_threads(const char *body, size_t len, char **cause);

#endif
