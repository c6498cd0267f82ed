/* Unit tests: work queue semantics, backoff, rate limiter, Retry-After. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kube/workqueue.h"
#include "kube/ratelimit.h"

static struct pn_workqueue *newq(void)
{
	struct pn_workqueue_opts o = { .qps = -1 }; /* no overall limit unless asked */
	struct pn_workqueue *q = pn_workqueue_new(NULL, &o);
	assert_non_null(q);
	return q;
}

static void unit__wq_add_twice__queued_once(void **state)
{
	(void)state;
	struct pn_workqueue *q = newq();
	const char *k;
	assert_int_equal(pn_workqueue_add(q, "ns/a"), 0);
	assert_int_equal(pn_workqueue_add(q, "ns/b"), 0);
	assert_int_equal(pn_workqueue_add(q, "ns/a"), 0);
	assert_int_equal(pn_workqueue_len(q), 2);
	assert_int_equal(pn_workqueue_get(q, &k), 1);
	assert_string_equal(k, "ns/a"); /* FIFO */
	pn_workqueue_done(q, k);
	assert_int_equal(pn_workqueue_get(q, &k), 1);
	assert_string_equal(k, "ns/b");
	pn_workqueue_done(q, k);
	assert_int_equal(pn_workqueue_get(q, &k), 0);
	pn_workqueue_free(q);
}

static void unit__wq_add_while_processing__not_handed_out_until_done(void **state)
{
	(void)state;
	struct pn_workqueue *q = newq();
	const char *k, *k2;
	pn_workqueue_add(q, "x");
	assert_int_equal(pn_workqueue_get(q, &k), 1);
	assert_int_equal(pn_workqueue_processing(q), 1);
	/* a change arrives while x is being handled */
	pn_workqueue_add(q, "x");
	pn_workqueue_add(q, "x");
	assert_int_equal(pn_workqueue_len(q), 0);
	assert_int_equal(pn_workqueue_get(q, &k2), 0); /* never twice at once */
	pn_workqueue_done(q, k);
	assert_int_equal(pn_workqueue_processing(q), 0);
	assert_int_equal(pn_workqueue_len(q), 1); /* requeued exactly once */
	assert_int_equal(pn_workqueue_get(q, &k2), 1);
	assert_string_equal(k2, "x");
	pn_workqueue_done(q, k2);
	assert_int_equal(pn_workqueue_len(q), 0);
	pn_workqueue_free(q);
}

static void unit__wq_done_without_new_add__not_requeued(void **state)
{
	(void)state;
	struct pn_workqueue *q = newq();
	const char *k;
	pn_workqueue_add(q, "x");
	pn_workqueue_get(q, &k);
	pn_workqueue_done(q, k);
	assert_int_equal(pn_workqueue_len(q), 0);
	pn_workqueue_free(q);
}

static void unit__wq_add_after__ready_only_when_due_and_earliest_wins(void **state)
{
	(void)state;
	struct pn_workqueue *q = newq();
	const char *k;
	pn_workqueue_set_time(q, 100);
	pn_workqueue_add_after(q, "x", 10);
	pn_workqueue_add_after(q, "x", 5); /* earlier time wins, still one entry */
	pn_workqueue_add_after(q, "x", 20);
	assert_int_equal(pn_workqueue_waiting(q), 1);
	pn_workqueue_set_time(q, 104.9);
	assert_int_equal(pn_workqueue_get(q, &k), 0);
	pn_workqueue_set_time(q, 105);
	assert_int_equal(pn_workqueue_waiting(q), 0);
	assert_int_equal(pn_workqueue_get(q, &k), 1);
	assert_string_equal(k, "x");
	pn_workqueue_done(q, k);
	pn_workqueue_free(q);
}

static void unit__wq_rate_limited__per_item_exponential_then_forget_resets(void **state)
{
	(void)state;
	struct pn_workqueue *q = newq();
	const char *k;
	double t = 0;
	double expect[] = { 0.005, 0.010, 0.020, 0.040, 0.080 };
	pn_workqueue_set_time(q, t);
	for (int i = 0; i < 5; i++) {
		pn_workqueue_add_rate_limited(q, "x");
		assert_int_equal(pn_workqueue_requeues(q, "x"), i + 1);
		pn_workqueue_set_time(q, t + expect[i] - 0.0001);
		assert_int_equal(pn_workqueue_get(q, &k), 0);
		t += expect[i];
		pn_workqueue_set_time(q, t);
		assert_int_equal(pn_workqueue_get(q, &k), 1);
		pn_workqueue_done(q, k);
	}
	pn_workqueue_forget(q, "x");
	assert_int_equal(pn_workqueue_requeues(q, "x"), 0);
	pn_workqueue_add_rate_limited(q, "x");
	pn_workqueue_set_time(q, t + 0.005);
	assert_int_equal(pn_workqueue_get(q, &k), 1);
	pn_workqueue_done(q, k);
	pn_workqueue_free(q);
}

static void unit__wq_backoff_cap__never_beyond_cap(void **state)
{
	(void)state;
	struct pn_backoff b = { 0.005, 1000, 2, 0 };
	assert_true(pn_backoff_delay(&b, 100, 0) <= 1000.0);
	assert_true(pn_backoff_delay(&b, 100, 0) >= 999.0);
}

