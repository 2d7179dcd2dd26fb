# The Python module lmcagent (src/python/): liblmcagent for Python hosts, built when
# python3-dev's headers are present (configure says so), installed into the interpreter's
# site directory. Tests import it from the build tree (src/python/.libs).
python_sources = src/python/module.c src/python/agent.c src/python/metric.c \
	src/python/hooks.c src/python/helpers.c src/python/gil.c src/python/gil.h \
	src/python/pystacks.c src/python/pymod.h
python_bats = tests/bats/python-host.bats tests/bats/python-module.bats \
	tests/bats/python-cluster.bats
EXTRA_DIST += $(python_bats) tests/helpers/python.bash tests/python/python-node.py \
	tests/python/api-check.py tests/python/churn-host.py
if HAVE_PYTHON
pythonsitedir = $(PYTHON_SITEDIR)
pythonsite_LTLIBRARIES = src/python/lmcagent.la
src_python_lmcagent_la_SOURCES = $(python_sources)
src_python_lmcagent_la_CFLAGS = $(AM_CFLAGS) $(PYTHON_CFLAGS)
# A Python extension: no lib prefix nor version, only its init function exported; the
# interpreter provides Python's symbols.
src_python_lmcagent_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-export-symbols-regex '^PyInit_lmcagent$$'
src_python_lmcagent_la_LIBADD = src/agent/liblmcagent.la src/common/libutil.la -lm
AM_TESTS_ENVIRONMENT += export LMC_PYTHON='$(PYTHON)';
TESTS += $(python_bats)
else
EXTRA_DIST += $(python_sources)
endif
