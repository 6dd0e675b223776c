/*
 * i18n.h - the reader's language and the texts we send in it.
 *
 * Languages are picked from Accept-Language (RFC 9110 q-values) among the
 * ones we have a table for: the highest q wins, an earlier entry wins a
 * tie, "*" stands for every language the header does not name, and the
 * site's default covers headers naming nothing we have.
 */
#ifndef COMMENTD_I18N_H
#define COMMENTD_I18N_H

enum i18n_text {
	I18N_NOTICE_PENDING,	/* "added, will appear after review" */
	I18N_NOTICE_PUBLISHED,	/* "added and published" (postmoderated) */
	I18N_NOTICE_REPORTED,	/* "thanks, a moderator will look" */
	I18N_TEXT_COUNT
};

/*
 * Returns the supported language tag ("ar", "en") that best matches the
 * Accept-Language header value (may be NULL), or fallback when none does.
 * fallback must itself be a supported tag.
 */
const char	*i18n_pick_lang(const char *accept_language,
		    const char *fallback);

/* True if tag is a supported language ("ar", "en"). */
int		 i18n_supported(const char *tag);

/* The text in language lang (a supported tag); never NULL. */
const char	*i18n_text(const char *lang, enum i18n_text which);

#endif
