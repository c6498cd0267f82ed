/* cert.h: the webhook's TLS material, made and renewed by podnet itself
 * (OpenSSL libcrypto). Pure: the clock is passed in, nothing touches the
 * network or the disk.
 *
 * The material is four PEM texts, the Secret's keys:
 *   ca.crt   the CA bundle put into the webhook configuration: the current CA
 *            first, then an older CA kept while it is still valid (overlap
 *            after a CA renewal)
 *   ca.key   the current CA's private key
 *   tls.crt  the serving certificate, signed by a CA of the bundle
 *   tls.key  its private key
 *
 * Rules (pn_cert_check): anything missing, unreadable or not matching its key
 * is made anew (CA and serving certificate); a certificate with less than
 * renew_fraction of its life left is renewed; a CA renewal keeps the old CA
 * in the bundle and leaves the serving certificate as it is when that one
 * still verifies, so the new CA reaches the webhook configuration before any
 * certificate it signed is served (the serving certificate follows at the
 * next check); an expired older CA leaves the bundle. */
#ifndef PN_WEBHOOK_CERT_H
#define PN_WEBHOOK_CERT_H

#include <stddef.h>
#include <time.h>

struct pn_cert_material {
	char *ca_crt; /* owned PEM text, NULL when absent */
	char *ca_key;
	char *tls_crt;
	char *tls_key;
};

struct pn_cert_policy {
	const char *const *dns; /* serving certificate's DNS names, dns[0] its CN */
	size_t n_dns;
	double ca_validity;     /* seconds */
	double cert_validity;   /* seconds */
	double renew_fraction;  /* renew with less than this part of the life left */
};

enum {
	PN_CERT_NEW_CA = 1,        /* make a new CA (old one kept in the bundle if valid) */
	PN_CERT_NEW_SERVING = 2,   /* issue a new serving certificate from the current CA */
	PN_CERT_DROP_OLD_CA = 4,   /* remove expired older CAs from the bundle */
};

/* What the material needs at time now: a mask of PN_CERT_*, 0 when it is
 * good as it is. why (may be NULL) says the first reason in a few words. */
int pn_cert_check(const struct pn_cert_material *m, const struct pn_cert_policy *p, time_t now,
		  char *why, size_t len);
/* Applies the actions of a mask to m (replacing its strings). 0, or -errno
 * with err filled. */
int pn_cert_apply(struct pn_cert_material *m, const struct pn_cert_policy *p, time_t now,
		  int actions, char *err, size_t len);
/* 0 when the certificate crt (PEM, first one) verifies at time now against
 * the CAs of bundle and names host (when not NULL); -EBADMSG / -EKEYREJECTED
 * otherwise, with err filled. */
int pn_cert_verify(const char *bundle, const char *crt, const char *host, time_t now, char *err,
		   size_t len);
/* notBefore / notAfter of the first certificate of a PEM text; -EBADMSG. */
int pn_cert_times(const char *pem, time_t *not_before, time_t *not_after);
/* Number of certificates in a PEM text. */
int pn_cert_count(const char *pem);
void pn_cert_material_clear(struct pn_cert_material *m);

#endif
