#include "ccurl.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Debian's libcurl4 (libcurl4-openssl-dev's runtime); the soname, so a -dev package is not needed to run. */
#define LIBRARY "libcurl.so.4"

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_reset)(CURL *);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd[], unsigned int, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} f;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

static void load(void) {
    void *h = dlopen(LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!h) { snprintf(failure, sizeof failure, "%s could not be loaded (install libcurl4): %s", LIBRARY, dlerror()); return; }
#define RESOLVE(field, name) \
    if (!(*(void **)&f.field = dlsym(h, name))) { snprintf(failure, sizeof failure, "%s has no %s", LIBRARY, name); return; }
    RESOLVE(global_init, "curl_global_init") RESOLVE(easy_init, "curl_easy_init") RESOLVE(easy_reset, "curl_easy_reset")
    RESOLVE(easy_cleanup, "curl_easy_cleanup") RESOLVE(easy_strerror, "curl_easy_strerror")
    RESOLVE(easy_setopt, "curl_easy_setopt") RESOLVE(easy_getinfo, "curl_easy_getinfo") RESOLVE(multi_init, "curl_multi_init")
    RESOLVE(multi_cleanup, "curl_multi_cleanup") RESOLVE(multi_add_handle, "curl_multi_add_handle")
    RESOLVE(multi_remove_handle, "curl_multi_remove_handle") RESOLVE(multi_perform, "curl_multi_perform")
    RESOLVE(multi_poll, "curl_multi_poll") RESOLVE(multi_info_read, "curl_multi_info_read")
    RESOLVE(slist_append, "curl_slist_append") RESOLVE(slist_free_all, "curl_slist_free_all")
#undef RESOLVE
    /* curl_global_init is not thread-safe and must come first: here, exactly once. */
    CURLcode rc = f.global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) snprintf(failure, sizeof failure, "curl_global_init failed: %s", f.easy_strerror(rc));
}

const char *ccurl_load(void) {
    pthread_once(&once, load);
    return failure[0] ? failure : NULL;
}

CURL *ccurl_easy_init(void) { return f.easy_init(); }
void ccurl_easy_reset(CURL *h) { f.easy_reset(h); }
void ccurl_easy_cleanup(CURL *h) { f.easy_cleanup(h); }
const char *ccurl_easy_strerror(CURLcode code) { return f.easy_strerror(code); }
CURLM *ccurl_multi_init(void) { return f.multi_init(); }
CURLMcode ccurl_multi_cleanup(CURLM *m) { return f.multi_cleanup(m); }
CURLMcode ccurl_multi_add_handle(CURLM *m, CURL *h) { return f.multi_add_handle(m, h); }
CURLMcode ccurl_multi_remove_handle(CURLM *m, CURL *h) { return f.multi_remove_handle(m, h); }
CURLMcode ccurl_multi_perform(CURLM *m, int *running) { return f.multi_perform(m, running); }
CURLMcode ccurl_multi_poll(CURLM *m, struct curl_waitfd extra[], unsigned int n, int timeout_ms, int *ret) {
    return f.multi_poll(m, extra, n, timeout_ms, ret);
}
CURLMsg *ccurl_multi_info_read(CURLM *m, int *pending) { return f.multi_info_read(m, pending); }
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *s) { return f.slist_append(list, s); }
void ccurl_slist_free_all(struct curl_slist *list) { f.slist_free_all(list); }

CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v) { return f.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_string(CURL *h, CURLoption o, const char *v) { return f.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_pointer(CURL *h, CURLoption o, void *v) { return f.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return f.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_write_function(CURL *h, size_t (*fn)(char *, size_t, size_t, void *)) {
    return f.easy_setopt(h, CURLOPT_WRITEFUNCTION, fn);
}
/* The body is handed out by a read callback that cannot rewind. libcurl (before 8.16) silently sends a request
   again when a reused connection dies before any answer, even after the whole request went out; it must rewind
   the body to do so, and refusing the rewind turns that resend into CURLE_SEND_FAIL_REWIND: the caller learns the
   request was sent and its outcome is unknown, instead of LINE Pay receiving it twice. */
static size_t body_read(char *buffer, size_t size, size_t count, void *user) {
    struct ccurl_body *body = user;
    size_t left = (size_t)(body->length - body->offset), n = size * count < left ? size * count : left;
    memcpy(buffer, body->bytes + body->offset, n);
    body->offset += (long)n;
    return n;
}

static int body_seek(void *user, curl_off_t offset, int origin) {
    struct ccurl_body *body = user;
    if (body->offset == 0 && offset == 0 && origin == SEEK_SET) return CURL_SEEKFUNC_OK;   /* nothing sent yet */
    body->rewinds_refused += 1;
    return CURL_SEEKFUNC_CANTSEEK;
}

CURLcode ccurl_setopt_body(CURL *h, struct ccurl_body *body) {
    CURLcode rc;
    if ((rc = f.easy_setopt(h, CURLOPT_POST, 1L)) != CURLE_OK) return rc;
    if ((rc = f.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->length)) != CURLE_OK) return rc;
    if ((rc = f.easy_setopt(h, CURLOPT_READFUNCTION, body_read)) != CURLE_OK) return rc;
    if ((rc = f.easy_setopt(h, CURLOPT_READDATA, body)) != CURLE_OK) return rc;
    if ((rc = f.easy_setopt(h, CURLOPT_SEEKFUNCTION, body_seek)) != CURLE_OK) return rc;
    return f.easy_setopt(h, CURLOPT_SEEKDATA, body);
}

CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v) { return f.easy_getinfo(h, i, v); }
CURLcode ccurl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return f.easy_getinfo(h, i, v); }
