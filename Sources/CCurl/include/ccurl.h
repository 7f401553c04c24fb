/* libcurl, loaded on first use: linking it would map it and its ~30 dependencies (TLS, LDAP, Kerberos) into
 * every run, and a CGI /status never calls LINE Pay. Call ccurl_load() first; the rest forward to libcurl. */
#include <curl/curl.h>

/* NULL once libcurl.so.4 is loaded and every function below resolved; otherwise why not (the same every call). */
const char *ccurl_load(void);

CURL *ccurl_easy_init(void);
void ccurl_easy_reset(CURL *h);
void ccurl_easy_cleanup(CURL *h);
const char *ccurl_easy_strerror(CURLcode code);
CURLM *ccurl_multi_init(void);
CURLMcode ccurl_multi_cleanup(CURLM *m);
CURLMcode ccurl_multi_add_handle(CURLM *m, CURL *h);
CURLMcode ccurl_multi_remove_handle(CURLM *m, CURL *h);
CURLMcode ccurl_multi_perform(CURLM *m, int *running);
CURLMcode ccurl_multi_poll(CURLM *m, struct curl_waitfd extra[], unsigned int n, int timeout_ms, int *ret);
CURLMsg *ccurl_multi_info_read(CURLM *m, int *pending);
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *s);
void ccurl_slist_free_all(struct curl_slist *list);

/* curl_easy_setopt and curl_easy_getinfo are variadic and do not import into Swift: typed forms. */
CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v);
CURLcode ccurl_setopt_string(CURL *h, CURLoption o, const char *v);
CURLcode ccurl_setopt_pointer(CURL *h, CURLoption o, void *v);
CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v);
CURLcode ccurl_setopt_write_function(CURL *h, size_t (*f)(char *, size_t, size_t, void *));
/* A POST body read from `bytes` by libcurl, never rewound (ccurl.c says why); `body` must outlive the transfer. */
struct ccurl_body {
    const char *bytes;
    long length;
    long offset;
    int rewinds_refused;
};
CURLcode ccurl_setopt_body(CURL *h, struct ccurl_body *body);
CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v);
CURLcode ccurl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v);
