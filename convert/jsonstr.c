// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * jsonstr.c: the JSON string escaper every JSON writer uses (jsonstr.h).
 * Valid UTF-8 is copied through as it is; anything else - a stray
 * continuation byte, an overlong form, a surrogate, a code point past
 * U+10FFFF, a sequence cut short - becomes one U+FFFD per byte. It must
 * not allocate or read past the string's NUL.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "jsonstr.h"

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0; /* overlong, surrogate, or past Unicode */
	return len;
}

void jsonstr__put_inner(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t n = strlen((const char *)s), i = 0, k;

	while (i < n) {
		unsigned c = s[i];

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc((int)c, f);
			i++;
		} else if (c < 0x20) {
			switch (c) {
			case '\n':
				fputs("\\n", f);
				break;
			case '\t':
				fputs("\\t", f);
				break;
			case '\r':
				fputs("\\r", f);
				break;
			default:
				fprintf(f, "\\u%04x", c);
				break;
			}
			i++;
		} else if (c < 0x80) {
			fputc((int)c, f);
			i++;
		} else if ((k = utf8_len(s + i, n - i))) {
			fwrite(s + i, 1, k, f);
			i += k;
		} else {
			fputs("\\ufffd", f); /* one replacement per invalid byte */
			i++;
		}
	}
}

void jsonstr__put(FILE *f, const char *s)
{
	fputc('"', f);
	jsonstr__put_inner(f, s);
	fputc('"', f);
}
