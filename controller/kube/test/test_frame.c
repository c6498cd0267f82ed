/* Unit tests: watch-line framing and watch-event decoding. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kube/frame.h"

struct lines {
	char got[16][512];
	int n;
	int stop_at; /* return non-zero on this line (0: never) */
};

static int collect(void *ud, const char *line, size_t len)
{
	struct lines *l = ud;
	if (l->n < 16 && len < 512) {
		memcpy(l->got[l->n], line, len);
		l->got[l->n][len] = '\0';
	}
	l->n++;
	if (l->stop_at && l->n == l->stop_at)
		return -ECANCELED;
	return 0;
}

static const char STREAM[] =
	"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"1\"}}}\n"
	"{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"2\"}}}\r\n"
	"\n"
	"{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"3\"}}}\n";

static void unit__frame_split_at_every_boundary__same_three_lines(void **state)
{
	(void)state;
	size_t n = strlen(STREAM);
	for (size_t i = 0; i <= n; i++) {
		for (size_t j = i; j <= n; j++) {
			struct lines l = { .n = 0 };
			struct pn_frame f;
			pn_frame_init(&f, 4096, collect, &l);
			assert_int_equal(pn_frame_feed(&f, STREAM, i), 0);
			assert_int_equal(pn_frame_feed(&f, STREAM + i, j - i), 0);
			assert_int_equal(pn_frame_feed(&f, STREAM + j, n - j), 0);
			assert_int_equal(l.n, 3);
			assert_non_null(strstr(l.got[0], "ADDED"));
			assert_non_null(strstr(l.got[1], "MODIFIED"));
			assert_int_not_equal(l.got[1][strlen(l.got[1]) - 1], '\r');
			assert_non_null(strstr(l.got[2], "DELETED"));
			assert_int_equal(pn_frame_pending(&f), 0);
			pn_frame_free(&f);
		}
	}
}

static void unit__frame_byte_by_byte__same_lines(void **state)
{
	(void)state;
	struct lines l = { .n = 0 };
	struct pn_frame f;
	pn_frame_init(&f, 4096, collect, &l);
	for (size_t i = 0; STREAM[i]; i++)
		assert_int_equal(pn_frame_feed(&f, STREAM + i, 1), 0);
	assert_int_equal(l.n, 3);
	pn_frame_free(&f);
}

static void unit__frame_line_over_cap__emsgsize(void **state)
{
	(void)state;
	struct lines l = { .n = 0 };
	struct pn_frame f;
	char big[300];
	memset(big, 'x', sizeof(big));
	/* in one chunk with its newline */
	pn_frame_init(&f, 100, collect, &l);
	char one[302];
	memcpy(one, big, 300);
	one[300] = '\n';
	assert_int_equal(pn_frame_feed(&f, one, 301), -EMSGSIZE);
	assert_int_equal(l.n, 0);
	pn_frame_free(&f);
	/* in small chunks without a newline */
	pn_frame_init(&f, 100, collect, &l);
	int r = 0;
	for (size_t i = 0; i < sizeof(big) && r == 0; i += 7)
		r = pn_frame_feed(&f, big + i, sizeof(big) - i < 7 ? sizeof(big) - i : 7);
	assert_int_equal(r, -EMSGSIZE);
	assert_true(pn_frame_pending(&f) <= 100);
	assert_int_equal(l.n, 0);
	pn_frame_free(&f);
	/* exactly at the cap is fine */
	pn_frame_init(&f, 100, collect, &l);
	one[100] = '\n';
	assert_int_equal(pn_frame_feed(&f, one, 50), 0);
	assert_int_equal(pn_frame_feed(&f, one + 50, 51), 0);
	assert_int_equal(l.n, 1);
	pn_frame_free(&f);
}

