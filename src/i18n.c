/*
 * i18n.c - language choice from Accept-Language, and our texts.
 *
 * Adding a language is one row in i18n_langs.  Accept-Language is parsed
 * in place, in one pass and without allocating, so a hostile header costs
 * no more than its length.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "cs.h"
#include "i18n.h"

struct i18n_lang {
	const char	*tag;
	const char	*texts[I18N_TEXT_COUNT];
};

static const struct i18n_lang i18n_langs[] = {
	{ "ar", {
		/* The site's own notice, word for word as its pages have
		 * always shown it (seed-article.txt). */
		[I18N_NOTICE_PENDING] =
		    "تم أضافة تعليقك سوف يظهر بعد المراجعة",
		[I18N_NOTICE_PUBLISHED] = "تم نشر تعليقك",
		[I18N_NOTICE_REPORTED] =
		    "شكرًا لك، سيراجع أحد المشرفين هذا التعليق",
	} },
	{ "en", {
		[I18N_NOTICE_PENDING] =
		    "Your comment was added and will appear after review.",
		[I18N_NOTICE_PUBLISHED] = "Your comment has been published.",
		[I18N_NOTICE_REPORTED] =
		    "Thank you. A moderator will review this comment.",
	} },
};

#define I18N_NLANGS	CS_NELEM(i18n_langs)

/* One element of the header: a language range and its weight. */
struct i18n_range {
	const char	*prim;		/* primary subtag, or "*" */
	size_t		 primlen;
	int		 q;		/* weight in thousandths, 0..1000 */
};

static const struct i18n_lang *i18n_find(const char *, size_t);
static int	i18n_parse_range(const char *, const char *,
		    struct i18n_range *);
static int	i18n_parse_q(const char *, const char *);
static const char *i18n_skip_ows(const char *, const char *);
static const char *i18n_trim_ows(const char *, const char *);
static int	i18n_isalpha(int);
static int	i18n_isalnum(int);

static int
i18n_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
i18n_isalnum(int c)
{
	return i18n_isalpha(c) || (c >= '0' && c <= '9');
}

static const char *
i18n_skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Returns the end of [p, end) without trailing white space. */
static const char *
i18n_trim_ows(const char *p, const char *end)
{
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end;
}

static const struct i18n_lang *
i18n_find(const char *tag, size_t len)
{
	size_t	i;

	/* Tags are ASCII and compared without case (RFC 5646 2.1.1). */
	for (i = 0; i < I18N_NLANGS; i++) {
		if (strlen(i18n_langs[i].tag) == len &&
		    strncasecmp(i18n_langs[i].tag, tag, len) == 0)
			return &i18n_langs[i];
	}
	return NULL;
}

/*
 * qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) in
 * [p, end).  Returns thousandths, or -1 if malformed.
 */
