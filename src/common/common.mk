# Pieces of libcommon (one line per piece).
common_sources += src/common/jsonutil.c src/common/jsonutil.h
common_sources += src/common/heartbeat.c src/common/heartbeat.h
