/*
 * tun.node: the two things Node cannot do for a TUN device (pep/kernel/tun-device.ts).
 *
 *   openTun(name)            -> { fd, name }   open /dev/net/tun, ioctl(TUNSETIFF, IFF_TUN|IFF_NO_PI),
 *                                              fd is O_NONBLOCK|O_CLOEXEC; JS writes with fs.writeSync.
 *   startReader(fd, onBatch) -> handle          a pthread polls the fd (and an eventfd to stop it),
 *                                              reads up to BATCH packets per wakeup and hands them to
 *                                              onBatch(Buffer[]) through a thread-safe function.
 *   stopReader(handle)       -> undefined       wakes the thread, joins it, releases the function.
 *
 * Why a reader thread: a TUN fd is a character device, which libuv treats as a file, so
 * `new net.Socket({ fd })` refuses it and fs.read() parks one of the 4 libuv pool threads in a
 * blocking read() forever (the pool is shared with crypto, DNS and fs). The queue towards the JS
 * thread is bounded (QUEUE batches): when JS falls behind, packets are dropped here like a full
 * NIC ring, never buffered without limit. Only Linux is supported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <node_api.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MTU_MAX 65535
#define BATCH 64
#define QUEUE 256

typedef struct {
  size_t count;
  size_t len[BATCH];
  uint8_t *data[BATCH];
} batch_t;

typedef struct {
  int fd;
  int stop_fd;
  pthread_t thread;
  napi_threadsafe_function tsfn;
  int running;
} reader_t;

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, "TUN_FAILED", msg);
  return NULL;
}

static napi_value open_tun(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[IFNAMSIZ] = {0};
  size_t name_len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &name_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "openTun(name: string)");
    return NULL;
  }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "open /dev/net/tun", errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  memcpy(ifr.ifr_name, name, name_len < IFNAMSIZ - 1 ? name_len : IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "ioctl TUNSETIFF", err);
  }
  napi_value result, jfd, jname;
  napi_create_object(env, &result);
  napi_create_int32(env, fd, &jfd);
  napi_create_string_utf8(env, ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ), &jname);
  napi_set_named_property(env, result, "fd", jfd);
  napi_set_named_property(env, result, "name", jname);
  return result;
}

static void free_batch(batch_t *b) {
  for (size_t i = 0; i < b->count; i++) free(b->data[i]);
  free(b);
}

/* Runs on the JS thread: turn one batch into Buffer[] and call onBatch. */
static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)context;
  batch_t *b = data;
  if (env != NULL && js_cb != NULL) {
    napi_value arr, undef;
    napi_create_array_with_length(env, b->count, &arr);
    for (size_t i = 0; i < b->count; i++) {
      napi_value buf;
      if (napi_create_buffer_copy(env, b->len[i], b->data[i], NULL, &buf) == napi_ok)
        napi_set_element(env, arr, (uint32_t)i, buf);
    }
    napi_get_undefined(env, &undef);
    napi_call_function(env, undef, js_cb, 1, &arr, NULL);
  }
  free_batch(b);
}

static void *reader_main(void *arg) {
  reader_t *r = arg;
  uint8_t *buf = malloc(MTU_MAX);
  if (buf == NULL) return NULL;
  for (;;) {
    struct pollfd p[2] = {{.fd = r->fd, .events = POLLIN}, {.fd = r->stop_fd, .events = POLLIN}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (p[1].revents) break;
    if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) break;
    batch_t *b = calloc(1, sizeof *b);
    if (b == NULL) break;
    while (b->count < BATCH) {
      ssize_t n = read(r->fd, buf, MTU_MAX);
      if (n <= 0) break; /* EAGAIN: drained */
      uint8_t *copy = malloc((size_t)n);
      if (copy == NULL) break;
      memcpy(copy, buf, (size_t)n);
      b->data[b->count] = copy;
      b->len[b->count] = (size_t)n;
      b->count++;
    }
    if (b->count == 0 || napi_call_threadsafe_function(r->tsfn, b, napi_tsfn_nonblocking) != napi_ok)
      free_batch(b); /* queue full (JS behind) or closing: drop, like a full ring */
  }
  free(buf);
  return NULL;
}

static void reader_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  reader_t *r = data;
  if (r->running) { /* garbage-collected without stopReader: stop the thread first */
    uint64_t one = 1;
    (void)!write(r->stop_fd, &one, sizeof one);
    pthread_join(r->thread, NULL);
    napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
  }
  close(r->stop_fd);
  free(r);
}

static napi_value start_reader(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_valuetype t;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_typeof(env, argv[1], &t) != napi_ok ||
      t != napi_function) {
    napi_throw_type_error(env, NULL, "startReader(fd: number, onBatch: (packets: Buffer[]) => void)");
    return NULL;
  }
  reader_t *r = calloc(1, sizeof *r);
  if (r == NULL) return throw_errno(env, "startReader", ENOMEM);
  r->fd = fd;
  r->stop_fd = eventfd(0, EFD_CLOEXEC);
  if (r->stop_fd < 0) {
    int err = errno;
    free(r);
    return throw_errno(env, "eventfd", err);
  }
  napi_value name;
  napi_create_string_utf8(env, "tun-reader", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[1], NULL, name, QUEUE, 1, NULL, NULL, NULL, call_js, &r->tsfn) !=
      napi_ok) {
    close(r->stop_fd);
    free(r);
    napi_throw_error(env, "TUN_FAILED", "napi_create_threadsafe_function failed");
    return NULL;
  }
  int err = pthread_create(&r->thread, NULL, reader_main, r);
  if (err != 0) {
    napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
    close(r->stop_fd);
    free(r);
    return throw_errno(env, "pthread_create", err);
  }
  r->running = 1;
  napi_value handle;
  napi_create_external(env, r, reader_finalize, NULL, &handle);
  return handle;
}

static napi_value stop_reader(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "stopReader(handle)");
    return NULL;
  }
  reader_t *r = data;
  if (r->running) {
    uint64_t one = 1;
    (void)!write(r->stop_fd, &one, sizeof one);
    pthread_join(r->thread, NULL);
    /* Batches already queued are still delivered (then freed) before the function goes away. */
    napi_release_threadsafe_function(r->tsfn, napi_tsfn_release);
    r->running = 0;
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"openTun", NULL, open_tun, NULL, NULL, NULL, napi_enumerable, NULL},
      {"startReader", NULL, start_reader, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stopReader", NULL, stop_reader, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
