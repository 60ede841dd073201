#include "CJunctionCRC.h"
