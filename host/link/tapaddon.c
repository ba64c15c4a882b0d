/*
 * tapaddon.node: the TAP inside Node's own process, no relay in the hot path. Built by build.sh
 * from this file against the N-API headers installed with Node (gcc, nothing else); TapLink uses
 * it when it loads and falls back to the tapio relay when it does not.
 *   open(ifname, netnsPath|null) -> fd    attach to an existing TAP (in that namespace, if given)
 *   start(fd, onBatch)                    libuv watches fd; each time it is readable, every frame
 *                                         ready (up to 256 KiB) is read and onBatch(buf) is called
 *                                         once with [u16 big-endian length][frame]... in a new Buffer
 *   write(fd, frame) -> bool              one frame to the TAP, at once (false: the kernel refused it)
 *   direct(fd, memory, rx, rxCap, onReadable) -> { read(), send(ptr, len) }
 *                                         the fast path: frames move between the TAP and the
 *                                         module's memory (an ArrayBuffer) with no copy in
 *                                         JavaScript; the watch calls onReadable() instead, read()
 *                                         puts one frame at memory[rx] (its length, 0: none ready),
 *                                         send() writes memory[ptr..ptr+len) as one frame
 *   close(fd)                             stop watching and close
 * Every frame is written in the caller's thread, when it is sent: a writer thread that took the
 * bursts (so Linux's receive path ran beside the module) cost more than it saved on two shared
 * cores (bench, 16 MiB: upload 211 -> 228 MB/s, CPU 5.6 -> 4.4 ms/MiB; download 258 -> 323 MB/s).
 * Errors throw with a one-line message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "tapattach.h"
#include <node_api.h>
#include <uv.h>

#define BATCH (256 * 1024)
#define MAX_FRAME 65535
#define MAX_WATCH 16

struct watch {
  int fd;
  uv_poll_t poll;
  napi_env env;
  napi_ref cb;     /* batch mode: onBatch(buf); direct mode: onReadable() */
  napi_ref mem;    /* direct mode: the module's memory (an ArrayBuffer) */
  uint8_t *base;   /* its bytes */
  size_t size;
  uint32_t rx, rx_cap; /* where read() puts a frame, and how much room it has */
  int direct;
  uint32_t gen;    /* bumped when the slot is taken or released: read()/send() of a closed link do nothing */
  napi_async_context ctx;
  int used;
};
static struct watch watches[MAX_WATCH];
static uint8_t batch[BATCH + 2 + MAX_FRAME];

