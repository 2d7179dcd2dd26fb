# Pieces of libcommon (one line per piece).
common_sources += src/common/jsonutil.c src/common/jsonutil.h
