/* yamlout.c — JSON values written as block-style YAML for people to read
 * (`podnetctl plan`). Strings that would read back as something else (a
 * number, a boolean, null) or that need escapes are double-quoted. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"

static bool plain_ok(const char *s, size_t n)
{
	static const char *const words[] = { "true", "false", "null", "yes", "no",
					     "on", "off", "y", "n", NULL };

	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == '/'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_./-", s[i]))
			return false;
	for (size_t i = 0; words[i]; i++)
		if (!strcasecmp(s, words[i]))
			return false;
	return true;
}

static int write_scalar(FILE *out, const json_t *v)
{
	char *s;

	if (json_is_string(v) && plain_ok(json_string_value(v), json_string_length(v)))
		return fputs(json_string_value(v), out) < 0 ? -1 : 0;
	s = json_dumps(v, JSON_ENCODE_ANY);
	if (!s)
		return -1;
	fputs(s, out);
	free(s);
	return 0;
}

static bool nonempty_container(const json_t *v)
{
	return (json_is_object(v) && json_object_size(v)) || (json_is_array(v) && json_array_size(v));
}

static int write_node(FILE *out, const json_t *v, int indent, bool inline_first)
{
	bool first = true;

	if (json_is_object(v) && json_object_size(v)) {
		const char *k;
		json_t *c;

		json_object_foreach ((json_t *)v, k, c) {
			json_t *key = json_string(k);

			if (!key)
				return -1;
			if (!first || !inline_first)
				fprintf(out, "%*s", indent, "");
			first = false;
			write_scalar(out, key);
			json_decref(key);
			fputc(':', out);
			if (nonempty_container(c)) {
				fputc('\n', out);
				if (write_node(out, c, indent + 2, false) < 0)
					return -1;
			} else {
				fputc(' ', out);
				if (json_is_object(c))
					fputs("{}", out);
				else if (json_is_array(c))
					fputs("[]", out);
				else
					write_scalar(out, c);
				fputc('\n', out);
			}
		}
		return 0;
	}
	if (json_is_array(v) && json_array_size(v)) {
		size_t i;
		json_t *c;

		json_array_foreach (v, i, c) {
			if (!first || !inline_first)
				fprintf(out, "%*s", indent, "");
			first = false;
			fputs("- ", out);
			if (nonempty_container(c)) {
				if (write_node(out, c, indent + 2, true) < 0)
					return -1;
			} else {
				if (json_is_object(c))
					fputs("{}", out);
				else if (json_is_array(c))
					fputs("[]", out);
				else
					write_scalar(out, c);
				fputc('\n', out);
			}
		}
		return 0;
	}
	if (!inline_first)
		fprintf(out, "%*s", indent, "");
	if (json_is_object(v))
		fputs("{}", out);
	else if (json_is_array(v))
		fputs("[]", out);
	else
		write_scalar(out, v);
	fputc('\n', out);
	return 0;
}

int cli_yaml_write(FILE *out, const json_t *v, int indent)
{
	return write_node(out, v, indent, false);
}
