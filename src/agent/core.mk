# agent core: configuration store and loading, loggers, metrics (agent-internal.h).
agent_sources += src/agent/conf.c src/agent/conf.h src/agent/conf-value.c \
	src/agent/conf-load.c src/agent/conf-yaml.c \
	src/agent/log.c \
	src/agent/metrics.c src/agent/metrics.h src/agent/metrics-render.c
