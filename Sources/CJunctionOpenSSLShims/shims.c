#include "CJunctionOpenSSLShims.h"

int CJunctionOpenSSL_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_min_proto_version(ctx, version); }
int CJunctionOpenSSL_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_max_proto_version(ctx, version); }
long CJunctionOpenSSL_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
long CJunctionOpenSSL_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_session_cache_mode(ctx, mode); }
void CJunctionOpenSSL_SSL_CTX_set_read_ahead(SSL_CTX *ctx, int yes) { SSL_CTX_set_read_ahead(ctx, yes); }
uint64_t CJunctionOpenSSL_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
uint64_t CJunctionOpenSSL_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
uint64_t CJunctionOpenSSL_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
uint64_t CJunctionOpenSSL_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }

long CJunctionOpenSSL_SSL_set_tlsext_host_name(SSL *ssl, const char *name) { return SSL_set_tlsext_host_name(ssl, name); }

void CJunctionOpenSSL_BIO_set_retry_read(BIO *bio) { BIO_set_retry_read(bio); }
void CJunctionOpenSSL_BIO_clear_retry_flags(BIO *bio) { BIO_clear_retry_flags(bio); }
long CJunctionOpenSSL_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

int CJunctionOpenSSL_sk_GENERAL_NAME_num(const GENERAL_NAMES *names) { return sk_GENERAL_NAME_num(names); }
GENERAL_NAME *CJunctionOpenSSL_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index) { return sk_GENERAL_NAME_value(names, index); }
void CJunctionOpenSSL_GENERAL_NAMES_free(GENERAL_NAMES *names) { GENERAL_NAMES_free(names); }
int CJunctionOpenSSL_sk_X509_NAME_num(const STACK_OF(X509_NAME) *names) { return sk_X509_NAME_num(names); }

int CJunctionOpenSSL_GENERAL_NAME_type(const GENERAL_NAME *name) { return name->type; }
const ASN1_STRING *CJunctionOpenSSL_GENERAL_NAME_ia5(const GENERAL_NAME *name) { return name->d.ia5; }
const ASN1_OCTET_STRING *CJunctionOpenSSL_GENERAL_NAME_ip(const GENERAL_NAME *name) { return name->d.iPAddress; }

void CJunctionOpenSSL_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }
unsigned long CJunctionOpenSSL_XN_FLAG_RFC2253(void) { return XN_FLAG_RFC2253; }
