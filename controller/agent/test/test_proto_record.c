/* Unit tests of node/proto.c (framing caps) and node/agent_record.c
 * (atomic records, listing, container id rules). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/agent_int.h"
#include "shim/proto.h"

void pn_agent_log(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

static void unit__frame_roundtrip__same_bytes(void **state)
{
	int sv[2];
	char *out = NULL;
	size_t len;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pn_proto_write(sv[0], "{\"v\":1}", 7, 1000), 0);
	assert_int_equal(pn_proto_read(sv[1], &out, &len, PN_PROTO_MAX_FRAME, 1000), 0);
	assert_int_equal(len, 7);
	assert_string_equal(out, "{\"v\":1}");
	free(out);
	close(sv[0]);
	close(sv[1]);
}

static void unit__oversized_or_empty_frame__refused(void **state)
{
	unsigned char hdr[4] = {0x7f, 0xff, 0xff, 0xff};
	int sv[2];
	char *out = NULL;
	size_t len;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], hdr, 4), 4);
	assert_int_equal(pn_proto_read(sv[1], &out, &len, PN_PROTO_MAX_FRAME, 1000), -EMSGSIZE);
	assert_null(out);
	assert_int_equal(pn_proto_write(sv[0], "", 0, 1000), -EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
}

static void unit__truncated_frame__reported_as_reset(void **state)
{
	unsigned char hdr[4] = {0, 0, 0, 10};
	int sv[2];
	char *out = NULL;
	size_t len;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], hdr, 4), 4);
	assert_int_equal(write(sv[0], "abc", 3), 3);
	close(sv[0]);
	assert_int_equal(pn_proto_read(sv[1], &out, &len, PN_PROTO_MAX_FRAME, 1000), -ECONNRESET);
	close(sv[1]);
}

static void unit__silent_peer__times_out(void **state)
{
	int sv[2];
	char *out = NULL;
	size_t len;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pn_proto_read(sv[1], &out, &len, PN_PROTO_MAX_FRAME, 50), -ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
}

static void unit__record_save_load_list_remove__roundtrip(void **state)
{
	char dir[] = "/tmp/pnt-rec-XXXXXX";
	json_t *rec = json_pack("{s:i, s:s, s:s, s:[]}", "v", 1, "containerID", "abc123", "netns", "/run/netns/x",
				"attachments"), *back = NULL, *ids = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(pn_record_save(dir, rec), 0);
	assert_int_equal(pn_record_load(dir, "abc123", &back), 0);
	assert_non_null(back);
	assert_true(json_equal(rec, back));
	json_decref(back);
	assert_int_equal(pn_record_list(dir, &ids), 0);
	assert_int_equal(json_array_size(ids), 1);
	assert_string_equal(json_string_value(json_array_get(ids, 0)), "abc123");
	json_decref(ids);
	assert_int_equal(pn_record_remove(dir, "abc123"), 0);
	assert_int_equal(pn_record_load(dir, "abc123", &back), 0);
	assert_null(back);
	assert_int_equal(pn_record_remove(dir, "abc123"), 0); /* idempotent */
	json_decref(rec);
	rmdir(dir);
}

static void unit__record_with_hostile_container_id__refused(void **state)
{
	json_t *rec = json_pack("{s:s}", "containerID", "../../etc/passwd"), *back = NULL;

	(void)state;
	assert_int_equal(pn_record_save("/tmp", rec), -EINVAL);
	assert_int_equal(pn_record_load("/tmp", "a/b", &back), -EINVAL);
	assert_int_equal(pn_record_valid_cid(".hidden"), 0);
	assert_int_equal(pn_record_valid_cid("abc_DEF-1.2"), 1);
	json_decref(rec);
}

static void unit__corrupt_record__reported_not_crashing(void **state)
{
	char dir[] = "/tmp/pnt-rec-XXXXXX", path[64];
	json_t *back = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bad.json", dir);
	f = fopen(path, "w");
	fputs("{\"containerID\":", f);
	fclose(f);
	assert_int_equal(pn_record_load(dir, "bad", &back), -EBADMSG);
	assert_null(back);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__frame_roundtrip__same_bytes),
		cmocka_unit_test(unit__oversized_or_empty_frame__refused),
		cmocka_unit_test(unit__truncated_frame__reported_as_reset),
		cmocka_unit_test(unit__silent_peer__times_out),
		cmocka_unit_test(unit__record_save_load_list_remove__roundtrip),
		cmocka_unit_test(unit__record_with_hostile_container_id__refused),
		cmocka_unit_test(unit__corrupt_record__reported_not_crashing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
