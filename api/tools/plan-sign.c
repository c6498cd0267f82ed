/* plan-sign — a test tool: signs plans as podnet-controller does, with a key
 * file, for the tests that write plans by hand (the controller is not
 * running, or the test plays the attacker with a key of its own).
 *
 *   plan-sign genkey FILE             new Ed25519 private key (PKCS#8 PEM) into FILE;
 *                                     prints its key id
 *   plan-sign keyid FILE              the key id of a private key file
 *   plan-sign pubkey FILE             its public key (PEM) on stdout
 *   plan-sign sign FILE UID SEQ PLAN  the podnet.dev/plan-signature value of PLAN
 *                                     (the exact annotation text) for Pod UID
 *   plan-sign verify PUB UID PLAN SIG exit 0 when SIG signs PLAN for UID with the
 *                                     public key (PEM) in file PUB; prints the seq,
 *                                     else why not (exit 1)
 *
 * Built into $(BUILD)/test/plan-sign; never installed. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pn/plan_sign.h"

static struct pn_plan_key *load_kind(const char *path, int private)
{
	char buf[PN_PLAN_KEY_PEM_MAX + 1], err[256];
	FILE *f = fopen(path, "re");
	size_t n;
	struct pn_plan_key *k;

	if (!f) {
		fprintf(stderr, "plan-sign: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	k = pn_plan_key_from_pem(buf, n, private, err, sizeof(err));
	if (!k) {
		fprintf(stderr, "plan-sign: %s: %s\n", path, err);
		exit(1);
	}
	return k;
}

static struct pn_plan_key *load(const char *path)
{
	return load_kind(path, 1);
}

static int usage(void)
{
	fprintf(stderr, "usage: plan-sign genkey FILE | keyid FILE | pubkey FILE | sign FILE UID SEQ PLAN |\n"
		"                 verify PUB UID PLAN SIG\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct pn_plan_key *k;
	char err[256], *s, *end;

	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "genkey") && argc == 3) {
		int fd;

		k = pn_plan_key_generate(err, sizeof(err));
		s = k ? pn_plan_key_private_pem(k) : NULL;
		if (!s) {
			fprintf(stderr, "plan-sign: %s\n", err);
			return 1;
		}
		fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s) || close(fd) < 0) {
			fprintf(stderr, "plan-sign: %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		printf("%s\n", pn_plan_key_id(k));
	} else if (!strcmp(argv[1], "keyid") && argc == 3) {
		k = load(argv[2]);
		printf("%s\n", pn_plan_key_id(k));
		s = NULL;
	} else if (!strcmp(argv[1], "pubkey") && argc == 3) {
		k = load(argv[2]);
		s = pn_plan_key_public_pem(k);
		if (!s)
			return 1;
		fputs(s, stdout);
	} else if (!strcmp(argv[1], "sign") && argc == 6) {
		uint64_t seq;

		errno = 0;
		seq = strtoull(argv[4], &end, 10);
		if (errno || *end || !*argv[4]) {
			fprintf(stderr, "plan-sign: SEQ: not a number: %s\n", argv[4]);
			return 2;
		}
		k = load(argv[2]);
		s = pn_plan_sign(k, argv[3], seq, argv[5]);
		if (!s) {
			fprintf(stderr, "plan-sign: cannot sign (UID empty or too long, SEQ 0?)\n");
			return 1;
		}
		printf("%s\n", s);
	} else if (!strcmp(argv[1], "verify") && argc == 6) {
		struct pn_plan_keyring ring = { 0 };
		uint64_t seq;
		int r;

		k = load_kind(argv[2], 0);
		s = NULL;
		r = pn_plan_keyring_add(&ring, k) < 0 ? -ENOMEM
			: pn_plan_verify(&ring, argv[3], argv[4], argv[5], &seq, NULL, err, sizeof(err));
		pn_plan_keyring_clear(&ring);
		if (r < 0) {
			printf("%s\n", err);
			pn_plan_key_free(k);
			return 1;
		}
		printf("%" PRIu64 "\n", seq);
	} else {
		return usage();
	}
	free(s);
	pn_plan_key_free(k);
	return 0;
}
