/*
 * h_admin_rules.c - the site's rules that moderators manage: the word
 * lists (admins) and bans (any moderator).
 *
 * A word is checked the way the workers will load it (a throw-away
 * wordlist_add), and kept with its folded form, which is unique: two
 * entries that fold alike are one.  Every worker reloads its lists when
 * the table's trigger announces a change (words.c).  Bans are read by
 * the submission's own statement, so they apply at once.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth.h"
#include "ctx.h"
#include "db.h"
#include "fold.h"
#include "netaddr.h"
#include "req.h"
#include "routes.h"
#include "rules.h"
#include "text.h"
#include "validate.h"
#include "wordlist.h"
#include "xmalloc.h"

#define WORD_MAX_CHARS		200
#define EMAIL_MAX_CHARS		254

static void	words_list_cb(const struct db_result *, void *);
static void	word_add_cb(const struct db_result *, void *);
static void	deleted_cb(const struct db_result *, void *);
static void	bans_list_cb(const struct db_result *, void *);
static void	ban_add_cb(const struct db_result *, void *);

/* A row of WORD_COLUMNS or BAN_COLUMNS (sql.c) as JSON, by name. */
static json_t *
row_json(const struct db_result *res, int row, const void *arg)
{
	const char *const	*cols = arg;
	json_t			*o = json_object();

	for (; *cols != NULL; cols++) {
		if (strcmp(*cols, "id") == 0)
			json_object_set_new(o, "id", json_integer(
			    (json_int_t)db_result_int(res, row, "id")));
		else
			json_object_set_new(o, *cols,
			    db_result_json(res, row, *cols));
	}
	return o;
}

static const char *const word_cols[] = {
	"id", "word", "list", "created_at", "created_by", NULL
};
static const char *const ban_cols[] = {
	"id", "kind", "value", "expires_at", "reason", "created_at",
	"created_by", NULL
};

/*
 * A ban as JSON.  *arg false (auth_sees_personal_data): the value of a
 * ban by address or e-mail is a commenter's personal data, and is left
 * out; a moderator can still ban a comment's author by its id.
 */
static json_t *
ban_row(const struct db_result *res, int row, const void *arg)
{
	const bool	*personal = arg;
	const char	*kind;
	json_t		*o = row_json(res, row, ban_cols);

	kind = db_result_value(res, row, db_result_column(res, "kind"));
	if (!*personal && kind != NULL && strcmp(kind, "email_domain") != 0)
		json_object_del(o, "value");
	return o;
}

/* The :id of the path, as text; false after replying 404. */
static bool
path_id(struct req *r, char *buf, size_t size, const char *what)
{
	int64_t	id;

	if (!validate_id(router_param(&r->params, "id", NULL), &id)) {
		req_reply_error(r, 404, "not_found", "no such %s", what);
		return false;
	}
	snprintf(buf, size, "%" PRId64, id);
	return true;
}

/* Every key of the body is one of allowed; else 422 and false. */
static bool
known_fields(struct req *r, const char *const *allowed)
{
	const char		*key;
	const char *const	*a;
	json_t			*v;

	json_object_foreach(r->body, key, v) {
		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, key) == 0)
				break;
		if (*a == NULL) {
			req_reply_fields_new(r, 422, "validation_failed",
			    json_pack("{s:s}", key, "unknown_field"),
			    "unknown field");
			return false;
		}
	}
	return true;
}

/* -- GET /api/v1/admin/words ----------------------------------------- */

void
h_admin_words(struct req *r)
{
	const char	*list = req_query(r, "list");

	if (list != NULL && rules_list_kind(list) == 0) {
		req_reply_fields_new(r, 400, "invalid_parameter",
		    json_pack("{s:s}", "list", "invalid"),
		    "list is banned or suspect");
		return;
	}
	db_query(r->ctx->db, SQL_WORDS_LIST, &list, 1, words_list_cb, r);
}

static void
words_list_cb(const struct db_result *res, void *arg)
{
	req_reply_rows(arg, res, "words", row_json, word_cols);
}

/* -- POST /api/v1/admin/words ---------------------------------------- */

