/* Replays a harness's seed corpus as an ordinary test: every file under
 * KUBE_FUZZ_CORPUS_DIR/<harness>/ is passed to LLVMFuzzerTestOneInput. The
 * harness name is this program's name after "fuzz-replay_". Prints
 * "N passed, 0 failed" (a crash fails the whole program). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/buf.h"

#ifndef KUBE_FUZZ_CORPUS_DIR
#define KUBE_FUZZ_CORPUS_DIR "controller/kube/fuzz/corpus"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	const char *name = strstr(argv[0], "fuzz-replay_");
	char dir[1024], path[2048];
	int n = 0;
	if (!name) {
		fprintf(stderr, "cannot tell the harness from %s\n", argv[0]);
		return 2;
	}
	name += strlen("fuzz-replay_");
	snprintf(dir, sizeof(dir), "%s/%s", argc > 1 ? argv[1] : KUBE_FUZZ_CORPUS_DIR, name);
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		printf("0 passed, 1 failed\n");
		return 1;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		struct pn_buf b;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		pn_buf_init(&b, 16u << 20);
		if (pn_buf_read_file(&b, path) < 0) {
			fprintf(stderr, "%s: unreadable\n", path);
			pn_buf_free(&b);
			closedir(d);
			printf("%d passed, 1 failed\n", n);
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)b.data, b.len);
		pn_buf_free(&b);
		n++;
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "%s: empty corpus\n", dir);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	printf("%d passed, 0 failed\n", n);
	return 0;
}
