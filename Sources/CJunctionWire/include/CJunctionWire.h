#ifndef C_JUNCTION_WIRE_H
#define C_JUNCTION_WIRE_H
#include <protobuf-c/protobuf-c.h>
#endif
