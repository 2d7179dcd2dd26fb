# systemd/: the daemons' units (Type=notify, hardened) and their options files, installed
# for operators and the Debian packages (debian/). README "Install on a host".
systemdsystemunit_DATA = systemd/lmcache-discovery.service systemd/lmcache-frontend.service
systemd_defaultsdir = $(sysconfdir)/default
systemd_defaults_DATA = systemd/lmcache-discovery systemd/lmcache-frontend
EXTRA_DIST += systemd/lmcache-discovery.service.in systemd/lmcache-frontend.service.in \
	systemd/lmcache-discovery.default systemd/lmcache-frontend.default
CLEANFILES += $(systemdsystemunit_DATA) $(systemd_defaults_DATA)

# The units name the programs by their installed paths.
systemd_subst = $(AM_V_GEN)$(MKDIR_P) systemd && sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' $(srcdir)/$@.in >$@.tmp && mv $@.tmp $@
systemd/lmcache-discovery.service: $(srcdir)/systemd/lmcache-discovery.service.in Makefile
	$(systemd_subst)
systemd/lmcache-frontend.service: $(srcdir)/systemd/lmcache-frontend.service.in Makefile
	$(systemd_subst)
systemd/lmcache-discovery: $(srcdir)/systemd/lmcache-discovery.default
	$(AM_V_GEN)$(MKDIR_P) systemd && cp $(srcdir)/systemd/lmcache-discovery.default $@
systemd/lmcache-frontend: $(srcdir)/systemd/lmcache-frontend.default
	$(AM_V_GEN)$(MKDIR_P) systemd && cp $(srcdir)/systemd/lmcache-frontend.default $@

# The installed layout under a temp root: units verify, readiness, journald levels, state.
TESTS += tests/bats/install.bats
EXTRA_DIST += tests/bats/install.bats tests/helpers/notify-run.py