static void unit__wq_overall_limit__spreads_many_keys(void **state)
{
	(void)state;
	struct pn_workqueue_opts o = { .qps = 10, .burst = 2 };
	struct pn_workqueue *q = pn_workqueue_new(NULL, &o);
	const char *k;
	char key[16];
	pn_workqueue_set_time(q, 0);
	for (int i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		pn_workqueue_add_rate_limited(q, key);
	}
	/* burst of 2 after the per-item 5 ms, then one per 100 ms */
	pn_workqueue_set_time(q, 0.006);
	int got = 0;
	while (pn_workqueue_get(q, &k) == 1) {
		got++;
		pn_workqueue_done(q, k);
	}
	assert_int_equal(got, 2);
	pn_workqueue_set_time(q, 0.101);
	assert_int_equal(pn_workqueue_get(q, &k), 1);
	pn_workqueue_done(q, k);
	assert_int_equal(pn_workqueue_get(q, &k), 0);
	pn_workqueue_set_time(q, 0.201);
	assert_int_equal(pn_workqueue_get(q, &k), 1);
	pn_workqueue_done(q, k);
	pn_workqueue_free(q);
}

static void unit__wq_shutdown__get_refuses_and_add_refuses(void **state)
{
	(void)state;
	struct pn_workqueue *q = newq();
	const char *k;
	pn_workqueue_add(q, "x");
	pn_workqueue_shutdown(q);
	assert_int_equal(pn_workqueue_get(q, &k), -ESHUTDOWN);
	assert_int_equal(pn_workqueue_add(q, "y"), -ESHUTDOWN);
	pn_workqueue_free(q);
}

static void unit__ratelimit_burst_then_qps__waits_grow(void **state)
{
	(void)state;
	struct pn_ratelimit rl;
	pn_ratelimit_init(&rl, 5, 3, 0);
	assert_true(pn_ratelimit_reserve(&rl, 0) == 0);
	assert_true(pn_ratelimit_reserve(&rl, 0) == 0);
	assert_true(pn_ratelimit_reserve(&rl, 0) == 0);
	double w1 = pn_ratelimit_reserve(&rl, 0);
	double w2 = pn_ratelimit_reserve(&rl, 0);
	assert_true(w1 > 0.199 && w1 < 0.201);
	assert_true(w2 > 0.399 && w2 < 0.401);
	/* after a long idle period the bucket is full again, not more */
	assert_true(pn_ratelimit_reserve(&rl, 100) == 0);
	assert_true(pn_ratelimit_reserve(&rl, 100) == 0);
	assert_true(pn_ratelimit_reserve(&rl, 100) == 0);
	assert_true(pn_ratelimit_reserve(&rl, 100) > 0);
}

static void unit__ratelimit_unlimited__never_waits(void **state)
{
	(void)state;
	struct pn_ratelimit rl;
	pn_ratelimit_init(&rl, -1, 1, 0);
	for (int i = 0; i < 1000; i++)
		assert_true(pn_ratelimit_reserve(&rl, 0) == 0);
}

static void unit__backoff_jitter__within_bounds_and_grows(void **state)
{
	(void)state;
	struct pn_backoff b = { 0.2, 10, 2, 0.5 };
	assert_true(pn_backoff_delay(&b, 0, 0) == 0.2);
	double d = pn_backoff_delay(&b, 0, 0.999);
	assert_true(d > 0.29 && d < 0.3);
	assert_true(pn_backoff_delay(&b, 3, 0) == 1.6);
	assert_true(pn_backoff_delay(&b, 30, 0) == 10);
	assert_true(pn_backoff_delay(&b, 30, 0.5) == 12.5);
}

static void unit__retry_after_values__seconds_or_einval(void **state)
{
	(void)state;
	assert_int_equal(pn_retry_after_parse("3", 60), 3);
	assert_int_equal(pn_retry_after_parse(" 10\r\n", 60), 10);
	assert_int_equal(pn_retry_after_parse("3600", 60), 60);
	assert_int_equal(pn_retry_after_parse("99999999999999", 60), 60);
	assert_int_equal(pn_retry_after_parse("", 60), -EINVAL);
	assert_int_equal(pn_retry_after_parse("-1", 60), -EINVAL);
	assert_int_equal(pn_retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT", 60), -EINVAL);
	assert_int_equal(pn_retry_after_parse(NULL, 60), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__wq_add_twice__queued_once),
		cmocka_unit_test(unit__wq_add_while_processing__not_handed_out_until_done),
		cmocka_unit_test(unit__wq_done_without_new_add__not_requeued),
		cmocka_unit_test(unit__wq_add_after__ready_only_when_due_and_earliest_wins),
		cmocka_unit_test(unit__wq_rate_limited__per_item_exponential_then_forget_resets),
		cmocka_unit_test(unit__wq_backoff_cap__never_beyond_cap),
		cmocka_unit_test(unit__wq_overall_limit__spreads_many_keys),
		cmocka_unit_test(unit__wq_shutdown__get_refuses_and_add_refuses),
		cmocka_unit_test(unit__ratelimit_burst_then_qps__waits_grow),
		cmocka_unit_test(unit__ratelimit_unlimited__never_waits),
		cmocka_unit_test(unit__backoff_jitter__within_bounds_and_grows),
		cmocka_unit_test(unit__retry_after_values__seconds_or_einval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