static napi_value fail(napi_env env, const char *fmt, const char *a, const char *b) {
  char msg[256];
  snprintf(msg, sizeof msg, fmt, a, b);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static int arg_string(napi_env env, napi_value v, char *out, size_t cap) {
  size_t n;
  return napi_get_value_string_utf8(env, v, out, cap, &n) == napi_ok && n < cap - 1 ? 0 : -1;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char name[IFNAMSIZ], nspath[256] = "";
  if (argc < 1 || arg_string(env, argv[0], name, sizeof name) != 0) return fail(env, "tap: bad interface name%s%s", "", "");
  napi_valuetype t = napi_undefined;
  if (argc > 1) napi_typeof(env, argv[1], &t);
  if (t == napi_string && arg_string(env, argv[1], nspath, sizeof nspath) != 0) return fail(env, "tap: bad namespace path%s%s", "", "");
  /* setns moves only this thread, and only for the ioctl: the TAP is found by name in that namespace. */
  int home = -1;
  if (nspath[0]) {
    int target = open(nspath, O_RDONLY | O_CLOEXEC);
    if (target < 0) return fail(env, "tap: cannot open namespace %s: %s", nspath, strerror(errno));
    home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (home < 0 || setns(target, CLONE_NEWNET) != 0) {
      int e = errno;
      close(target);
      if (home >= 0) close(home);
      return fail(env, "tap: cannot enter namespace %s: %s", nspath, strerror(e));
    }
    close(target);
  }
  /* Attached in this thread's namespace (tap_attach asks it whether the TAP exists). */
  char why[180], msg[200];
  int fd = tap_attach(name, O_CLOEXEC | O_NONBLOCK, why, sizeof why);
  if (fd < 0) snprintf(msg, sizeof msg, "tap: %s", why);
  if (home >= 0) { setns(home, CLONE_NEWNET); close(home); }
  if (fd < 0) return fail(env, "%s%s", msg, "");
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

static void call_back(struct watch *w, size_t argc, napi_value *argv) {
  napi_env env = w->env;
  napi_value cb, recv, result;
  if (napi_get_reference_value(env, w->cb, &cb) != napi_ok) return;
  napi_get_global(env, &recv); /* make_callback wants an object as `this` */
  /* make_callback: like any I/O callback, nextTicks and microtasks run when it returns. */
  if (napi_make_callback(env, w->ctx, recv, cb, argc, argv, &result) == napi_pending_exception) {
    napi_value e;
    napi_get_and_clear_last_exception(env, &e);
    napi_fatal_exception(env, e);
  }
}

static void on_readable(uv_poll_t *p, int status, int events) {
  struct watch *w = p->data;
  (void)events;
  if (status < 0) return;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  if (w->direct) {
    call_back(w, 0, NULL); /* JavaScript reads the frames, one read() each, into the module */
  } else {
    size_t used = 0;
    for (int i = 0; i < 256 && used < BATCH; i++) {
      ssize_t n = read(w->fd, batch + used + 2, MAX_FRAME);
      if (n <= 0) break;
      batch[used] = (uint8_t)(n >> 8);
      batch[used + 1] = (uint8_t)n;
      used += (size_t)n + 2;
    }
    napi_value buf;
    void *data;
    if (used > 0 && napi_create_buffer_copy(w->env, used, batch, &data, &buf) == napi_ok) call_back(w, 1, &buf);
  }
  napi_close_handle_scope(w->env, scope);
}

/* One frame out; false when the kernel refused it. */
static bool put(int fd, const void *data, size_t len) {
  ssize_t n;
  do n = write(fd, data, len); while (n < 0 && errno == EINTR);
  return n == (ssize_t)len;
}

static struct watch *find(int fd) {
  for (int i = 0; i < MAX_WATCH; i++) if (watches[i].used && watches[i].fd == fd) return &watches[i];
  return NULL;
}

static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return fail(env, "tap: start(fd, onBatch)%s%s", "", "");
  struct watch *w = NULL;
  for (int i = 0; i < MAX_WATCH && !w; i++) if (!watches[i].used) w = &watches[i];
  if (!w) return fail(env, "tap: too many TAPs open%s%s", "", "");
  uv_loop_t *loop;
  napi_value name;
  uint32_t gen = w->gen + 1;
  memset(w, 0, sizeof *w);
  w->gen = gen;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &w->poll, fd) != 0) return fail(env, "tap: cannot watch the TAP%s%s", "", "");
  w->fd = fd; w->env = env; w->used = 1;
  w->poll.data = w;
  napi_create_reference(env, argv[1], 1, &w->cb);
  napi_create_string_utf8(env, "synack.tap", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->ctx);
  uv_poll_start(&w->poll, UV_READABLE, on_readable);
  return NULL;
}

static napi_value js_write(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], r;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  void *data;
  size_t len;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], NULL, &len, &data, NULL, NULL) != napi_ok) return fail(env, "tap: write(fd, frame)%s%s", "", "");
  napi_get_boolean(env, put(fd, data, len), &r);
  return r;
}

/* Direct mode's two functions, bound to one watch and its generation (their data: gen << 8 | slot). */
static struct watch *bound(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  void *data;
  napi_get_cb_info(env, info, argc, argv, NULL, &data);
  uintptr_t d = (uintptr_t)data;
  struct watch *w = &watches[d & 0xff];
  return w->used && w->direct && w->gen == (uint32_t)(d >> 8) ? w : NULL;
}

/* read() -> n: one frame from the TAP into the module's receive buffer; 0 when none is waiting. */
static napi_value js_read(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  struct watch *w = bound(env, info, &argc, NULL);
  ssize_t n = -1;
  if (w) do n = read(w->fd, w->base + w->rx, w->rx_cap); while (n < 0 && errno == EINTR);
  napi_value r;
  napi_create_uint32(env, n > 0 ? (uint32_t)n : 0, &r);
  return r;
}

