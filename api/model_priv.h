/* model_priv.h — helpers shared by the api/model*.c, validate*.c, default*.c
 * and plan*.c files; not part of the public interface. */
#ifndef PN_MODEL_PRIV_H
#define PN_MODEL_PRIV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pn/model.h"
#include "pn/problem.h"

#define PN_PATH_MAX 512

/* A decoding or validation pass: problems found so far and the first hard
 * error (-ENOMEM). */
struct pn_dec {
	struct pn_problems *ps;
	int n;    /* problems added */
	int err;  /* 0 or -errno */
};

void pn_dec_problem(struct pn_dec *d, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Result of a pass: d->err when set, else d->n. */
int pn_dec_result(const struct pn_dec *d);

/* Path builders that never fail (an over-long path is cut). */
void pn_pkey(char *buf, const char *prefix, const char *key);
void pn_pidx(char *buf, const char *prefix, size_t index);

const char *pn_json_type_name(const json_t *v);

/* Field readers: absent or null leaves *out untouched and returns 0; a wrong
 * type or a value over the cap adds a problem at <prefix>.<key> and returns 0;
 * success returns 1. required adds "is required" when absent. */
int pn_get_string(struct pn_dec *d, const json_t *obj, const char *prefix, const char *key,
		  bool required, size_t cap, char **out);
int pn_get_bool(struct pn_dec *d, const json_t *obj, const char *prefix, const char *key,
		bool *out);
int pn_get_int64(struct pn_dec *d, const json_t *obj, const char *prefix, const char *key,
		 int64_t *out);
/* A list of strings; an element of the wrong type is reported at
 * <path>[i] and skipped. */
int pn_get_strings(struct pn_dec *d, const json_t *obj, const char *prefix, const char *key,
		   size_t cap, char ***out, size_t *n);
/* An object/array member kept as json (one reference). */
int pn_get_json(struct pn_dec *d, const json_t *obj, const char *prefix, const char *key,
		json_type type, json_t **out);
/* A nested object: NULL (and a problem when present with another type). */
const json_t *pn_get_object(struct pn_dec *d, const json_t *obj, const char *prefix,
			    const char *key, bool required);
const json_t *pn_get_array(struct pn_dec *d, const json_t *obj, const char *prefix,
			   const char *key, bool required, size_t cap);
/* A string value (not a member): NULL plus a problem when not a string. */
char *pn_string_value(struct pn_dec *d, const json_t *v, const char *path, size_t cap);

/* apiVersion/kind and metadata. apis lists the accepted apiVersions. */
void pn_meta_decode(struct pn_dec *d, const json_t *j, const char *const *apis,
		    const char *kind, struct pn_meta *m);
int pn_meta_encode(const struct pn_meta *m, json_t *obj);
void pn_meta_clear(struct pn_meta *m);

void pn_refs_decode(struct pn_dec *d, const json_t *spec, const char *prefix,
		    struct pn_param_ref **refs, size_t *n);
/* orig: the list as decoded (entries' unknown fields are kept) or NULL. */
json_t *pn_refs_encode(const struct pn_param_ref *refs, size_t n, const json_t *orig);
void pn_refs_free(struct pn_param_ref *refs, size_t n);
bool pn_refs_equal(const struct pn_param_ref *a, size_t na, const struct pn_param_ref *b,
		   size_t nb);
void pn_refs_validate(struct pn_dec *d, const struct pn_param_ref *refs, size_t n,
		      const char *prefix);
void pn_meta_validate(struct pn_dec *d, const struct pn_meta *m, bool namespaced);

/* Label selector at <prefix>.<key> of obj: 1 when decoded into *out, 0 when
 * absent/null/mistyped, -ENOMEM. */
int pn_label_selector_decode_at(struct pn_dec *d, const json_t *obj, const char *prefix,
				const char *key, struct pn_label_selector **out);
void pn_label_selector_check(struct pn_dec *d, const struct pn_label_selector *s,
			     const char *prefix);

json_t *pn_routes_encode(const struct pn_route *routes, size_t n, const json_t *orig);

void pn_strv_free(char **v, size_t n);
int pn_strv_push(char ***v, size_t *n, const char *s);
json_t *pn_strv_json(char *const *v, size_t n);

/* Sets key on obj to a string, or deletes it when s is NULL. Returns 0/-ENOMEM. */
int pn_json_set_str(json_t *obj, const char *key, const char *s);
/* Sets key to v (stolen), deleting the key when v is NULL. */
int pn_json_set_new(json_t *obj, const char *key, json_t *v);
/* The member object key of obj, created when absent or not an object. */
json_t *pn_json_child(json_t *obj, const char *key);
/* A deep copy of raw when it is an object, else a new empty object. */
json_t *pn_json_base(const json_t *raw);

bool pn_streq(const char *a, const char *b); /* NULL-safe, NULL == "" */

/* With `default` listed (at default_at), default must be on eth0 and no
 * other entry may take eth0: a problem at path when ifname breaks it. */
bool pn_default_ifname_problem(struct pn_dec *d, const char *path, const char *ifname,
			       bool is_default, const char *prefix, long default_at);

/* Address parsing: 4 or 6 and the 16 bytes (IPv4 in the first 4), 0 when invalid. */
int pn_addr_parse(const char *s, unsigned char out[16]);
/* CIDR: family, address, prefix length. */
int pn_addr_cidr_parse(const char *s, unsigned char addr[16], int *plen);
bool pn_addr_in_prefix(const unsigned char *ip, const unsigned char *net, int plen);
int pn_addr_cmp(const unsigned char *a, const unsigned char *b, int family);

#endif
