/* libpq, loaded on first use: a shop on SQLite never maps it and its dependencies (TLS, LDAP, Kerberos).
 * Call cpq_load() first; the rest forward to libpq. */
#include <postgresql/libpq-fe.h>

/* NULL once libpq.so.5 is loaded and every function below resolved; otherwise why not (the same every call). */
const char *cpq_load(void);

PGconn *cpq_connectdb_params(const char *const *keywords, const char *const *values, int expand_dbname);
ConnStatusType cpq_status(const PGconn *conn);
char *cpq_error_message(const PGconn *conn);
/* Safe on NULL and before cpq_load(), like PQfinish(NULL). */
void cpq_finish(PGconn *conn);
PGresult *cpq_exec(PGconn *conn, const char *query);
PGresult *cpq_exec_params(PGconn *conn, const char *command, int n, const Oid *types, const char *const *values,
                          const int *lengths, const int *formats, int result_format);
/* Safe on NULL, like PQclear(NULL). */
void cpq_clear(PGresult *res);
ExecStatusType cpq_result_status(const PGresult *res);
char *cpq_result_error_field(const PGresult *res, int code);
char *cpq_result_error_message(const PGresult *res);
char *cpq_cmd_status(PGresult *res);
char *cpq_cmd_tuples(PGresult *res);
int cpq_nfields(const PGresult *res);
int cpq_ntuples(const PGresult *res);
char *cpq_fname(const PGresult *res, int field);
Oid cpq_ftype(const PGresult *res, int field);
int cpq_getisnull(const PGresult *res, int row, int field);
char *cpq_getvalue(const PGresult *res, int row, int field);