static int
i18n_parse_q(const char *p, const char *end)
{
	int	q, scale, digits;

	if (p == end || (*p != '0' && *p != '1'))
		return -1;
	q = (*p++ - '0') * 1000;
	if (p == end)
		return q;
	if (*p++ != '.')
		return -1;
	for (scale = 100, digits = 0; p < end; p++, digits++, scale /= 10) {
		if (digits == 3 || *p < '0' || *p > '9')
			return -1;
		q += (*p - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/*
 * Parses one list element [p, end): language-range [ weight ].  Returns 0
 * and fills r, or -1 if the element is malformed and must be ignored.
 */
static int
i18n_parse_range(const char *p, const char *end, struct i18n_range *r)
{
	const char	*s, *semi;
	size_t		 n;

	p = i18n_skip_ows(p, end);
	end = i18n_trim_ows(p, end);
	if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
		semi = end;

	/* language-range = (1*8ALPHA *("-" 1*8alphanum)) / "*" */
	s = p;
	r->prim = p;
	if (s < semi && *s == '*')
		s++;
	else {
		for (n = 0; s < semi && i18n_isalpha(*s); s++)
			n++;
		if (n == 0 || n > 8)
			return -1;
	}
	r->primlen = (size_t)(s - p);
	if (r->primlen != 1 || *p != '*') {
		while (s < semi && *s == '-') {
			for (s++, n = 0; s < semi && i18n_isalnum(*s); s++)
				n++;
			if (n == 0 || n > 8)
				return -1;
		}
	}
	if (i18n_skip_ows(s, semi) != semi)
		return -1;

	r->q = 1000;
	if (semi == end)
		return 0;

	/* weight = OWS ";" OWS "q=" qvalue; tolerate OWS around '='. */
	p = i18n_skip_ows(semi + 1, end);
	if (p == end || (*p != 'q' && *p != 'Q'))
		return -1;
	p = i18n_skip_ows(p + 1, end);
	if (p == end || *p != '=')
		return -1;
	p = i18n_skip_ows(p + 1, end);
	if ((r->q = i18n_parse_q(p, end)) < 0)
		return -1;
	return 0;
}

const char *
i18n_pick_lang(const char *accept_language, const char *fallback)
{
	const struct i18n_lang	*fb, *l;
	struct i18n_range	 r;
	const char		*p, *end, *comma;
	int			 q[I18N_NLANGS], starq = -1;
	size_t			 pos[I18N_NLANGS], starpos = SIZE_MAX;
	size_t			 i, idx, fbi, best;

	if (fallback == NULL ||
	    (fb = i18n_find(fallback, strlen(fallback))) == NULL)
		fb = &i18n_langs[0];
	fbi = (size_t)(fb - i18n_langs);
	if (accept_language == NULL)
		return fb->tag;

	/*
	 * For each language we have, the best weight of a range naming it by
	 * primary subtag ("ar-EG" asks for "ar") and the position of that
	 * range, which breaks ties.
	 */
	for (i = 0; i < I18N_NLANGS; i++) {
		q[i] = -1;
		pos[i] = SIZE_MAX;
	}
	p = accept_language;
	end = p + strlen(p);
	for (idx = 0;; idx++) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		if (i18n_parse_range(p, comma, &r) == 0) {
			if (r.primlen == 1 && *r.prim == '*') {
				if (r.q > starq) {
					starq = r.q;
					starpos = idx;
				}
			} else if ((l = i18n_find(r.prim, r.primlen)) != NULL) {
				i = (size_t)(l - i18n_langs);
				if (r.q > q[i]) {
					q[i] = r.q;
					pos[i] = idx;
				}
			}
		}
		if (comma == end)
			break;
		p = comma + 1;
	}

	/* "*" stands for every language the header does not name. */
	for (i = 0; i < I18N_NLANGS; i++) {
		if (q[i] == -1) {
			q[i] = starq;
			pos[i] = starpos;
		}
	}

	/*
	 * Highest weight, then earliest range, then the default language;
	 * q=0 means "not acceptable".
	 */
	best = SIZE_MAX;
	for (i = 0; i < I18N_NLANGS; i++) {
		if (q[i] <= 0)
			continue;
		if (best == SIZE_MAX || q[i] > q[best] ||
		    (q[i] == q[best] && pos[i] < pos[best]) ||
		    (q[i] == q[best] && pos[i] == pos[best] && i == fbi))
			best = i;
	}
	return best == SIZE_MAX ? fb->tag : i18n_langs[best].tag;
}

int
i18n_supported(const char *tag)
{
	return tag != NULL && i18n_find(tag, strlen(tag)) != NULL;
}

const char *
i18n_text(const char *lang, enum i18n_text which)
{
	const struct i18n_lang	*l;

	if (lang == NULL || (l = i18n_find(lang, strlen(lang))) == NULL)
		l = &i18n_langs[0];
	if ((unsigned)which >= I18N_TEXT_COUNT)
		return "";
	/* A row still missing a text borrows the first language's. */
	if (l->texts[which] == NULL)
		l = &i18n_langs[0];
	return l->texts[which];
}