/* send(ptr, len): one frame from the module's memory. */
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  struct watch *w = bound(env, info, &argc, argv);
  uint32_t ptr, len;
  if (!w || argc < 2 || napi_get_value_uint32(env, argv[0], &ptr) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &len) != napi_ok || ptr > w->size || len > w->size - ptr) return NULL;
  put(w->fd, w->base + ptr, len);
  return NULL;
}

/*
 * direct(fd, memory, rx, rxCap, onReadable) -> { read, send }: frames move between the TAP
 * and `memory` (the module's ArrayBuffer) with no copy in JavaScript. From now on the watch calls
 * onReadable() instead of onBatch. Called again when the memory is a new ArrayBuffer.
 */
static napi_value js_direct(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], r, fn;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  uint32_t rx, cap;
  void *base;
  size_t size;
  struct watch *w;
  if (argc < 5 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || !(w = find(fd)) ||
      napi_get_arraybuffer_info(env, argv[1], &base, &size) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &rx) != napi_ok || napi_get_value_uint32(env, argv[3], &cap) != napi_ok ||
      rx > size || cap > size - rx) return fail(env, "tap: direct(fd, memory, rx, rxCap, onReadable)%s%s", "", "");
  if (w->mem) napi_delete_reference(env, w->mem);
  napi_create_reference(env, argv[1], 1, &w->mem);
  napi_delete_reference(env, w->cb);
  napi_create_reference(env, argv[4], 1, &w->cb);
  w->base = base; w->size = size; w->rx = rx; w->rx_cap = cap; w->direct = 1;
  void *data = (void *)(((uintptr_t)w->gen << 8) | (uintptr_t)(w - watches));
  napi_create_object(env, &r);
  napi_create_function(env, "read", NAPI_AUTO_LENGTH, js_read, data, &fn);
  napi_set_named_property(env, r, "read", fn);
  napi_create_function(env, "send", NAPI_AUTO_LENGTH, js_send, data, &fn);
  napi_set_named_property(env, r, "send", fn);
  return r;
}

static void closed(uv_handle_t *h) {
  struct watch *w = h->data;
  w->used = 0;
}

static void release(napi_env env, struct watch *w) {
  uv_poll_stop(&w->poll);
  napi_delete_reference(env, w->cb);
  if (w->mem) napi_delete_reference(env, w->mem);
  w->mem = NULL; w->direct = 0; w->gen++;
  napi_async_destroy(env, w->ctx);
  w->fd = -1;
  uv_close((uv_handle_t *)&w->poll, closed);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return NULL;
  struct watch *w = find(fd);
  if (w) release(env, w);
  close(fd);
  return NULL;
}

/* Node is exiting with TAPs still open (their watches unref()ed): let go of them while the
 * environment is still whole; left for its teardown, the handles crashed it. */
static void cleanup(void *arg) {
  napi_env env = arg;
  for (int i = 0; i < MAX_WATCH; i++) {
    struct watch *w = &watches[i];
    if (!w->used || w->fd < 0 || w->env != env) continue;
    int fd = w->fd;
    release(env, w);
    close(fd);
  }
}

/* ref(fd, on): whether the TAP's watch keeps Node's event loop (the program) running. */
static napi_value js_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  bool on = true;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_bool(env, argv[1], &on) != napi_ok) return NULL;
  struct watch *w = find(fd);
  if (w) { if (on) uv_ref((uv_handle_t *)&w->poll); else uv_unref((uv_handle_t *)&w->poll); }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
    { "open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL },
    { "start", NULL, js_start, NULL, NULL, NULL, napi_enumerable, NULL },
    { "write", NULL, js_write, NULL, NULL, NULL, napi_enumerable, NULL },
    { "direct", NULL, js_direct, NULL, NULL, NULL, napi_enumerable, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL },
    { "ref", NULL, js_ref, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
  napi_add_env_cleanup_hook(env, cleanup, env);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
