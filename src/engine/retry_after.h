/* Moved to http/retry_after.h (the one HTTP layer); kept so existing includes build. */
#ifndef LATTIGO_ENGINE_FWD_RETRY_AFTER_H
#define LATTIGO_ENGINE_FWD_RETRY_AFTER_H
#include "http/retry_after.h"
#endif
