/* ratelimit.c: token bucket, exponential backoff, Retry-After. */
#include "kube/ratelimit.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>

void pn_ratelimit_init(struct pn_ratelimit *rl, double qps, int burst, double now)
{
	rl->qps = qps;
	rl->burst = burst > 0 ? burst : 1;
	rl->tokens = rl->burst;
	rl->last = now;
}

double pn_ratelimit_reserve(struct pn_ratelimit *rl, double now)
{
	if (rl->qps <= 0)
		return 0;
	if (now > rl->last) {
		rl->tokens += (now - rl->last) * rl->qps;
		if (rl->tokens > rl->burst)
			rl->tokens = rl->burst;
		rl->last = now;
	}
	rl->tokens -= 1;
	if (rl->tokens >= 0)
		return 0;
	return -rl->tokens / rl->qps;
}

double pn_backoff_delay(const struct pn_backoff *b, unsigned attempt, double r)
{
	double d = b->base;
	for (unsigned i = 0; i < attempt && d < b->cap; i++)
		d *= b->factor;
	if (d > b->cap)
		d = b->cap;
	if (r < 0)
		r = 0;
	if (r >= 1)
		r = 0.999999;
	return d + d * b->jitter * r;
}

int pn_retry_after_parse(const char *value, int max_s)
{
	long v = 0;
	int digits = 0;
	if (!value)
		return -EINVAL;
	while (*value == ' ' || *value == '\t')
		value++;
	while (isdigit((unsigned char)*value)) {
		if (v < 1000000)
			v = v * 10 + (*value - '0');
		value++;
		digits++;
	}
	while (*value == ' ' || *value == '\t' || *value == '\r' || *value == '\n')
		value++;
	if (!digits || *value)
		return -EINVAL;
	if (v > max_s)
		v = max_s;
	return (int)v;
}
