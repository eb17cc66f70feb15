/*
 * TEST FIXTURE ONLY, never a product path: a stand-in for NIXL's C API (the nixl_capi_* functions kvbm
 * binds) over plain files, so the Java binding's marshalling (handles, out-pointers, strings, descriptor
 * lists, statuses) is exercised without NIXL. Transfers are pread/pwrite between DRAM descriptors and FILE
 * descriptors (device id = fd, address = file offset). A posted request reports IN_PROG on its first status
 * poll, then its outcome, so the caller's polling loop runs. It also counts calls the test checks.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OK = 0, INVALID_PARAM = -1, BACKEND = -2, INVALID_STATE = -3, IN_PROG = 1 };
enum { DRAM = 0, FILE_MEM = 4 };

typedef struct { uint64_t addr, len, dev; } desc_t;
typedef struct { int type; size_t n, cap; desc_t *d; } dlist_t;
typedef struct { char name[256]; int registered; } agent_t;
typedef struct { char name[32]; } backend_t;
typedef struct { backend_t *backend; } opt_t;
typedef struct { int op; dlist_t *local, *remote; int polls; int result; int posted; } req_t;

static int calls_register, calls_post, calls_status;

int nixl_fixture_register_calls(void) { return calls_register; }
int nixl_fixture_post_calls(void) { return calls_post; }
int nixl_fixture_status_calls(void) { return calls_status; }

int nixl_capi_create_agent(const char *name, agent_t **agent) {
    if (!name || !agent || strlen(name) >= sizeof((*agent)->name)) return INVALID_PARAM;
    agent_t *a = calloc(1, sizeof *a);
    strcpy(a->name, name);
    *agent = a;
    return OK;
}
int nixl_capi_destroy_agent(agent_t *a) {
    if (!a) return INVALID_PARAM;
    if (a->registered != 0) return INVALID_STATE; /* the caller must deregister first */
    free(a);
    return OK;
}
int nixl_capi_get_plugin_params(agent_t *a, const char *plugin, void **mems, void **params) {
    if (!a || !plugin || !mems || !params) return INVALID_PARAM;
    if (strcmp(plugin, "POSIX") != 0 && strcmp(plugin, "GDS_MT") != 0) return BACKEND;
    *mems = malloc(1);
    *params = malloc(1);
    return OK;
}
int nixl_capi_destroy_mem_list(void *l) { free(l); return OK; }
int nixl_capi_destroy_params(void *p) { free(p); return OK; }
int nixl_capi_create_backend(agent_t *a, const char *plugin, void *params, backend_t **b) {
    if (!a || !plugin || !params || !b) return INVALID_PARAM;
    if (strcmp(plugin, "POSIX") != 0) return BACKEND; /* GDS_MT needs a GPU and cuFile */
    backend_t *x = calloc(1, sizeof *x);
    strcpy(x->name, plugin);
    *b = x;
    return OK;
}
int nixl_capi_destroy_backend(backend_t *b) { if (!b) return INVALID_PARAM; free(b); return OK; }
int nixl_capi_create_opt_args(opt_t **o) { if (!o) return INVALID_PARAM; *o = calloc(1, sizeof **o); return OK; }
int nixl_capi_destroy_opt_args(opt_t *o) { free(o); return OK; }
int nixl_capi_opt_args_add_backend(opt_t *o, backend_t *b) {
    if (!o || !b) return INVALID_PARAM;
    o->backend = b;
    return OK;
}

static int dlist_create(int type, dlist_t **out) {
    if (!out || (type != DRAM && type != FILE_MEM)) return INVALID_PARAM;
    dlist_t *l = calloc(1, sizeof *l);
    l->type = type;
    *out = l;
    return OK;
}
static int dlist_add(dlist_t *l, uint64_t addr, uint64_t len, uint64_t dev) {
    if (!l || len == 0) return INVALID_PARAM;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->d = realloc(l->d, l->cap * sizeof *l->d);
    }
    l->d[l->n++] = (desc_t){addr, len, dev};
    return OK;
}
static int dlist_destroy(dlist_t *l) { if (!l) return INVALID_PARAM; free(l->d); free(l); return OK; }

int nixl_capi_create_reg_dlist(int type, dlist_t **out, bool sorted) { (void)sorted; return dlist_create(type, out); }
int nixl_capi_reg_dlist_add_desc(dlist_t *l, uintptr_t addr, size_t len, uint64_t dev, const void *md, size_t mdlen) {
    (void)md; (void)mdlen;
    return dlist_add(l, addr, len, dev);
}
int nixl_capi_destroy_reg_dlist(dlist_t *l) { return dlist_destroy(l); }
int nixl_capi_register_mem(agent_t *a, dlist_t *l, opt_t *o) {
    if (!a || !l || !o || !o->backend || l->n == 0) return INVALID_PARAM;
    calls_register++;
    a->registered += (int)l->n;
    return OK;
}
int nixl_capi_deregister_mem(agent_t *a, dlist_t *l, opt_t *o) {
    if (!a || !l || !o) return INVALID_PARAM;
    a->registered -= (int)l->n;
    return OK;
}
int nixl_capi_create_xfer_dlist(int type, dlist_t **out, bool sorted) { (void)sorted; return dlist_create(type, out); }
int nixl_capi_xfer_dlist_add_desc(dlist_t *l, uintptr_t addr, size_t len, uint64_t dev) { return dlist_add(l, addr, len, dev); }
int nixl_capi_destroy_xfer_dlist(dlist_t *l) { return dlist_destroy(l); }

int nixl_capi_create_xfer_req(agent_t *a, int op, dlist_t *local, dlist_t *remote, const char *remote_agent,
                              req_t **out, opt_t *o) {
    if (!a || !local || !remote || !remote_agent || !out || !o || (op != 0 && op != 1)) return INVALID_PARAM;
    if (strcmp(remote_agent, a->name) != 0) return INVALID_PARAM; /* disk transfers name the own agent */
    if (local->type != DRAM || remote->type != FILE_MEM || local->n != remote->n) return INVALID_PARAM;
    for (size_t i = 0; i < local->n; i++) {
        if (local->d[i].len != remote->d[i].len) return INVALID_PARAM;
    }
    req_t *r = calloc(1, sizeof *r);
    r->op = op;
    r->local = local;
    r->remote = remote;
    *out = r;
    return OK;
}
int nixl_capi_post_xfer_req(agent_t *a, req_t *r, opt_t *o) {
    if (!a || !r || !o) return INVALID_PARAM;
    calls_post++;
    r->posted = 1;
    r->result = OK;
    for (size_t i = 0; i < r->local->n && r->result == OK; i++) {
        desc_t l = r->local->d[i], f = r->remote->d[i];
        char *mem = (char *)(uintptr_t)l.addr;
        for (uint64_t done = 0; done < l.len;) {
            ssize_t n = r->op == 1 ? pwrite((int)f.dev, mem + done, l.len - done, (off_t)(f.addr + done))
                                   : pread((int)f.dev, mem + done, l.len - done, (off_t)(f.addr + done));
            if (n <= 0) { r->result = BACKEND; break; } /* I/O error or short read */
            done += (uint64_t)n;
        }
    }
    return IN_PROG;
}
int nixl_capi_get_xfer_status(agent_t *a, req_t *r) {
    if (!a || !r || !r->posted) return INVALID_STATE;
    calls_status++;
    return r->polls++ == 0 ? IN_PROG : r->result;
}
int nixl_capi_release_xfer_req(agent_t *a, req_t *r) { if (!a || !r) return INVALID_PARAM; free(r); return OK; }
