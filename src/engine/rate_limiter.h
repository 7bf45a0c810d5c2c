/* Moved to http/rate_limiter.h (the one HTTP layer); kept so existing includes build. */
#ifndef LATTIGO_ENGINE_FWD_RATE_LIMITER_H
#define LATTIGO_ENGINE_FWD_RATE_LIMITER_H
#include "http/rate_limiter.h"
#endif
