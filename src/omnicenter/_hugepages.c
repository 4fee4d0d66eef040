/* Python's small-object arenas on transparent huge pages.
 *
 * CPython keeps objects of up to 512 bytes in 1 MiB arenas, each mapped on its own: 4 KiB
 * pages, which the kernel cannot back with a 2 MiB huge page. The routing engine's state
 * (tens of thousands of tasks and agents, read in no particular order) then costs a TLB
 * miss on most cold reads, and under a hypervisor a miss walks two sets of page tables.
 * This allocator carves arenas out of 2 MiB-aligned chunks marked MADV_HUGEPAGE, so that
 * with transparent huge pages set to "madvise" or "always" the heap sits on huge pages.
 *
 * A chunk is unmapped when all its arenas are free. An arena the default allocator mapped
 * before `enable` is handed back to it. Arena calls are made under the GIL: no locking.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define CHUNK ((size_t)2 << 20)
#define MAX_SLOTS 32

typedef struct {
    char *base;
    uint32_t used; /* bit k: the k-th arena of the chunk is handed out */
} Chunk;

static Chunk *chunks;
static size_t n_chunks, cap_chunks;
static PyObjectArenaAllocator previous;
static size_t arena_size; /* the size CPython asks for, learnt on its first call */
static unsigned slots;    /* arenas per chunk */
static int enabled;
static size_t chunks_mapped; /* counters for `stats` */

static char *map_chunk(void)
{
    /* map twice the size, keep the aligned middle */
    size_t span = 2 * CHUNK;
    char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        return NULL;
    }
    char *base = (char *)(((uintptr_t)p + CHUNK - 1) & ~(uintptr_t)(CHUNK - 1));
    if (base > p) {
        munmap(p, (size_t)(base - p));
    }
    char *stop = base + CHUNK, *end = p + span;
    if (end > stop) {
        munmap(stop, (size_t)(end - stop));
    }
#ifdef MADV_HUGEPAGE
    madvise(base, CHUNK, MADV_HUGEPAGE);
#endif
    return base;
}

static void *arena_alloc(void *ctx, size_t size)
{
    (void)ctx;
    if (arena_size == 0 && size > 0 && size <= CHUNK / 2 && CHUNK % size == 0 &&
        CHUNK / size <= MAX_SLOTS) {
        arena_size = size;
        slots = (unsigned)(CHUNK / size);
    }
    if (size != arena_size) {
        return previous.alloc(previous.ctx, size);
    }
    uint32_t full = slots == 32 ? UINT32_MAX : ((uint32_t)1 << slots) - 1;
    for (size_t i = 0; i < n_chunks; i++) {
        Chunk *c = &chunks[i];
        if (c->used != full) {
            for (unsigned k = 0; k < slots; k++) {
                if (!(c->used & ((uint32_t)1 << k))) {
                    c->used |= (uint32_t)1 << k;
                    return c->base + (size_t)k * size;
                }
            }
        }
    }
    if (n_chunks == cap_chunks) {
        size_t cap = cap_chunks ? 2 * cap_chunks : 64;
        Chunk *grown = realloc(chunks, cap * sizeof(Chunk));
        if (grown == NULL) {
            return previous.alloc(previous.ctx, size);
        }
        chunks = grown;
        cap_chunks = cap;
    }
    char *base = map_chunk();
    if (base == NULL) {
        return previous.alloc(previous.ctx, size);
    }
    chunks[n_chunks].base = base;
    chunks[n_chunks].used = 1;
    n_chunks++;
    chunks_mapped++;
    return base;
}

static void arena_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    if (size == arena_size) {
        char *base = (char *)((uintptr_t)ptr & ~(uintptr_t)(CHUNK - 1));
        for (size_t i = 0; i < n_chunks; i++) {
            Chunk *c = &chunks[i];
            if (c->base == base) {
                c->used &= ~((uint32_t)1 << (unsigned)(((char *)ptr - base) / size));
                if (c->used == 0) {
                    munmap(base, CHUNK);
                    chunks[i] = chunks[--n_chunks];
                }
                return;
            }
        }
    }
    previous.free(previous.ctx, ptr, size); /* mapped before `enable`, or not an arena */
}

static PyObject *enable(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    if (!enabled) {
        PyObject_GetArenaAllocator(&previous);
        PyObjectArenaAllocator mine = {NULL, arena_alloc, arena_free};
        PyObject_SetArenaAllocator(&mine);
        enabled = 1;
    }
    Py_RETURN_NONE;
}

static PyObject *stats(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return Py_BuildValue("{s:i,s:n,s:n,s:n}", "enabled", enabled, "arena_size",
                         (Py_ssize_t)arena_size, "chunks", (Py_ssize_t)n_chunks,
                         "chunks_mapped", (Py_ssize_t)chunks_mapped);
}

static PyMethodDef methods[] = {
    {"enable", enable, METH_NOARGS, "Carve new arenas out of huge-page chunks (idempotent)."},
    {"stats", stats, METH_NOARGS, "Whether enabled, the arena size, chunks held and mapped."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "omnicenter._hugepages", "Python's arenas on huge pages.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__hugepages(void) { return PyModule_Create(&module); }
