#ifndef C_JUNCTION_CRC_H
#define C_JUNCTION_CRC_H
#include <stdint.h>
#include <stddef.h>
#endif
