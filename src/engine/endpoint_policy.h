/* Moved to http/endpoint_policy.h (the one HTTP layer); kept so existing includes build. */
#ifndef LATTIGO_ENGINE_FWD_ENDPOINT_POLICY_H
#define LATTIGO_ENGINE_FWD_ENDPOINT_POLICY_H
#include "http/endpoint_policy.h"
#endif
