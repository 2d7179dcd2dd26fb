/* Readiness for systemd's Type=notify (sd_notify(3)). Without libsystemd, or when not run
 * by systemd (no NOTIFY_SOCKET), it does nothing: the daemons behave the same either way. */
#include "config.h"
#include "daemon.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include <string.h>

#include "daemon-log.h"

void daemon_notify(const char *state)
{
#ifdef HAVE_LIBSYSTEMD
	int rc = sd_notify(0, state);

	if (rc < 0)
		log_warn("cannot tell systemd %s: %s", state, strerror(-rc));
	else if (rc > 0)
		log_debug("told systemd %s", state);
#else
	(void)state;
#endif
}
