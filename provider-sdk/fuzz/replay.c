/* Replays a libFuzzer seed corpus as an ordinary test: every file of the
 * directory given at build time (PN_FUZZ_CORPUS) goes through the harness's
 * LLVMFuzzerTestOneInput. A crash or sanitizer report fails the program;
 * otherwise it prints "N passed, 0 failed". */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef PN_FUZZ_CORPUS
#error "PN_FUZZ_CORPUS must name the corpus directory"
#endif

int main(void)
{
	DIR *d = opendir(PN_FUZZ_CORPUS);
	struct dirent *de;
	int n = 0;

	if (!d) {
		perror(PN_FUZZ_CORPUS);
		return 1;
	}
	while ((de = readdir(d))) {
		char path[1024];
		unsigned char *buf;
		FILE *f;
		long len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", PN_FUZZ_CORPUS, de->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		buf = malloc(len > 0 ? (size_t)len : 1);
		if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len) {
			LLVMFuzzerTestOneInput(buf, (size_t)len);
			printf("  ok  %s\n", de->d_name);
			n++;
		}
		free(buf);
		fclose(f);
	}
	closedir(d);
	printf("%d passed, 0 failed\n", n);
	return n > 0 ? 0 : 1;
}
