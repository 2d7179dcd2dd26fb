/* The daemons' log: one line per message on stderr, "<UTC time> <program> <level>: <text>",
 * with a level threshold (--log-level). When stderr is journald's stream (JOURNAL_STREAM),
 * "<N><level>: <text>" instead, N the syslog priority, so journalctl shows levels. Never
 * coloured. */
#ifndef LMC_COMMON_DAEMON_LOG_H
#define LMC_COMMON_DAEMON_LOG_H

#include <stdarg.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Returns -1 for an unknown name (error, warn, info, debug). */
int log_level_parse(const char *name);
/* name is the program shown in each line; it must outlive the logging. */
void log_setup(const char *name, enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* libmicrohttpd's error log (MHD_OPTION_EXTERNAL_LOGGER, cls unused), at debug level. */
void log_mhd(void *cls, const char *fmt, va_list ap);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
