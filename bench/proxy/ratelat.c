/*
 * ratelat: open-loop HTTP/1.1 load at a constant rate, latency without coordinated omission (as wrk2 measures it).
 *
 *   ratelat -p PORT [-h 127.0.0.1] [-u /] [-r RATE] [-d SECONDS] [-w WARMUP_SECONDS] [-c CONNECTIONS] [-H 'Name: value']
 *
 * Request i is due at start + i/RATE. It goes out on the next idle keep-alive connection (one request in flight per
 * connection, as wrk does); when none is idle it waits, and its latency still counts from the time it was due, so a
 * stall shows up in the percentiles instead of silently lowering the rate. Latency = due time -> last byte of the
 * response. Responses must carry Content-Length (no chunked bodies). One thread, epoll; timing with timerfd (ns).
 *
 * Prints one line: rate_target rate_sent requests p50_us p90_us p99_us p999_us max_us errors late
 * (late = requests that were sent more than 1 ms after they were due, i.e. the client side or the connections
 * could not keep up). Loopback use only; bounded by -d.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAXC 1024
#define BUF 65536

struct conn {
    int fd;
    int busy;
    int64_t due;      /* ns, when the in-flight request was due */
    int measured;     /* counts toward the figures (sent after the warm-up) */
    size_t got;       /* bytes of the current response read so far */
    long need;        /* total bytes of the current response, -1 until the head is parsed */
    char buf[BUF];
};

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int dial(const char *host, int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) { fprintf(stderr, "ratelat: bad host %s\n", host); exit(2); }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("ratelat: connect"); exit(1); }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Parses the response head once it is complete; returns the total length, 0 if incomplete, -1 if unusable. */
static long response_length(const char *b, size_t n) {
    const char *end = memmem(b, n, "\r\n\r\n", 4);
    if (!end) return 0;
    if (n < 12 || memcmp(b, "HTTP/1.1 ", 9) != 0) return -1;
    long head = end - b + 4, len = -1;
    for (const char *p = b; p < end; p++) {
        if (*p == '\n' && (size_t)(end - p) > 16 && strncasecmp(p + 1, "content-length:", 15) == 0) {
            len = strtol(p + 16, NULL, 10);
            break;
        }
    }
    return len < 0 ? -1 : head + len;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *path = "/";
    char extra[1024] = "";
    int port = 0, nconn = 32;
    double rate = 1000, secs = 10, warm = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-p")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-h")) host = argv[i + 1];
        else if (!strcmp(argv[i], "-u")) path = argv[i + 1];
        else if (!strcmp(argv[i], "-r")) rate = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "-d")) secs = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "-w")) warm = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "-c")) nconn = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-H")) { strncat(extra, argv[i + 1], sizeof extra - strlen(extra) - 3); strcat(extra, "\r\n"); }
        else { fprintf(stderr, "ratelat: unknown argument %s\n", argv[i]); return 2; }
    }
    if (port <= 0 || rate <= 0 || secs <= 0 || secs > 600 || nconn < 1 || nconn > MAXC) {
        fprintf(stderr, "usage: ratelat -p PORT [-h HOST] [-u PATH] [-r RATE] [-d S<=600] [-w S] [-c N<=%d] [-H header]\n", MAXC);
        return 2;
    }
    char req[2048];
    int reqlen = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%d\r\n%s\r\n", path, host, port, extra);

    int ep = epoll_create1(0);
    struct conn *c = calloc(nconn, sizeof *c);
    int *idle = malloc(nconn * sizeof *idle), nidle = 0;
    for (int i = 0; i < nconn; i++) {
        c[i].fd = dial(host, port);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
        idle[nidle++] = i;
    }
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct epoll_event tev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);

    const int64_t interval = (int64_t)(1e9 / rate);
    const int64_t start = now_ns() + 1000000, warm_end = start + (int64_t)(warm * 1e9), end = warm_end + (int64_t)(secs * 1e9);
    size_t cap = (size_t)(rate * secs * 1.1) + 1024, n = 0;
    int64_t *lat = malloc(cap * sizeof *lat);
    long errors = 0, late = 0, sent_measured = 0;
    int64_t next = start;   /* due time of the next request not yet sent */
    int inflight = 0;

    for (;;) {
        int64_t t = now_ns();
        /* Send everything that is due, as long as a connection is idle. */
        while (next <= t && next < end && nidle > 0) {
            int i = idle[--nidle];
            if (write(c[i].fd, req, reqlen) != reqlen) { errors++; continue; }
            c[i].busy = 1, c[i].due = next, c[i].got = 0, c[i].need = -1, c[i].measured = next >= warm_end;
            if (c[i].measured) { sent_measured++; if (t - next > 1000000) late++; }
            inflight++;
            next += interval;
        }
        if (next >= end && inflight == 0) break;
        if (t > end + 5000000000LL) break;   /* responses that never come: give up 5 s after the end */
        if (nidle > 0 && next < end) {
            struct itimerspec its = {.it_value = {.tv_sec = next / 1000000000, .tv_nsec = next % 1000000000}};
            timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
        }
        struct epoll_event evs[64];
        int k = epoll_wait(ep, evs, 64, 100);
        for (int e = 0; e < k; e++) {
            uint32_t i = evs[e].data.u32;
            if (i == UINT32_MAX) { uint64_t x; ssize_t r = read(tfd, &x, sizeof x); (void)r; continue; }
            struct conn *cc = &c[i];
            ssize_t r = read(cc->fd, cc->buf + cc->got, BUF - cc->got);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN) continue;
                fprintf(stderr, "ratelat: connection %u closed\n", i);
                errors++;
                close(cc->fd);
                cc->fd = dial(host, port);
                struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
                epoll_ctl(ep, EPOLL_CTL_ADD, cc->fd, &ev);
                if (cc->busy) { cc->busy = 0; inflight--; }
                idle[nidle++] = i;
                continue;
            }
            if (!cc->busy) { errors++; continue; }
            cc->got += r;
            if (cc->need < 0) {
                long len = response_length(cc->buf, cc->got);
                if (len < 0 || len > BUF) { errors++; cc->got = 0; continue; }
                if (len > 0) cc->need = len;
            }
            if (cc->need > 0 && cc->got >= (size_t)cc->need) {
                int64_t done = now_ns();
                if (cc->measured && n < cap) lat[n++] = done - cc->due;
                if (strncmp(cc->buf + 9, "200", 3) != 0) errors++;
                cc->busy = 0;
                inflight--;
                idle[nidle++] = i;
            }
        }
    }
    qsort(lat, n, sizeof *lat, cmp64);
#define PCT(q) (n ? lat[(size_t)((q) * (n - 1))] / 1000.0 : 0)
    printf("%.0f %.0f %zu %.0f %.0f %.0f %.0f %.0f %ld %ld\n", rate, sent_measured / secs, n, PCT(0.5), PCT(0.9), PCT(0.99),
           PCT(0.999), n ? lat[n - 1] / 1000.0 : 0, errors, late);
    return 0;
}
