#include "CJunctionOpenSSLShims.h"
