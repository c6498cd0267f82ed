/* replay.c — runs a libFuzzer harness over its seed corpus as an ordinary
 * test: with no argument, every file of api/fuzz/corpus/<NAME>/ (NAME from
 * argv[0] after "fuzz-replay_"; run from the repository root); with
 * arguments, exactly those files. Fails when the corpus is missing or empty,
 * so a harness can never pass by having nothing to run. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_FILE (8u << 20)

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0;
	int r = -1;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(REPLAY_MAX_FILE + 1);
	if (!buf)
		goto cleanup;
	n = fread(buf, 1, REPLAY_MAX_FILE + 1, f);
	if (ferror(f) || n > REPLAY_MAX_FILE) {
		fprintf(stderr, "replay: %s: unreadable or larger than %u bytes\n", path,
			REPLAY_MAX_FILE);
		goto cleanup;
	}
	/* an exact-size copy, so ASan sees reads past the end of the input */
	{
		uint8_t *exact = malloc(n ? n : 1);

		if (!exact)
			goto cleanup;
		memcpy(exact, buf, n);
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	r = 0;
cleanup:
	free(buf);
	fclose(f);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	const char *name;
	char dir[512];
	DIR *d;
	struct dirent *e;
	char **files = NULL;
	size_t n = 0, cap = 0;
	int failed = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			failed |= replay_file(argv[i]) < 0;
		return failed;
	}
	base = base ? base + 1 : argv[0];
	name = strstr(base, "fuzz-replay_");
	if (!name) {
		fprintf(stderr, "replay: cannot tell the harness name from %s\n", argv[0]);
		return 2;
	}
	name += strlen("fuzz-replay_");
	snprintf(dir, sizeof(dir), "api/fuzz/corpus/%s", name);
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d))) {
		char path[1024];

		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **v = realloc(files, nc * sizeof(*v));

			if (!v)
				break;
			files = v;
			cap = nc;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		files[n] = strdup(path);
		if (!files[n])
			break;
		n++;
	}
	closedir(d);
	qsort(files, n, sizeof(*files), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (replay_file(files[i]) < 0)
			failed++;
		free(files[i]);
	}
	free(files);
	if (!n) {
		fprintf(stderr, "replay: %s is empty\n", dir);
		return 1;
	}
	printf("%zu passed, %d failed\n", n - (size_t)failed, failed);
	return failed ? 1 : 0;
}
