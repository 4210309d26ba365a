/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A table-driven decoder of JSON objects into C structs, for the config
 * file (vmm/config_json.c). A table of struct json_key lists an object's
 * keys: json_walk_object() looks every key of the object up in it (an
 * unknown key fails with its path), calls the entry's handler, then checks
 * the table's required keys. A handler checks the value's type and range
 * and stores it at k->off in the struct being filled; the generic ones
 * (strings, booleans, sections, arrays of objects) are here, the rest are
 * the caller's, built from json_walk_uint(), json_walk_name() and
 * json_walk_fail().
 *
 * Errors: every failure writes one line "NAME: PATH: message" to the
 * walk's err buffer, PATH being the key's place in the document
 * ("disks[1].readonly"; keys made printable and cut), and returns -EINVAL
 * (-ENOMEM for out of memory).
 *
 * Memory: strings are copied into the walk's vm_config store
 * (vm_config_strdup()); JSON values are borrowed from the caller. No
 * global state; any one thread per walk.
 */
#ifndef KESTREL_VMM_JSON_WALK_H
#define KESTREL_VMM_JSON_WALK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/vm_config.h"

#define JSON_WALK_PATH_LEN 160 /* longest PATH in a message, with its NUL */
#define JSON_WALK_DESC_LEN 72 /* longest value shown by json_walk_describe() */

/* One decoding: where strings go and where the error line is written. */
struct json_walk {
	struct vm_config *cfg; /* its store receives the strings */
	const char *name; /* file name for messages */
	char *err;
	size_t errlen;
};

struct json_key;
/* A key's handler: decodes @v (at @path) into @obj. 0 or a negative errno after json_walk_fail(). */
typedef int (*json_key_fn)(struct json_walk *c, const struct json_key *k, const char *path,
			   json_t *v, void *obj);

struct json_key {
	const char *key;
	json_key_fn fn;
	size_t off; /* where in *obj the value goes */
	bool required;
	bool array; /* an array of objects described by sub */
	const struct json_key *sub; /* an object's (or each element's) keys */
	size_t nsub;
};

/* Writes "NAME: PATH: message" to the error buffer. Returns -EINVAL. */
int json_walk_fail(struct json_walk *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Writes "NAME: out of memory". Returns -ENOMEM. */
int json_walk_no_memory(struct json_walk *c);
/*
 * The value as a message shows it: "4", "\"4\"" (escaped, cut to @len),
 * true, "an object". Returns @buf or a constant string.
 */
const char *json_walk_describe(const json_t *v, char *buf, size_t len);
/* Fails with "expected @expected, got <value>". Returns -EINVAL. */
int json_walk_wrong_type(struct json_walk *c, const char *path, const char *expected,
			 const json_t *v);
/* Where @k's value goes in @obj. */
void *json_walk_field(void *obj, const struct json_key *k);

/* Decodes object @v at @path with the @nkeys entries of @keys into @obj. 0 or -errno. */
int json_walk_object(struct json_walk *c, const char *path, json_t *v, const struct json_key *keys,
		     size_t nkeys, void *obj);
/*
 * Decodes array @v of at most @max objects with k->sub into the struct
 * array @elems (zeroed first) of @elem_size elements; *@count gets the
 * number decoded. 0 or -errno.
 */
int json_walk_array(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		    void *elems, size_t elem_size, unsigned max, unsigned *count);
/* An integer from @min to @max into *@out. 0 or -EINVAL. */
int json_walk_uint(struct json_walk *c, const char *path, json_t *v, uint64_t min, uint64_t max,
		   uint64_t *out);
/*
 * A string from a fixed set, turned into an enum by @parse (0 when it
 * knows the name); @expected lists the names for the message. 0 or -EINVAL.
 */
int json_walk_name(struct json_walk *c, const char *path, json_t *v, const char *expected,
		   int (*parse)(const char *s, void *out), void *out);

/* Handlers (json_key_fn) for table entries: */
/* a string, copied into the config's store, into the const char * at k->off */
int json_walk_string(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		     void *obj);
/* the same, or null making it NULL */
int json_walk_string_or_null(struct json_walk *c, const struct json_key *k, const char *path,
			     json_t *v, void *obj);
/* true or false into the bool at k->off */
int json_walk_bool(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		   void *obj);
/* an object whose keys (k->sub) fill the same struct as its parent's */
int json_walk_section(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		      void *obj);

#endif
