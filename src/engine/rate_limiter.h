/* Moved to common/rate_limiter.h (one token bucket for the client and lattigo-sim); kept so
 * existing includes build. */
#ifndef LATTIGO_ENGINE_FWD_RATE_LIMITER_H
#define LATTIGO_ENGINE_FWD_RATE_LIMITER_H
#include "common/rate_limiter.h"
#endif
