/* test_cert.c — the webhook's certificates: validity, names, the chain, and
 * each renewal decision, with the clock passed in. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "webhook/cert.h"

static const char *const names[] = { "podnet-webhook.podnet-system.svc",
				     "podnet-webhook.podnet-system.svc.cluster.local",
				     "podnet-webhook.podnet-system" };
static const struct pn_cert_policy pol = { names, 3, 3000, 1000, 0.33 };
static const time_t t0 = 1800000000; /* 2027-01-15 */

static void fresh(struct pn_cert_material *m, time_t now)
{
	char err[256];

	memset(m, 0, sizeof(*m));
	assert_int_equal(pn_cert_check(m, &pol, now, NULL, 0), PN_CERT_NEW_CA | PN_CERT_NEW_SERVING);
	assert_int_equal(pn_cert_apply(m, &pol, now, PN_CERT_NEW_CA | PN_CERT_NEW_SERVING, err,
				       sizeof(err)), 0);
}

static void unit__cert__fresh_material_verifies_and_names_the_service(void **state)
{
	struct pn_cert_material m;
	time_t nb, na;
	char err[256];

	(void)state;
	fresh(&m, t0);
	assert_int_equal(pn_cert_count(m.ca_crt), 1);
	assert_int_equal(pn_cert_count(m.tls_crt), 1);
	assert_int_equal(pn_cert_check(&m, &pol, t0, NULL, 0), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(pn_cert_verify(m.ca_crt, m.tls_crt, names[i], t0, err, sizeof(err)), 0);
	/* another name is not served; nor is anything past its expiry */
	assert_int_equal(pn_cert_verify(m.ca_crt, m.tls_crt, "evil.podnet-system.svc", t0, err,
					sizeof(err)), -EKEYREJECTED);
	assert_int_equal(pn_cert_verify(m.ca_crt, m.tls_crt, names[0], t0 + 1001, err, sizeof(err)),
			 -EKEYREJECTED);
	assert_non_null(strstr(err, "expired"));
	/* validity: from 5 minutes back (clock skew) to now + the policy's life */
	assert_int_equal(pn_cert_times(m.tls_crt, &nb, &na), 0);
	assert_int_equal(nb, t0 - 300);
	assert_int_equal(na, t0 + 1000);
	assert_int_equal(pn_cert_times(m.ca_crt, &nb, &na), 0);
	assert_int_equal(na, t0 + 3000);
	/* the CA is not a server certificate of the service */
	assert_int_equal(pn_cert_verify(m.ca_crt, m.ca_crt, names[0], t0, err, sizeof(err)),
			 -EKEYREJECTED);
	pn_cert_material_clear(&m);
}

static void unit__cert__other_ca_does_not_verify(void **state)
{
	struct pn_cert_material a, b;
	char err[256];

	(void)state;
	fresh(&a, t0);
	fresh(&b, t0);
	assert_int_equal(pn_cert_verify(b.ca_crt, a.tls_crt, names[0], t0, err, sizeof(err)),
			 -EKEYREJECTED);
	/* a serving certificate from another CA is replaced */
	free(a.tls_crt);
	a.tls_crt = strdup(b.tls_crt);
	free(a.tls_key);
	a.tls_key = strdup(b.tls_key);
	assert_int_equal(pn_cert_check(&a, &pol, t0, err, sizeof(err)), PN_CERT_NEW_SERVING);
	assert_non_null(strstr(err, "does not verify"));
	pn_cert_material_clear(&a);
	pn_cert_material_clear(&b);
}

static void unit__cert__serving_renewed_with_a_third_of_its_life_left(void **state)
{
	struct pn_cert_material m;
	char err[256], *ca;

	(void)state;
	fresh(&m, t0);
	/* life 1300 s (300 back): due below 429 s left, i.e. after t0 + 571 */
	assert_int_equal(pn_cert_check(&m, &pol, t0 + 560, NULL, 0), 0);
	assert_int_equal(pn_cert_check(&m, &pol, t0 + 580, err, sizeof(err)), PN_CERT_NEW_SERVING);
	assert_non_null(strstr(err, "near its expiry"));
	ca = strdup(m.ca_crt);
	assert_int_equal(pn_cert_apply(&m, &pol, t0 + 580, PN_CERT_NEW_SERVING, err, sizeof(err)), 0);
	assert_string_equal(m.ca_crt, ca); /* the CA stays */
	assert_int_equal(pn_cert_check(&m, &pol, t0 + 580, NULL, 0), 0);
	assert_int_equal(pn_cert_verify(m.ca_crt, m.tls_crt, names[0], t0 + 1500, err, sizeof(err)), 0);
	free(ca);
	pn_cert_material_clear(&m);
}

static void unit__cert__ca_renewal_keeps_the_old_ca_then_moves_the_serving_cert(void **state)
{
	struct pn_cert_material m = { 0 };
	char err[256], *old_tls;
	time_t t = t0 + 1800;

	(void)state;
	assert_int_equal(pn_cert_apply(&m, &pol, t0, PN_CERT_NEW_CA, err, sizeof(err)), 0);
	assert_int_equal(pn_cert_check(&m, &pol, t, NULL, 0), PN_CERT_NEW_SERVING);
	assert_int_equal(pn_cert_apply(&m, &pol, t, PN_CERT_NEW_SERVING, err, sizeof(err)), 0);
	/* t0 + 2200: the CA (life 3300) has 800 s left, less than a third;
	 * the serving certificate is young and verifies: only the CA */
	t = t0 + 2200;
	assert_int_equal(pn_cert_check(&m, &pol, t, err, sizeof(err)), PN_CERT_NEW_CA);
	old_tls = strdup(m.tls_crt);
	assert_int_equal(pn_cert_apply(&m, &pol, t, PN_CERT_NEW_CA, err, sizeof(err)), 0);
	assert_int_equal(pn_cert_count(m.ca_crt), 2);
	assert_string_equal(m.tls_crt, old_tls);
	/* served meanwhile: the old certificate verifies against the bundle */
	assert_int_equal(pn_cert_verify(m.ca_crt, m.tls_crt, names[0], t, err, sizeof(err)), 0);
	/* next check: the serving certificate moves to the new CA */
	assert_int_equal(pn_cert_check(&m, &pol, t + 60, NULL, 0), PN_CERT_NEW_SERVING);
	assert_int_equal(pn_cert_apply(&m, &pol, t + 60, PN_CERT_NEW_SERVING, err, sizeof(err)), 0);
	assert_int_equal(pn_cert_check(&m, &pol, t + 60, NULL, 0), 0);
	/* verifies against the new CA alone (the first of the bundle) */
	{
		char *first = strdup(m.ca_crt), *end = strstr(first, "-----END CERTIFICATE-----");

		end[strlen("-----END CERTIFICATE-----\n")] = 0;
		assert_int_equal(pn_cert_count(first), 1);
		assert_int_equal(pn_cert_verify(first, m.tls_crt, names[0], t + 60, err, sizeof(err)), 0);
		assert_int_equal(pn_cert_verify(first, old_tls, names[0], t + 60, err, sizeof(err)),
				 -EKEYREJECTED);
		free(first);
	}
	/* t0 + 3001: the old CA expired: it leaves the bundle */
	/* (the serving certificate, issued at t0 + 2260, is due too by then) */
	assert_int_equal(pn_cert_check(&m, &pol, t0 + 3001, NULL, 0),
			 PN_CERT_DROP_OLD_CA | PN_CERT_NEW_SERVING);
	assert_int_equal(pn_cert_apply(&m, &pol, t0 + 3001, PN_CERT_DROP_OLD_CA | PN_CERT_NEW_SERVING,
				       err, sizeof(err)), 0);
	assert_int_equal(pn_cert_count(m.ca_crt), 1);
	assert_int_equal(pn_cert_check(&m, &pol, t0 + 3001, NULL, 0), 0);
	free(old_tls);
	pn_cert_material_clear(&m);
}

static void unit__cert__expired_or_broken_material_is_made_anew(void **state)
{
	struct pn_cert_material m;
	char *k;

	(void)state;
	fresh(&m, t0);
	/* CA expired */
	assert_int_equal(pn_cert_check(&m, &pol, t0 + 3000, NULL, 0),
			 PN_CERT_NEW_CA | PN_CERT_NEW_SERVING);
	/* not PEM */
	free(m.ca_crt);
	m.ca_crt = strdup("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
	assert_int_equal(pn_cert_check(&m, &pol, t0, NULL, 0), PN_CERT_NEW_CA | PN_CERT_NEW_SERVING);
	pn_cert_material_clear(&m);
	/* keys swapped: neither matches its certificate */
	fresh(&m, t0);
	k = m.ca_key;
	m.ca_key = m.tls_key;
	m.tls_key = k;
	assert_int_equal(pn_cert_check(&m, &pol, t0, NULL, 0), PN_CERT_NEW_CA | PN_CERT_NEW_SERVING);
	pn_cert_material_clear(&m);
	/* the serving key lost */
	fresh(&m, t0);
	free(m.tls_key);
	m.tls_key = NULL;
	assert_int_equal(pn_cert_check(&m, &pol, t0, NULL, 0), PN_CERT_NEW_SERVING);
	pn_cert_material_clear(&m);
}

static void unit__cert__a_new_service_name_reissues_the_serving_cert(void **state)
{
	static const char *const other[] = { "hook.other.svc" };
	const struct pn_cert_policy p2 = { other, 1, 3000, 1000, 0.33 };
	struct pn_cert_material m;
	char err[256];

	(void)state;
	fresh(&m, t0);
	assert_int_equal(pn_cert_check(&m, &p2, t0, err, sizeof(err)), PN_CERT_NEW_SERVING);
	assert_non_null(strstr(err, "hook.other.svc"));
	assert_int_equal(pn_cert_apply(&m, &p2, t0, PN_CERT_NEW_SERVING, err, sizeof(err)), 0);
	assert_int_equal(pn_cert_verify(m.ca_crt, m.tls_crt, "hook.other.svc", t0, err, sizeof(err)), 0);
	pn_cert_material_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__cert__fresh_material_verifies_and_names_the_service),
		cmocka_unit_test(unit__cert__other_ca_does_not_verify),
		cmocka_unit_test(unit__cert__serving_renewed_with_a_third_of_its_life_left),
		cmocka_unit_test(unit__cert__ca_renewal_keeps_the_old_ca_then_moves_the_serving_cert),
		cmocka_unit_test(unit__cert__expired_or_broken_material_is_made_anew),
		cmocka_unit_test(unit__cert__a_new_service_name_reissues_the_serving_cert),
	};

	return cmocka_run_group_tests_name("webhook_cert", tests, NULL, NULL);
}
