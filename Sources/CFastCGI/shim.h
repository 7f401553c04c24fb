#include <fcgiapp.h>
/* mallopt(M_ARENA_MAX): the server caps glibc's per-thread malloc arenas (FastCGIServer.run). */
#include <malloc.h>
