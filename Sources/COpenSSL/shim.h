#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
/* SHA256_Init and friends are deprecated in OpenSSL 3 but kept, and run without providers (see below). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <string.h>

/* HMAC-SHA256 (RFC 2104) over OpenSSL's SHA-256 compression, without EVP: the first EVP_MAC_fetch of a process
   loads OpenSSL's configuration and providers, 1.1-1.4 ms, a tenth of a whole CGI /status. The RFC 4231 vectors in
   SigningTests check it. */
static inline void copenssl_hmac_sha256(const unsigned char *key, size_t key_length, const unsigned char *message,
                                        size_t message_length, unsigned char out[32]) {
    unsigned char block[64] = {0}, pad[64], inner[32];
    SHA256_CTX context;
    if (key_length > sizeof block) {   /* a key longer than a block is hashed first */
        SHA256_Init(&context);
        SHA256_Update(&context, key, key_length);
        SHA256_Final(block, &context);
    } else if (key_length > 0) {
        memcpy(block, key, key_length);
    }
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x36;
    SHA256_Init(&context);
    SHA256_Update(&context, pad, sizeof pad);
    if (message_length > 0) SHA256_Update(&context, message, message_length);
    SHA256_Final(inner, &context);
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&context);
    SHA256_Update(&context, pad, sizeof pad);
    SHA256_Update(&context, inner, sizeof inner);
    SHA256_Final(out, &context);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    OPENSSL_cleanse(inner, sizeof inner);
    OPENSSL_cleanse(&context, sizeof context);
}