static void unit__frame_truncated_line__held_not_delivered(void **state)
{
	(void)state;
	struct lines l = { .n = 0 };
	struct pn_frame f;
	pn_frame_init(&f, 4096, collect, &l);
	assert_int_equal(pn_frame_feed(&f, STREAM, 30), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(pn_frame_pending(&f), 30);
	pn_frame_reset(&f);
	assert_int_equal(pn_frame_pending(&f), 0);
	assert_int_equal(pn_frame_feed(&f, STREAM, strlen(STREAM)), 0);
	assert_int_equal(l.n, 3);
	pn_frame_free(&f);
}

static void unit__frame_callback_stops__error_returned_rest_not_delivered(void **state)
{
	(void)state;
	struct lines l = { .n = 0, .stop_at = 1 };
	struct pn_frame f;
	pn_frame_init(&f, 4096, collect, &l);
	assert_int_equal(pn_frame_feed(&f, STREAM, strlen(STREAM)), -ECANCELED);
	assert_int_equal(l.n, 1);
	pn_frame_free(&f);
}

static int decode(const char *s, struct pn_watch_event *ev)
{
	return pn_watch_event_decode(s, strlen(s), ev);
}

static void unit__decode_added__object_and_rv(void **state)
{
	(void)state;
	struct pn_watch_event ev;
	assert_int_equal(decode("{\"type\":\"ADDED\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":"
				"{\"name\":\"a\",\"namespace\":\"n\",\"resourceVersion\":\"42\"}}}", &ev), 0);
	assert_int_equal(ev.type, PN_WATCH_ADDED);
	assert_string_equal(ev.rv, "42");
	assert_string_equal(json_string_value(json_object_get(ev.object, "kind")), "ConfigMap");
	pn_watch_event_clear(&ev);
}

static void unit__decode_bookmark__rv_without_name(void **state)
{
	(void)state;
	struct pn_watch_event ev;
	assert_int_equal(decode("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"metadata\":"
				"{\"resourceVersion\":\"99\"}}}", &ev), 0);
	assert_int_equal(ev.type, PN_WATCH_BOOKMARK);
	assert_string_equal(ev.rv, "99");
	pn_watch_event_clear(&ev);
}

static void unit__decode_error_410__status_fields(void **state)
{
	(void)state;
	struct pn_watch_event ev;
	assert_int_equal(decode("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
				"\"status\":\"Failure\",\"message\":\"too old resource version: 1 (5)\","
				"\"reason\":\"Expired\",\"code\":410}}", &ev), 0);
	assert_int_equal(ev.type, PN_WATCH_ERROR);
	assert_int_equal(ev.status.code, 410);
	assert_string_equal(ev.status.reason, "Expired");
	assert_string_equal(ev.status.message, "too old resource version: 1 (5)");
	assert_int_equal(pn_kube_status_errno(&ev.status), -PN_KUBE_EGONE);
	pn_watch_event_clear(&ev);
}

static void unit__decode_garbage__ebadmsg(void **state)
{
	(void)state;
	struct pn_watch_event ev;
	const char *bad[] = {
		"not json",
		"[1,2,3]",
		"{\"type\":\"ADDED\"}",
		"{\"type\":\"ADDED\",\"object\":\"x\"}",
		"{\"type\":\"EXPLODED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"1\"}}}",
		"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}",
		"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"resourceVersion\":\"1\"}}}",
		"{\"type\":7,\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"1\"}}}",
		"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"1\"}}} trailing",
		"{\"type\":\"ADDED\",\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"1\"}}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(decode(bad[i], &ev), -EBADMSG);
		assert_null(ev.object);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__frame_split_at_every_boundary__same_three_lines),
		cmocka_unit_test(unit__frame_byte_by_byte__same_lines),
		cmocka_unit_test(unit__frame_line_over_cap__emsgsize),
		cmocka_unit_test(unit__frame_truncated_line__held_not_delivered),
		cmocka_unit_test(unit__frame_callback_stops__error_returned_rest_not_delivered),
		cmocka_unit_test(unit__decode_added__object_and_rv),
		cmocka_unit_test(unit__decode_bookmark__rv_without_name),
		cmocka_unit_test(unit__decode_error_410__status_fields),
		cmocka_unit_test(unit__decode_garbage__ebadmsg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
