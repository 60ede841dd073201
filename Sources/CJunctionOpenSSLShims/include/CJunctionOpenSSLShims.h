#ifndef C_JUNCTION_OPENSSL_SHIMS_H
#define C_JUNCTION_OPENSSL_SHIMS_H
#include <openssl/ssl.h>
#endif
