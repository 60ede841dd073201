#ifndef C_JUNCTION_FILE_SHIMS_H
#define C_JUNCTION_FILE_SHIMS_H
// File-system calls the Swift Glibc module does not export (they need
// _GNU_SOURCE). Every symbol has the prefix junction_file_.
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Allocates disk blocks for bytes [0, length) of `fd` without changing the
/// file's size (Linux `fallocate` with FALLOC_FL_KEEP_SIZE). Returns 0, or the
/// errno of the failure (EOPNOTSUPP where the file system or the platform
/// cannot do it). The file's contents and size are unchanged either way.
int junction_file_reserve(int fd, int64_t length);

/// Renames `from` to `to` unless `to` exists (Linux `renameat2` with
/// RENAME_NOREPLACE). Returns 0, or the errno of the failure: EEXIST when
/// `to` exists, EINVAL or ENOSYS (EOPNOTSUPP elsewhere) where the file
/// system, kernel or platform cannot do it without replacing.
int junction_file_rename_noreplace(const char *from, const char *to);

#ifdef __cplusplus
}
#endif
#endif
