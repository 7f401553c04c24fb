#include <sqlite3.h>

/* SQLite's memory statistics take one process-wide mutex around every malloc and free, which the worker threads
   queued on; nothing here reads them. sqlite3_config is variadic (Swift cannot call it) and only works before
   the library initialises, so SQLiteConnection calls this once before its first open. */
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
