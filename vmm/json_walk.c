// SPDX-License-Identifier: GPL-2.0-only
/*
 * The table-driven JSON object decoder: see vmm/json_walk.h.
 */
#include "vmm/json_walk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int json_walk_fail(struct json_walk *c, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s: %s: ", c->name, path);
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int json_walk_no_memory(struct json_walk *c)
{
	snprintf(c->err, c->errlen, "%s: out of memory", c->name);
	return -ENOMEM;
}

/* The value as a message shows it: "4", "\"4\"" (escaped, cut), true, an object. */
const char *json_walk_describe(const json_t *v, char *buf, size_t len)
{
	char *text;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	default:
		break;
	}
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (!text)
		return "a value";
	if (strlen(text) >= len)
		snprintf(buf, len, "%.*s...\"", (int)(len - 5), text);
	else
		snprintf(buf, len, "%s", text);
	free(text);
	return buf;
}

int json_walk_wrong_type(struct json_walk *c, const char *path, const char *expected,
			 const json_t *v)
{
	char d[JSON_WALK_DESC_LEN];

	return json_walk_fail(c, path, "expected %s, got %s", expected,
			      json_walk_describe(v, d, sizeof(d)));
}

/* Appends ".key" (or "key" at the top) to @parent, the key made printable and cut. */
static void child_path(char *out, size_t len, const char *parent, const char *key)
{
	size_t o = (size_t)snprintf(out, len, "%s%s", parent, *parent ? "." : "");

	for (; *key && o + 8 < len; key++) {
		unsigned char ch = (unsigned char)*key;

		if (ch < 0x20 || ch == 0x7f || ch == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	if (*key && o + 3 < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o < len ? o : len - 1] = '\0';
}

void *json_walk_field(void *obj, const struct json_key *k)
{
	return (char *)obj + k->off;
}

int json_walk_object(struct json_walk *c, const char *path, json_t *v, const struct json_key *keys,
		     size_t nkeys, void *obj)
{
	const char *key;
	json_t *val;
	char sub[JSON_WALK_PATH_LEN];
	int ret;

	if (!json_is_object(v))
		return json_walk_wrong_type(c, path, "an object", v);
	json_object_foreach(v, key, val)
	{
		const struct json_key *k = NULL;

		for (size_t i = 0; i < nkeys; i++) {
			if (!strcmp(keys[i].key, key)) {
				k = &keys[i];
				break;
			}
		}
		child_path(sub, sizeof(sub), path, key);
		if (!k)
			return json_walk_fail(c, sub, "unknown key");
		ret = k->fn(c, k, sub, val, obj);
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < nkeys; i++) {
		if (keys[i].required && !json_object_get(v, keys[i].key)) {
			child_path(sub, sizeof(sub), path, keys[i].key);
			return json_walk_fail(c, sub, "missing");
		}
	}
	return 0;
}
static int store_string(struct json_walk *c, const char **out, json_t *v)
{
	const char *s = vm_config_strdup(c->cfg, json_string_value(v), json_string_length(v));

	if (!s)
		return json_walk_no_memory(c);
	*out = s;
	return 0;
}

int json_walk_string(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		     void *obj)
{
	if (!json_is_string(v))
		return json_walk_wrong_type(c, path, "a string", v);
	return store_string(c, json_walk_field(obj, k), v);
}

int json_walk_string_or_null(struct json_walk *c, const struct json_key *k, const char *path,
			     json_t *v, void *obj)
{
	const char **out = json_walk_field(obj, k);

	if (json_is_null(v)) {
		*out = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return json_walk_wrong_type(c, path, "a string or null", v);
	return store_string(c, out, v);
}

int json_walk_bool(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		   void *obj)
{
	if (!json_is_boolean(v))
		return json_walk_wrong_type(c, path, "true or false", v);
	*(bool *)json_walk_field(obj, k) = json_is_true(v);
	return 0;
}

int json_walk_uint(struct json_walk *c, const char *path, json_t *v, uint64_t min, uint64_t max,
		   uint64_t *out)
{
	json_int_t n;

	if (!json_is_integer(v))
		return json_walk_wrong_type(c, path, "an integer", v);
	n = json_integer_value(v);
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
		return json_walk_fail(c, path, "%lld is out of range (%llu-%llu)", (long long)n,
				      (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)n;
	return 0;
}
/* A string from a fixed set, turned into an enum by @parse. */
int json_walk_name(struct json_walk *c, const char *path, json_t *v, const char *expected,
		   int (*parse)(const char *s, void *out), void *out)
{
	char d[JSON_WALK_DESC_LEN];

	if (!json_is_string(v))
		return json_walk_wrong_type(c, path, "a string", v);
	if (parse(json_string_value(v), out))
		return json_walk_fail(c, path, "%s is not one of %s",
				      json_walk_describe(v, d, sizeof(d)), expected);
	return 0;
}

/* An object whose keys fill the same struct as its parent's. */
int json_walk_section(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		      void *obj)
{
	return json_walk_object(c, path, v, k->sub, k->nsub, obj);
}

/* An array of objects, each filling one element of the struct array at k->off. */
int json_walk_array(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		    void *elems, size_t elem_size, unsigned max, unsigned *count)
{
	char sub[JSON_WALK_PATH_LEN];
	json_t *e;
	size_t i;
	int ret;

	if (!json_is_array(v))
		return json_walk_wrong_type(c, path, "an array", v);
	if (json_array_size(v) > max)
		return json_walk_fail(c, path, "%zu entries, at most %u", json_array_size(v), max);
	memset(elems, 0, elem_size * max);
	*count = 0;
	json_array_foreach(v, i, e)
	{
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		ret = json_walk_object(c, sub, e, k->sub, k->nsub, (char *)elems + i * elem_size);
		if (ret)
			return ret;
		*count = (unsigned)i + 1;
	}
	return 0;
}
