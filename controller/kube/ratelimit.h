/* ratelimit.h: the pure arithmetic of rate limiting and retrying. Time is
 * passed in (seconds, monotonic) so every function is tested with plain calls.
 *
 *   pn_ratelimit   a token bucket (client-go's QPS and burst): each request
 *                  reserves a token and is told how long to wait for it.
 *   pn_backoff     exponential backoff with jitter, capped.
 *   pn_retry_after parses an HTTP Retry-After value (delta seconds). */
#ifndef PN_KUBE_RATELIMIT_H
#define PN_KUBE_RATELIMIT_H

struct pn_ratelimit {
	double qps;    /* tokens added per second; <= 0 means unlimited */
	double burst;  /* bucket size */
	double tokens; /* may go negative: reservations not yet due */
	double last;   /* time of the last refill */
};

void pn_ratelimit_init(struct pn_ratelimit *rl, double qps, int burst, double now);
/* Reserves one token; returns how many seconds the caller must wait (0 when a
 * token is available now). Reservations are granted in call order. */
double pn_ratelimit_reserve(struct pn_ratelimit *rl, double now);

struct pn_backoff {
	double base;   /* first delay, seconds */
	double cap;    /* largest delay before jitter */
	double factor; /* growth per step, usually 2 */
	double jitter; /* adds up to jitter*delay, 0..1 */
};

/* Delay for the given 0-based attempt; r is a random number in [0,1). */
double pn_backoff_delay(const struct pn_backoff *b, unsigned attempt, double r);

/* Parses a Retry-After header value given in seconds ("3", " 10 "). Returns the
 * seconds (capped at max_s) or -EINVAL when the value is not delta-seconds. */
int pn_retry_after_parse(const char *value, int max_s);

#endif
