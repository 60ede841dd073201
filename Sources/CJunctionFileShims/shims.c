#define _GNU_SOURCE
#include "CJunctionFileShims.h"
#include <errno.h>
#include <fcntl.h>

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
