#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
/* OSSL_PARAM: hmacSHA256 sets its per-thread EVP_MAC_CTX's digest once. */
#include <openssl/params.h>
