/*
 * snprintf/vsnprintf for the windowed build: what the firmware and wasm3 format (%d %i %u %x %X %c
 * %s %p %%, with flags '-' and '0', a width, a precision for strings, and the h/l/ll/z sizes).
 * Floating point is printed as '?' (the board's wasm3 is built without it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct { char *buf; size_t cap, len; } out_t;

static void put(out_t *o, char c) {
  if (o->len + 1 < o->cap) o->buf[o->len] = c;
  o->len++;
}

static void pad(out_t *o, char c, int n) { while (n-- > 0) put(o, c); }

static void number(out_t *o, unsigned long long v, int neg, unsigned base, int upper, int width, int zero, int left) {
  char tmp[24];
  int n = 0;
  do { unsigned d = (unsigned)(v % base); tmp[n++] = (char)(d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10); v /= base; } while (v);
  int len = n + neg;
  if (!left && !zero) pad(o, ' ', width - len);
  if (neg) put(o, '-');
  if (!left && zero) pad(o, '0', width - len);
  while (n) put(o, tmp[--n]);
  if (left) pad(o, ' ', width - len);
}

int vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap) {
  out_t o = { buf, cap, 0 };
  for (; *fmt; fmt++) {
    if (*fmt != '%') { put(&o, *fmt); continue; }
    int left = 0, zero = 0, width = 0, prec = -1, size = 0;
    for (;; fmt++) {
      if (fmt[1] == '-') left = 1;
      else if (fmt[1] == '0') zero = 1;
      else break;
    }
    fmt++;
    if (*fmt == '*') { width = va_arg(ap, int); fmt++; }
    else while (*fmt >= '0' && *fmt <= '9') width = width * 10 + *fmt++ - '0';
    if (*fmt == '.') {
      fmt++; prec = 0;
      if (*fmt == '*') { prec = va_arg(ap, int); fmt++; }
      else while (*fmt >= '0' && *fmt <= '9') prec = prec * 10 + *fmt++ - '0';
    }
    while (*fmt == 'l' || *fmt == 'h' || *fmt == 'z') { if (*fmt == 'l') size++; fmt++; }
    switch (*fmt) {
    case 'd': case 'i': {
      long long v = size >= 2 ? va_arg(ap, long long) : size ? va_arg(ap, long) : va_arg(ap, int);
      number(&o, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, v < 0, 10, 0, width, zero, left);
      break;
    }
    case 'u': case 'x': case 'X': {
      unsigned long long v = size >= 2 ? va_arg(ap, unsigned long long) : size ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
      number(&o, v, 0, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, zero, left);
      break;
    }
    case 'p': put(&o, '0'); put(&o, 'x'); number(&o, (uintptr_t)va_arg(ap, void *), 0, 16, 0, 0, 0, 0); break;
    case 'c': pad(&o, ' ', left ? 0 : width - 1); put(&o, (char)va_arg(ap, int)); pad(&o, ' ', left ? width - 1 : 0); break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (!s) s = "(null)";
      int n = 0;
      while (s[n] && (prec < 0 || n < prec)) n++;
      if (!left) pad(&o, ' ', width - n);
      for (int i = 0; i < n; i++) put(&o, s[i]);
      if (left) pad(&o, ' ', width - n);
      break;
    }
    case 'f': case 'g': case 'e': (void)va_arg(ap, double); put(&o, '?'); break;
    case '%': put(&o, '%'); break;
    case 0: fmt--; break;
    default: put(&o, '%'); put(&o, *fmt);
    }
  }
  if (cap) buf[o.len < cap ? o.len : cap - 1] = 0;
  return (int)o.len;
}

int snprintf(char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
  return n;
}