void
h_admin_word_add(struct req *r)
{
	static const char *const allowed[] = { "word", "list", NULL };
	json_t		*word, *list, *bad;
	struct wordlist	*probe;
	char		*clean = NULL, *folded;
	const char	*params[4];
	size_t		 nchars = 0;

	if (!known_fields(r, allowed))
		return;
	bad = json_object();
	word = json_object_get(r->body, "word");
	list = json_object_get(r->body, "list");
	if (!json_is_string(word))
		json_object_set_new(bad, "word", json_string(word == NULL ||
		    json_is_null(word) ? "required" : "invalid_type"));
	else if (text_clean(json_string_value(word), json_string_length(word),
	    0, &clean, &nchars) != TEXT_OK || nchars == 0)
		json_object_set_new(bad, "word", json_string("invalid"));
	else if (nchars > WORD_MAX_CHARS)
		json_object_set_new(bad, "word", json_string("too_long"));
	else {
		/* Checked as the workers will load it. */
		probe = wordlist_new();
		if (!wordlist_add(probe, clean, 1, RULES_BANNED))
			json_object_set_new(bad, "word",
			    json_string("invalid"));
		wordlist_free(probe);
	}
	if (!json_is_string(list) ||
	    rules_list_kind(json_string_value(list)) == 0)
		json_object_set_new(bad, "list", json_string(list == NULL ?
		    "required" : "invalid"));
	if (json_object_size(bad) > 0) {
		free(clean);
		req_reply_fields_new(r, 422, "validation_failed", bad,
		    "send {\"word\": a word or a phrase of up to %d words "
		    "(not one letter), \"list\": \"banned\" or \"suspect\"}",
		    WORDLIST_MAX_WORDS);
		return;
	}
	json_decref(bad);
	folded = fold_words(clean, strlen(clean), NULL);
	params[0] = clean;
	params[1] = json_string_value(list);
	params[2] = folded;
	params[3] = r->mod->name;
	db_query(r->ctx->db, SQL_WORD_ADD, params, 4, word_add_cb, r);
	free(clean);
	free(folded);
}

static void
word_add_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;

	if (db_result_status(res) != DB_OK) {
		req_reply_db_failure(r, res);
		return;
	}
	if (db_result_ntuples(res) != 1) {
		req_reply_error(r, 409, "duplicate_word",
		    "an entry that reads the same is on a list already");
		return;
	}
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 201, json_pack("{s:o}", "word",
	    row_json(res, 0, word_cols)));
}

/* -- DELETE /api/v1/admin/words/:id, /bans/:id ---------------------- */

void
h_admin_word_delete(struct req *r)
{
	char		 id[24];
	const char	*param = id;

	if (!path_id(r, id, sizeof id, "word"))
		return;
	r->data = (void *)"word";
	db_query(r->ctx->db, SQL_WORD_DELETE, &param, 1, deleted_cb, r);
}

void
h_admin_ban_delete(struct req *r)
{
	char		 id[24];
	const char	*param = id;

	if (!path_id(r, id, sizeof id, "ban"))
		return;
	r->data = (void *)"ban";
	db_query(r->ctx->db, SQL_BAN_DELETE, &param, 1, deleted_cb, r);
}

static void
deleted_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	const char	*what = r->data;

	r->data = NULL;
	if (!req_found(r, res, what))
		return;
	req_reply_empty(r, 204);
}

/* -- GET /api/v1/admin/bans ------------------------------------------ */

void
h_admin_bans(struct req *r)
{
	const char	*all = req_query(r, "all"), *param;

	if (all != NULL && strcmp(all, "true") != 0 &&
	    strcmp(all, "false") != 0) {
		req_reply_fields_new(r, 400, "invalid_parameter",
		    json_pack("{s:s}", "all", "invalid"),
		    "all is true or false");
		return;
	}
	param = all != NULL && strcmp(all, "true") == 0 ? "t" : "f";
	db_query(r->ctx->db, SQL_BANS_LIST, &param, 1, bans_list_cb, r);
}

static void
bans_list_cb(const struct db_result *res, void *arg)
{
	bool	personal = auth_sees_personal_data(arg);

	req_reply_rows(arg, res, "bans", ban_row, &personal);
}

/* -- POST /api/v1/admin/bans ----------------------------------------- */

/* An e-mail domain: labels of a-z 0-9 and '-', at least two. */
static bool
domain_ok(const char *s)
{
	size_t	i, label = 0, dots = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
			dots++;
		} else if (isalnum((unsigned char)s[i]) || s[i] == '-')
			label++;
		else
			return false;
	}
	return i <= EMAIL_MAX_CHARS && label > 0 && dots > 0;
}

/*
 * RFC 3339: YYYY-MM-DDTHH:MM:SS, optional fraction, Z or ±HH:MM, the
 * shape PostgreSQL then reads (it refuses impossible dates itself:
 * those are checked here by range).
 */
static bool
timestamp_ok(const char *s)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t			 i;

	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    (shape[i] == 'T' ? (s[i] != 'T' && s[i] != 't' &&
		    s[i] != ' ') : s[i] != shape[i]))
			return false;
	}
	if (atoi(s + 5) < 1 || atoi(s + 5) > 12 || atoi(s + 8) < 1 ||
	    atoi(s + 8) > 28 + 3 || atoi(s + 11) > 23 || atoi(s + 14) > 59 ||
	    atoi(s + 17) > 59)
		return false;
	s += i;
	if (*s == '.') {
		for (s++, i = 0; isdigit((unsigned char)*s); s++, i++)
			;
		if (i == 0 || i > 6)
			return false;
	}
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		return true;
	return (*s == '+' || *s == '-') && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && s[3] == ':' &&
	    isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) &&
	    s[6] == '\0';
}

struct ban {
	char	*value;
	char	*reason;
};

