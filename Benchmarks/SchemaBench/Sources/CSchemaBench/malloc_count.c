// Counts heap allocations of the whole benchmark process by interposing the allocator entry points
// (glibc exports the real implementations as __libc_*). Used to report allocations per validated event.
#include <errno.h>
#include <stddef.h>
#include "schema_bench.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

// Plain counter: the benchmark allocates from one thread only, and an atomic would tax protobuf-c unfairly.
static unsigned long long allocations;

static inline void count(void) { allocations++; }

void *malloc(size_t n) { count(); return __libc_malloc(n); }
void *calloc(size_t c, size_t n) { count(); return __libc_calloc(c, n); }
void *realloc(void *p, size_t n) { count(); return __libc_realloc(p, n); }
void *aligned_alloc(size_t a, size_t n) { count(); return __libc_memalign(a, n); }
void *memalign(size_t a, size_t n) { count(); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
    count();
    void *p = __libc_memalign(a, n);
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}

unsigned long long schema_bench_allocations(void) {
    return allocations;
}

int schema_bench_protobuf_c_unpack_free(const uint8_t *data, size_t length) {
    Bench__Detail *message = bench__detail__unpack(NULL, length, data);
    if (message == NULL) return 0;
    int lines = (int)message->n_lines;
    bench__detail__free_unpacked(message, NULL);
    return lines + 1;
}
