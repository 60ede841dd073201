#include "CJunctionWire.h"
