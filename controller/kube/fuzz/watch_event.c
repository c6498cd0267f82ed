/* libFuzzer harness: the watch-line framer and the event decoder.
 * The input is fed to the framer in pieces whose sizes come from the input's
 * first byte, so chunk boundaries are fuzzed too; every framed line goes
 * through the decoder. Invariants: a decoded event owns an object, carries a
 * resourceVersion unless it is an ERROR, and lines never exceed the cap. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube/frame.h"

#define MAX_LINE 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_line(void *ud, const char *line, size_t len)
{
	struct pn_watch_event ev;
	(void)ud;
	if (len > MAX_LINE || len == 0)
		abort();
	if (pn_watch_event_decode(line, len, &ev) == 0) {
		if (!ev.object)
			abort();
		if (ev.type != PN_WATCH_ERROR && (!ev.rv || !*ev.rv))
			abort();
		if (ev.type == PN_WATCH_ERROR && ev.status.code == 0)
			abort();
		pn_watch_event_clear(&ev);
	} else if (ev.object) {
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pn_frame f;
	size_t piece;
	if (size == 0)
		return 0;
	piece = (size_t)(data[0] % 17) + 1;
	data++;
	size--;
	pn_frame_init(&f, MAX_LINE, on_line, NULL);
	for (size_t off = 0; off < size; off += piece) {
		size_t n = size - off < piece ? size - off : piece;
		if (pn_frame_feed(&f, (const char *)data + off, n) < 0)
			break; /* oversized line: the stream is dropped */
		if (pn_frame_pending(&f) > MAX_LINE)
			abort();
	}
	pn_frame_free(&f);
	return 0;
}
