/*
 * tapaddon.node: the TAP inside Node's own process, no relay in the hot path. Built by build.sh
 * from this file against the N-API headers installed with Node (gcc, nothing else); TapLink uses
 * it when it loads and falls back to the tapio relay when it does not.
 *   open(ifname, netnsPath|null) -> fd    attach to an existing TAP (in that namespace, if given)
 *   start(fd, onBatch)                    libuv watches fd; each time it is readable, every frame
 *                                         ready (up to 256 KiB) is read and onBatch(buf) is called
 *                                         once with [u16 big-endian length][frame]... in a new Buffer
 *   write(fd, frame, direct) -> bool      one frame to the TAP: at once when `direct` and nothing is
 *                                         queued (a reply, a handshake), else queued for this TAP's
 *                                         writer thread (a burst), so writing, which runs Linux's
 *                                         receive path in the writer, overlaps the module's work
 *                                         (false: the kernel refused it)
 *   close(fd)                             stop watching and close
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
#include <pthread.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "tapattach.h"
#include <node_api.h>
#include <uv.h>

#define BATCH (256 * 1024)
#define MAX_FRAME 65535
#define MAX_WATCH 16
#define SLOTS 512
#define SLOT_BYTES 1600

/* Frames waiting for the writer thread: one producer (Node's thread), one consumer. */
struct outq {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t more, room;
  uint32_t head, tail; /* frames queued and written, ever */
  int stopping;
  uint16_t len[SLOTS];
  uint8_t slot[SLOTS][SLOT_BYTES];
};

struct watch {
  int fd;
  struct outq *q;
  uv_poll_t poll;
  napi_env env;
  napi_ref cb;
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

static void on_readable(uv_poll_t *p, int status, int events) {
  struct watch *w = p->data;
  (void)events;
  if (status < 0) return;
  size_t used = 0;
  for (int i = 0; i < 256 && used < BATCH; i++) {
    ssize_t n = read(w->fd, batch + used + 2, MAX_FRAME);
    if (n <= 0) break;
    batch[used] = (uint8_t)(n >> 8);
    batch[used + 1] = (uint8_t)n;
    used += (size_t)n + 2;
  }
  if (used == 0) return;
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value buf, cb, recv, result;
  void *data;
  if (napi_create_buffer_copy(env, used, batch, &data, &buf) == napi_ok &&
      napi_get_reference_value(env, w->cb, &cb) == napi_ok) {
    napi_get_global(env, &recv); /* make_callback wants an object as `this` */
    /* make_callback: like any I/O callback, nextTicks and microtasks run when it returns. */
    if (napi_make_callback(env, w->ctx, recv, cb, 1, &buf, &result) == napi_pending_exception) {
      napi_value e;
      napi_get_and_clear_last_exception(env, &e);
      napi_fatal_exception(env, e);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void *writer(void *arg) {
  struct watch *w = arg;
  struct outq *q = w->q;
  pthread_mutex_lock(&q->mu);
  for (;;) {
    while (q->head == q->tail && !q->stopping) pthread_cond_wait(&q->more, &q->mu);
    uint32_t head = q->head, tail = q->tail;
    if (head == tail) break; /* stopping, and everything written */
    pthread_mutex_unlock(&q->mu);
    for (uint32_t i = tail; i != head; i++) {
      ssize_t n;
      do n = write(w->fd, q->slot[i % SLOTS], q->len[i % SLOTS]); while (n < 0 && errno == EINTR);
    }
    pthread_mutex_lock(&q->mu);
    q->tail = head;
    pthread_cond_signal(&q->room);
  }
  pthread_mutex_unlock(&q->mu);
  return NULL;
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
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &w->poll, fd) != 0) return fail(env, "tap: cannot watch the TAP%s%s", "", "");
  w->q = calloc(1, sizeof *w->q);
  if (!w->q) return fail(env, "tap: out of memory%s%s", "", "");
  pthread_mutex_init(&w->q->mu, NULL);
  pthread_cond_init(&w->q->more, NULL);
  pthread_cond_init(&w->q->room, NULL);
  w->fd = fd; w->env = env; w->used = 1;
  if (pthread_create(&w->q->thread, NULL, writer, w) != 0) { free(w->q); w->q = NULL; }
  w->poll.data = w;
  napi_create_reference(env, argv[1], 1, &w->cb);
  napi_create_string_utf8(env, "synack.tap", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->ctx);
  uv_poll_start(&w->poll, UV_READABLE, on_readable);
  return NULL;
}

static napi_value js_write(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], r;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  void *data;
  size_t len;
  bool direct = true;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], NULL, &len, &data, NULL, NULL) != napi_ok) return fail(env, "tap: write(fd, frame, direct)%s%s", "", "");
  if (argc > 2) napi_get_value_bool(env, argv[2], &direct);
  struct watch *w = find(fd);
  struct outq *q = w ? w->q : NULL;
  if (q) {
    pthread_mutex_lock(&q->mu);
    /* Order: a frame goes directly only when nothing is queued or being written. */
    if (q->head != q->tail || !direct || len > SLOT_BYTES) {
      while (q->head - q->tail == SLOTS || (len > SLOT_BYTES && q->head != q->tail)) pthread_cond_wait(&q->room, &q->mu);
      if (len <= SLOT_BYTES) {
        uint32_t i = q->head % SLOTS;
        memcpy(q->slot[i], data, len);
        q->len[i] = (uint16_t)len;
        q->head++;
        pthread_cond_signal(&q->more);
        pthread_mutex_unlock(&q->mu);
        napi_get_boolean(env, true, &r);
        return r;
      }
    }
    pthread_mutex_unlock(&q->mu);
  }
  ssize_t n;
  do n = write(fd, data, len); while (n < 0 && errno == EINTR);
  napi_get_boolean(env, n == (ssize_t)len, &r);
  return r;
}

static void closed(uv_handle_t *h) {
  struct watch *w = h->data;
  w->used = 0;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return NULL;
  struct watch *w = find(fd);
  if (w) {
    uv_poll_stop(&w->poll);
    if (w->q) { /* the writer finishes what is queued (a last FIN or RST), then ends */
      pthread_mutex_lock(&w->q->mu);
      w->q->stopping = 1;
      pthread_cond_signal(&w->q->more);
      pthread_mutex_unlock(&w->q->mu);
      pthread_join(w->q->thread, NULL);
      free(w->q);
      w->q = NULL;
    }
    napi_delete_reference(env, w->cb);
    napi_async_destroy(env, w->ctx);
    w->fd = -1;
    uv_close((uv_handle_t *)&w->poll, closed);
  }
  close(fd);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
    { "open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL },
    { "start", NULL, js_start, NULL, NULL, NULL, napi_enumerable, NULL },
    { "write", NULL, js_write, NULL, NULL, NULL, napi_enumerable, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
