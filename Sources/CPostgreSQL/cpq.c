#include "cpq.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* Debian's libpq5 (libpq-dev's runtime); the soname, so a -dev package is not needed to run. */
#define LIBRARY "libpq.so.5"

static struct {
    PGconn *(*connectdb_params)(const char *const *, const char *const *, int);
    ConnStatusType (*status)(const PGconn *);
    char *(*error_message)(const PGconn *);
    void (*finish)(PGconn *);
    PGresult *(*exec)(PGconn *, const char *);
    PGresult *(*exec_params)(PGconn *, const char *, int, const Oid *, const char *const *, const int *, const int *, int);
    void (*clear)(PGresult *);
    ExecStatusType (*result_status)(const PGresult *);
    char *(*result_error_field)(const PGresult *, int);
    char *(*result_error_message)(const PGresult *);
    char *(*cmd_status)(PGresult *);
    char *(*cmd_tuples)(PGresult *);
    int (*nfields)(const PGresult *);
    int (*ntuples)(const PGresult *);
    char *(*fname)(const PGresult *, int);
    Oid (*ftype)(const PGresult *, int);
    int (*getisnull)(const PGresult *, int, int);
    char *(*getvalue)(const PGresult *, int, int);
} f;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

static void load(void) {
    void *h = dlopen(LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!h) { snprintf(failure, sizeof failure, "%s could not be loaded (install libpq5): %s", LIBRARY, dlerror()); return; }
#define RESOLVE(field, name) \
    if (!(*(void **)&f.field = dlsym(h, name))) { snprintf(failure, sizeof failure, "%s has no %s", LIBRARY, name); return; }
    RESOLVE(connectdb_params, "PQconnectdbParams") RESOLVE(status, "PQstatus") RESOLVE(error_message, "PQerrorMessage")
    RESOLVE(finish, "PQfinish") RESOLVE(exec, "PQexec") RESOLVE(exec_params, "PQexecParams") RESOLVE(clear, "PQclear")
    RESOLVE(result_status, "PQresultStatus") RESOLVE(result_error_field, "PQresultErrorField")
    RESOLVE(result_error_message, "PQresultErrorMessage") RESOLVE(cmd_status, "PQcmdStatus") RESOLVE(cmd_tuples, "PQcmdTuples")
    RESOLVE(nfields, "PQnfields") RESOLVE(ntuples, "PQntuples") RESOLVE(fname, "PQfname") RESOLVE(ftype, "PQftype")
    RESOLVE(getisnull, "PQgetisnull") RESOLVE(getvalue, "PQgetvalue")
#undef RESOLVE
}

const char *cpq_load(void) {
    pthread_once(&once, load);
    return failure[0] ? failure : NULL;
}

PGconn *cpq_connectdb_params(const char *const *k, const char *const *v, int expand) { return f.connectdb_params(k, v, expand); }
ConnStatusType cpq_status(const PGconn *c) { return f.status(c); }
char *cpq_error_message(const PGconn *c) { return f.error_message(c); }
void cpq_finish(PGconn *c) { if (c && f.finish) f.finish(c); }
PGresult *cpq_exec(PGconn *c, const char *q) { return f.exec(c, q); }
PGresult *cpq_exec_params(PGconn *c, const char *command, int n, const Oid *types, const char *const *values,
                          const int *lengths, const int *formats, int result_format) {
    return f.exec_params(c, command, n, types, values, lengths, formats, result_format);
}
void cpq_clear(PGresult *r) { if (r && f.clear) f.clear(r); }
ExecStatusType cpq_result_status(const PGresult *r) { return f.result_status(r); }
char *cpq_result_error_field(const PGresult *r, int code) { return f.result_error_field(r, code); }
char *cpq_result_error_message(const PGresult *r) { return f.result_error_message(r); }
char *cpq_cmd_status(PGresult *r) { return f.cmd_status(r); }
char *cpq_cmd_tuples(PGresult *r) { return f.cmd_tuples(r); }
int cpq_nfields(const PGresult *r) { return f.nfields(r); }
int cpq_ntuples(const PGresult *r) { return f.ntuples(r); }
char *cpq_fname(const PGresult *r, int i) { return f.fname(r, i); }
Oid cpq_ftype(const PGresult *r, int i) { return f.ftype(r, i); }
int cpq_getisnull(const PGresult *r, int row, int i) { return f.getisnull(r, row, i); }
char *cpq_getvalue(const PGresult *r, int row, int i) { return f.getvalue(r, row, i); }
