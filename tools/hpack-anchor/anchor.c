/*
 * libnghttp2's HPACK codec over the hpack-test-case corpus, the anchor the
 * .NET benchmark (tools/Benchmarks --hpack) is compared with: the same
 * stories, the same semantics.
 *
 *   decode: one inflater per story (nghttp2_hd_inflate_new), each case's
 *           table size applied before it (nghttp2_hd_inflate_change_table_size,
 *           an acknowledged SETTINGS_HEADER_TABLE_SIZE), every block through
 *           nghttp2_hd_inflate_hd2 to NGHTTP2_HD_INFLATE_FINAL; every header
 *           emitted is counted and checked against the story's count.
 *   encode: one deflater per story (nghttp2_hd_deflate_new, table 4096, as
 *           nghttp2's default), a new nghttp2_nv array per block (nghttp2
 *           keeps nothing about a field between blocks), nghttp2_hd_deflate_hd
 *           into one reused buffer; raw-data repeated REPEAT times per round.
 *
 * usage: anchor decode|encode FILE ROUNDS [REPEAT]   (FILE from export.py)
 * Prints, per round, headers, process CPU time and headers per CPU second;
 * for encode also the compression ratio. Built by tools/hpack-bench.sh.
 */
#include <nghttp2/nghttp2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NONE 0xffffffffu

static uint8_t *data;
static size_t size, pos;

static uint32_t u32(void) {
  uint32_t v;
  if (pos + 4 > size) { fprintf(stderr, "anchor: truncated input\n"); exit(2); }
  memcpy(&v, data + pos, 4);
  pos += 4;
  return v;
}

static uint8_t *take(uint32_t n) {
  uint8_t *p = data + pos;
  if (pos + n > size) { fprintf(stderr, "anchor: truncated input\n"); exit(2); }
  pos += n;
  return p;
}

#ifndef ANCHOR_LIBRARY
static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}
#endif

/* One pass over decode.bin; returns headers decoded. */
static long decode_all(void) {
  long headers = 0;
  pos = 0;
  uint32_t nstories = u32();
  for (uint32_t s = 0; s < nstories; s++) {
    nghttp2_hd_inflater *inf;
    if (nghttp2_hd_inflate_new(&inf) != 0) exit(3);
    uint32_t ncases = u32();
    for (uint32_t c = 0; c < ncases; c++) {
      uint32_t table = u32(), expected = u32(), len = u32();
      uint8_t *in = take(len);
      if (table != NONE && nghttp2_hd_inflate_change_table_size(inf, table) != 0) exit(3);
      uint32_t got = 0;
      for (;;) {
        nghttp2_nv nv;
        int flags = 0;
        ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &flags, in, len, 1);
        if (rv < 0) { fprintf(stderr, "anchor: story %u case %u: %s\n", s, c, nghttp2_strerror((int)rv)); exit(1); }
        in += rv;
        len -= (uint32_t)rv;
        if (flags & NGHTTP2_HD_INFLATE_EMIT) got++;
        if (flags & NGHTTP2_HD_INFLATE_FINAL) { nghttp2_hd_inflate_end_headers(inf); break; }
        if (rv == 0 && len == 0 && !(flags & NGHTTP2_HD_INFLATE_EMIT)) break;
      }
      if (got != expected) { fprintf(stderr, "anchor: story %u case %u: %u headers, expected %u\n", s, c, got, expected); exit(1); }
      headers += got;
    }
    nghttp2_hd_inflate_del(inf);
  }
  return headers;
}

/* One pass over encode.bin; returns headers encoded, adds raw and wire octets. */
static long encode_all(long *raw, long *wire) {
  static uint8_t out[1 << 16];
  static nghttp2_nv nva[1024];
  long headers = 0;
  pos = 0;
  uint32_t nstories = u32();
  for (uint32_t s = 0; s < nstories; s++) {
    nghttp2_hd_deflater *def;
    if (nghttp2_hd_deflate_new(&def, 4096) != 0) exit(3);
    uint32_t ncases = u32();
    for (uint32_t c = 0; c < ncases; c++) {
      uint32_t table = u32(), n = u32();
      if (n > 1024) exit(3);
      for (uint32_t i = 0; i < n; i++) {
        uint32_t nl = u32();
        nva[i].name = take(nl);
        nva[i].namelen = nl;
        uint32_t vl = u32();
        nva[i].value = take(vl);
        nva[i].valuelen = vl;
        nva[i].flags = NGHTTP2_NV_FLAG_NONE;
        *raw += nl + vl;
      }
      if (table != NONE && nghttp2_hd_deflate_change_table_size(def, table) != 0) exit(3);
      ssize_t rv = nghttp2_hd_deflate_hd(def, out, sizeof out, nva, n);
      if (rv < 0) { fprintf(stderr, "anchor: story %u case %u: %s\n", s, c, nghttp2_strerror((int)rv)); exit(1); }
      *wire += rv;
      headers += n;
    }
    nghttp2_hd_deflate_del(def);
  }
  return headers;
}

#ifdef ANCHOR_LIBRARY
/* Built with -shared -fPIC -DANCHOR_LIBRARY: the same passes for a process that
 * alternates them with its own (tools/Benchmarks --hpack-paired). */
int anchor_load(const char *file) {
  FILE *f = fopen(file, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  size = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  free(data);
  data = malloc(size);
  int ok = data && fread(data, 1, size, f) == size;
  fclose(f);
  return ok ? 0 : -1;
}
long anchor_decode_all(void) { return decode_all(); }
long anchor_encode_all(long *raw, long *wire) { return encode_all(raw, wire); }
const char *anchor_version(void) { return nghttp2_version(0)->version_str; }
#else
int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: anchor decode|encode FILE ROUNDS [REPEAT]\n"); return 2; }
  int encode = strcmp(argv[1], "encode") == 0;
  int rounds = atoi(argv[3]), repeat = argc > 4 ? atoi(argv[4]) : 1;
  FILE *f = fopen(argv[2], "rb");
  if (!f) { perror(argv[2]); return 2; }
  fseek(f, 0, SEEK_END);
  size = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  data = malloc(size);
  if (fread(data, 1, size, f) != size) { perror(argv[2]); return 2; }
  fclose(f);
  printf("libnghttp2 %s\n", nghttp2_version(0)->version_str);
  for (int r = 1; r <= rounds; r++) {
    getppid(); /* the round marker: callgrind --dump-before=getppid cuts the profile here */
    long headers = 0, raw = 0, wire = 0;
    double t0 = cpu_seconds();
    for (int k = 0; k < repeat; k++) headers += encode ? encode_all(&raw, &wire) : decode_all();
    double t = cpu_seconds() - t0;
    if (encode)
      printf("round %d: encode %ld headers in %.4f s CPU: %.3f M headers/s, ratio %.4f\n", r, headers, t, headers / t / 1e6, (double)wire / raw);
    else
      printf("round %d: decode %ld headers in %.4f s CPU: %.3f M headers/s\n", r, headers, t, headers / t / 1e6);
  }
  getppid();
  return 0;
}
#endif
