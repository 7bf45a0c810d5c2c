/* Moved to http/aimd.h (the one HTTP layer); kept so existing includes build. */
#ifndef LATTIGO_ENGINE_FWD_AIMD_H
#define LATTIGO_ENGINE_FWD_AIMD_H
#include "http/aimd.h"
#endif
