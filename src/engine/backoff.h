/* Moved to http/backoff.h (the one HTTP layer); kept so existing includes build. */
#ifndef LATTIGO_ENGINE_FWD_BACKOFF_H
#define LATTIGO_ENGINE_FWD_BACKOFF_H
#include "http/backoff.h"
#endif
