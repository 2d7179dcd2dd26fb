# examples/prometheus and examples/grafana: Prometheus rules and scrape config for an LMCache
# cluster (discovery through lmcache-discovery's /http_sd), and a Grafana dashboard.
prometheusexamplesdir = $(pkgdatadir)/examples/prometheus
dist_prometheusexamples_DATA = examples/prometheus/prometheus.yml \
	examples/prometheus/lmcache-rules.yml examples/prometheus/lmcache-rules.test.yml
grafanaexamplesdir = $(pkgdatadir)/examples/grafana
dist_grafanaexamples_DATA = examples/grafana/lmcache-dashboard.json
TESTS += tests/bats/prometheus.bats
EXTRA_DIST += tests/bats/prometheus.bats
