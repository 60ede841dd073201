#ifndef C_JUNCTION_OPENSSL_SHIMS_H
#define C_JUNCTION_OPENSSL_SHIMS_H
// One-line wrappers for the OpenSSL 3 function-like macros (and macro constants
// built from casts) that Swift cannot import. Every symbol has the prefix
// CJunctionOpenSSL_ followed by the name of the macro it wraps.
#include <stdint.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>

// SSL_CTX configuration
int CJunctionOpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
int CJunctionOpenSSL_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version);
long CJunctionOpenSSL_SSL_CTX_set_mode(SSL_CTX *ctx, long mode);
long CJunctionOpenSSL_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode);
void CJunctionOpenSSL_SSL_CTX_set_read_ahead(SSL_CTX *ctx, int yes);
uint64_t CJunctionOpenSSL_SSL_OP_NO_COMPRESSION(void);
uint64_t CJunctionOpenSSL_SSL_OP_NO_RENEGOTIATION(void);
uint64_t CJunctionOpenSSL_SSL_OP_CIPHER_SERVER_PREFERENCE(void);
uint64_t CJunctionOpenSSL_SSL_OP_NO_TICKET(void);

// SSL
long CJunctionOpenSSL_SSL_set_tlsext_host_name(SSL *ssl, const char *name);

// BIO retry flags
void CJunctionOpenSSL_BIO_set_retry_read(BIO *bio);
void CJunctionOpenSSL_BIO_clear_retry_flags(BIO *bio);
long CJunctionOpenSSL_BIO_get_mem_data(BIO *bio, char **data);

// Typed stacks
int CJunctionOpenSSL_sk_GENERAL_NAME_num(const GENERAL_NAMES *names);
GENERAL_NAME *CJunctionOpenSSL_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index);
void CJunctionOpenSSL_GENERAL_NAMES_free(GENERAL_NAMES *names);
int CJunctionOpenSSL_sk_X509_NAME_num(const STACK_OF(X509_NAME) *names);

// GENERAL_NAME accessors (the union is awkward from Swift)
int CJunctionOpenSSL_GENERAL_NAME_type(const GENERAL_NAME *name);
const ASN1_STRING *CJunctionOpenSSL_GENERAL_NAME_ia5(const GENERAL_NAME *name);
const ASN1_OCTET_STRING *CJunctionOpenSSL_GENERAL_NAME_ip(const GENERAL_NAME *name);

// Memory
void CJunctionOpenSSL_OPENSSL_free(void *pointer);
unsigned long CJunctionOpenSSL_XN_FLAG_RFC2253(void);

#endif