static void
ban_free(void *arg)
{
	struct ban	*b = arg;

	free(b->value);
	free(b->reason);
	free(b);
}

void
h_admin_ban_add(struct req *r)
{
	static const char *const allowed[] = { "kind", "value",
	    "comment_id", "expires_at", "reason", NULL };
	struct ban	*b;
	struct netaddr	 na;
	json_t		*kind, *value, *cid, *exp, *bad = NULL;
	const char	*k = NULL, *v = NULL, *e = NULL, *params[5];
	char		 idbuf[24];
	size_t		 i;

	if (!known_fields(r, allowed))
		return;
	b = xcalloc(1, sizeof *b);
	r->data = b;
	r->data_free = ban_free;
	b->reason = validate_reason(json_object_get(r->body, "reason"), &bad);
	if (bad == NULL)
		bad = json_object();
	exp = json_object_get(r->body, "expires_at");
	if (exp != NULL && !json_is_null(exp)) {
		if (!json_is_string(exp) ||
		    !timestamp_ok(json_string_value(exp)))
			json_object_set_new(bad, "expires_at",
			    json_string("invalid"));
		else
			e = json_string_value(exp);
	}
	cid = json_object_get(r->body, "comment_id");
	kind = json_object_get(r->body, "kind");
	value = json_object_get(r->body, "value");
	if (cid != NULL) {
		/* "Ban this author": the comment names what. */
		if (!json_is_integer(cid) || json_integer_value(cid) < 1)
			json_object_set_new(bad, "comment_id",
			    json_string("invalid"));
		if (kind != NULL || value != NULL)
			json_object_set_new(bad, kind != NULL ? "kind" :
			    "value", json_string("unknown_field"));
	} else {
		k = json_string_value(kind);
		v = json_string_value(value);
		if (k == NULL || (strcmp(k, "ip") != 0 &&
		    strcmp(k, "email") != 0 && strcmp(k, "email_domain") != 0))
			json_object_set_new(bad, "kind", json_string(
			    kind == NULL ? "required" : "invalid"));
		else if (v == NULL)
			json_object_set_new(bad, "value", json_string(
			    value == NULL ? "required" : "invalid_type"));
		else {
			b->value = xstrdup(v);
			/* E-mails and domains are kept lower case, as the
			 * submission compares them. */
			if (strcmp(k, "ip") != 0)
				for (i = 0; b->value[i] != '\0'; i++)
					b->value[i] = (char)tolower(
					    (unsigned char)b->value[i]);
			if ((strcmp(k, "ip") == 0 &&
			    !netaddr_parse(v, &na)) ||
			    (strcmp(k, "email") == 0 && !validate_email(
			    v, strlen(v), EMAIL_MAX_CHARS)) ||
			    (strcmp(k, "email_domain") == 0 &&
			    !domain_ok(b->value)))
				json_object_set_new(bad, "value",
				    json_string("invalid"));
			else if (strcmp(k, "ip") == 0) {
				/* One spelling per address: an IPv4 one
				 * written as IPv6 bans the IPv4 reader. */
				free(b->value);
				b->value = xmalloc(NETADDR_TEXT_MAX);
				netaddr_text(&na, b->value);
			}
		}
	}
	if (json_object_size(bad) > 0) {
		req_reply_fields_new(r, 422, "validation_failed", bad,
		    "send {\"kind\": \"ip\"|\"email\"|\"email_domain\", "
		    "\"value\", \"expires_at\"?, \"reason\"?} or "
		    "{\"comment_id\", \"expires_at\"?, \"reason\"?}");
		return;
	}
	json_decref(bad);
	if (cid != NULL) {
		snprintf(idbuf, sizeof idbuf, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(cid));
		params[0] = idbuf;
		params[1] = e;
		params[2] = b->reason;
		params[3] = r->mod->name;
		db_query(r->ctx->db, SQL_BAN_AUTHOR, params, 4, ban_add_cb, r);
		return;
	}
	params[0] = k;
	params[1] = b->value;
	params[2] = e;
	params[3] = b->reason;
	params[4] = r->mod->name;
	db_query(r->ctx->db, SQL_BAN_ADD, params, 5, ban_add_cb, r);
}

static void
ban_add_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	struct ban	*b = r->data;
	bool		 personal;

	if (db_result_status(res) == DB_SQL_ERROR &&
	    strncmp(db_result_sqlstate(res), "22", 2) == 0) {
		/* A value PostgreSQL reads otherwise than netaddr.c, or a
		 * date that does not exist. */
		req_reply_fields_new(r, 422, "validation_failed",
		    json_pack("{s:s}", "value", "invalid"),
		    "the value or expiry is not valid");
		return;
	}
	if (!req_found(r, res, "comment with an e-mail or address"))
		return;
	/* A value the moderator typed is theirs to see again. */
	personal = auth_sees_personal_data(r) || b->value != NULL;
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 201, json_pack("{s:o}", "ban",
	    ban_row(res, 0, &personal)));
}
