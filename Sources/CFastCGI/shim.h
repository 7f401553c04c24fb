#include <fcgiapp.h>
/* mallopt(M_ARENA_MAX): the server caps glibc's per-thread malloc arenas (FastCGIServer.run). */
#include <malloc.h>
/* The workers' connection queue (ConnectionQueue.swift): one epoll set, an eventfd to stop. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
/* accept4 is declared only under _GNU_SOURCE, which a module header cannot set for the system headers. */
#include <sys/socket.h>
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
