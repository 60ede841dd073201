#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include "CJunctionFileShims.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#endif

int junction_file_reserve(int fd, int64_t length) {
#if defined(__linux__)
    for (;;) {
        if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)length) == 0) return 0;
        if (errno != EINTR) return errno;
    }
#else
    (void)fd;
    (void)length;
    return EOPNOTSUPP;
#endif
}

int junction_file_rename_noreplace(const char *from, const char *to) {
#if defined(__linux__) && defined(SYS_renameat2)
    // The system call, not glibc's wrapper (glibc 2.28 and later only).
    if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
    return errno;
#elif defined(__linux__)
    (void)from;
    (void)to;
    return ENOSYS;
#else
    (void)from;
    (void)to;
    return EOPNOTSUPP;
#endif
}
