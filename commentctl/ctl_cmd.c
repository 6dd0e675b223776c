/*
 * ctl_cmd.c - commentctl's subcommands, but watch (see ctl_cmd.h).
 *
 * Lists are read page by page (keyset: each answer's "next" is the
 * "before" of the following request).  With --json their items are
 * written as they arrive, as one JSON array, so `queue --all` on a long
 * queue holds one page at a time; a table needs every row before it can
 * align them.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_args.h"
#include "ctl_cmd.h"
#include "ctl_http.h"
#include "ctl_print.h"
#include "moderation.h"
#include "xmalloc.h"

#define CTL_API		"/api/v1/admin"
/* --limit: the server refuses more than its page-size-max anyway. */
#define CTL_LIMIT_MAX	1000

/* Where list items go: a table, or (--json) one JSON array. */
struct ctl_out {
	struct ctl_table	*table;		/* NULL with --json */
	size_t			 n;		/* items written as JSON */
};

typedef void	(*ctl_item_cb)(struct ctl_ctx *, const json_t *,
		    struct ctl_out *);

static const char *status_choices(char *, size_t, const char *);
static int	 ctl_failed(const char *, const char *,
		    const struct ctl_resp *);
static int	 ctl_get(struct ctl_ctx *, const char *, struct ctl_resp *);
static void	 ctl_query_add(struct ctl_ctx *, char **, const char *,
		    const char *);
static int	 ctl_limit_ok(const struct ctl_ctx *);
static int	 ctl_pages(struct ctl_ctx *, const char *, const char *,
		    ctl_item_cb, struct ctl_out *);
static void	 ctl_out_json(const json_t *, struct ctl_out *);
static void	 ctl_out_end(struct ctl_ctx *, struct ctl_out *, int);
static void	 ctl_dump(const json_t *);
static const char *member_string(const json_t *, const char *);
static const char *or_dash(const char *);
static long long member_int(const json_t *, const char *);
static void	 queue_row(struct ctl_ctx *, const json_t *, struct ctl_out *);
static char	*queue_flags(const json_t *);
static void	 show_field(const char *, const char *, ...) CS_PRINTF(2, 3);
static void	 show_comment(struct ctl_ctx *, const json_t *);
static void	 show_history(const json_t *);
static void	 show_reasons(const json_t *);
static json_t	*action_body(const struct ctl_ctx *);
static int	 action_failed(long long, const char *, const json_t *);
static int	 action_one(struct ctl_ctx *, const char *, long long,
		    json_t *);
static int	 action_batch(struct ctl_ctx *, const char *,
		    const long long *, size_t, json_t *);
static void	 article_row(struct ctl_ctx *, const json_t *,
		    struct ctl_out *);

void
ctl_vwarn(const char *fmt, va_list ap)
{
	/* What came before on stdout first, when both go to one place. */
	fflush(stdout);
	fputs("commentctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
ctl_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ctl_vwarn(fmt, ap);
	va_end(ap);
}

/* A string member of obj, or NULL. */
static const char *
member_string(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* s, or "-" for a field the answer did not have (printf's %s). */
static const char *
or_dash(const char *s)
{
	return s != NULL ? s : "-";
}

/* An integer member of obj, or 0. */
static long long
member_int(const json_t *obj, const char *key)
{
	return (long long)json_integer_value(json_object_get(obj, key));
}

/*
 * "pending, approved, rejected, spam or deleted", or with extra,
 * "pending, ..., deleted or EXTRA": the statuses, for messages.
 */
static const char *
status_choices(char *buf, size_t size, const char *extra)
{
	int	i, n = MOD_STATUS_COUNT + (extra != NULL);
	size_t	len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i == 0 ? "" : i + 1 < n ? ", " : " or ",
		    i < MOD_STATUS_COUNT ?
		    mod_status_name((enum mod_status)i) : extra);
	return buf;
}

/* Says why method path did not work out; the exit status it means. */
static int
ctl_failed(const char *method, const char *path, const struct ctl_resp *resp)
{
	char	 why[512];

	ctl_resp_describe(resp, why, sizeof why);
	ctl_warn("%s %s: %s", method, path, why);
	return resp->status == 409 ? CTL_EXIT_CONFLICT : CTL_EXIT_ERROR;
}

/*
 * GETs path, which must answer 200 with a JSON object: 0, and resp to
 * clear; or, after a message, the exit status (resp already cleared).
 */
static int
ctl_get(struct ctl_ctx *c, const char *path, struct ctl_resp *resp)
{
	int	 rc;

	if (ctl_http_get(c->http, path, resp) == 0 && resp->status == 200) {
		if (json_is_object(resp->json))
			return CTL_EXIT_OK;
		ctl_warn("GET %s: the answer is not a JSON object", path);
		rc = CTL_EXIT_ERROR;
	} else
		rc = ctl_failed("GET", path, resp);
	ctl_resp_clear(resp);
	return rc;
}

/* Adds name=value (percent-encoded) to the query of *path, if value. */
static void
ctl_query_add(struct ctl_ctx *c, char **path, const char *name,
    const char *value)
{
	char	*v, *p;

	if (value == NULL)
		return;
	v = ctl_http_escape(c->http, value);
	xasprintf(&p, "%s%c%s=%s", *path, strchr(*path, '?') != NULL ? '&' :
	    '?', name, v);
	free(v);
	free(*path);
	*path = p;
}

/* 0 if --limit is absent or a number the server may take. */
static int
ctl_limit_ok(const struct ctl_ctx *c)
{
	const char	*v = c->args->opt[CTL_OPT_LIMIT];
	long long	 n;

	if (v == NULL || ctl_parse_count(v, CTL_LIMIT_MAX, &n))
		return CTL_EXIT_OK;
	ctl_warn("--limit must be a number from 1 to %d", CTL_LIMIT_MAX);
	return CTL_EXIT_USAGE;
}

/*
 * GETs the list at path (with its query) and, with --all, every page
 * after it; each element of the answer's array key goes to cb.
 */
static int
ctl_pages(struct ctl_ctx *c, const char *path, const char *key,
    ctl_item_cb cb, struct ctl_out *out)
{
	struct ctl_resp	 resp;
	const json_t	*items, *item;
	const char	*next;
	char		*page, *cursor = NULL;
	size_t		 i;
	int		 rc;
	bool		 all = c->args->opt[CTL_OPT_ALL] != NULL;

	page = xstrdup(path);
	for (;;) {
		if ((rc = ctl_get(c, page, &resp)) != CTL_EXIT_OK)
			break;
		items = json_object_get(resp.json, key);
		if (!json_is_array(items)) {
			ctl_warn("GET %s: the answer has no \"%s\" list", page,
			    key);
			ctl_resp_clear(&resp);
			rc = CTL_EXIT_ERROR;
			break;
		}
		json_array_foreach(items, i, item)
			cb(c, item, out);
		free(cursor);
		cursor = NULL;
		/* An empty page with a cursor would loop for ever. */
		next = member_string(resp.json, "next");
		if (next != NULL && json_array_size(items) > 0)
			cursor = xstrdup(next);
		ctl_resp_clear(&resp);
		if (!all || cursor == NULL)
			break;
		free(page);
		page = xstrdup(path);
		ctl_query_add(c, &page, "before", cursor);
	}
	free(cursor);
	free(page);
	return rc;
}

static void
ctl_out_json(const json_t *item, struct ctl_out *out)
{
	fputs(out->n == 0 ? "[\n" : ",\n", stdout);
	json_dumpf(item, stdout, JSON_COMPACT);
	out->n++;
}

/*
 * Ends a list: the table is printed, the JSON array closed.  After an
 * error the table is not printed and the array is left open, so what a
 * script reads is plainly not the whole list.
 */
static void
ctl_out_end(struct ctl_ctx *c, struct ctl_out *out, int rc)
{
	if (rc == CTL_EXIT_OK) {
		if (c->json)
			fputs(out->n == 0 ? "[]\n" : "\n]\n", stdout);
		else
			ctl_table_print(out->table, stdout);
	}
	ctl_table_free(out->table);
	out->table = NULL;
}

static void
ctl_dump(const json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
}

/* -- queue ----------------------------------------------------------------- */

enum { Q_ID, Q_AGE, Q_ARTICLE, Q_AUTHOR, Q_STATUS, Q_FLAGS, Q_BODY, Q_NCOLS };

/* "reply" for a reply, then the spam flags; "-" for none. */
static char *
queue_flags(const json_t *item)
{
	const json_t	*flags, *f;
	char		*s = NULL, *t;
	size_t		 i;

	if (json_is_object(json_object_get(item, "parent")))
		s = xstrdup("reply");
	flags = json_object_get(item, "spam_flags");
	json_array_foreach(flags, i, f) {
		if (!json_is_string(f))
			continue;
		xasprintf(&t, "%s%s%s", s != NULL ? s : "", s != NULL ? "," :
		    "", json_string_value(f));
		free(s);
		s = t;
	}
	return s != NULL ? s : xstrdup("-");
}

static void
queue_row(struct ctl_ctx *c, const json_t *item, struct ctl_out *out)
{
	const char	*cells[Q_NCOLS];
	char		 id[24], age[16], *flags;

	if (c->json) {
		ctl_out_json(item, out);
		return;
	}
	snprintf(id, sizeof id, "%lld", member_int(item, "id"));
	ctl_age(member_string(item, "created_at"), c->now, age, sizeof age);
	flags = queue_flags(item);
	cells[Q_ID] = id;
	cells[Q_AGE] = age;
	cells[Q_ARTICLE] = member_string(json_object_get(item, "article"),
	    "key");
	cells[Q_AUTHOR] = member_string(item, "author");
	cells[Q_STATUS] = member_string(item, "status");
	cells[Q_FLAGS] = flags;
	cells[Q_BODY] = member_string(item, "body");
	ctl_table_add(out->table, cells);
	free(flags);
}

int
ctl_cmd_queue(struct ctl_ctx *c)
{
	static const char *const headers[Q_NCOLS] = { "ID", "AGE",
	    "ARTICLE", "AUTHOR", "STATUS", "FLAGS", "BODY" };
	const char *const	*opt = c->args->opt;
	struct ctl_out		 out = { NULL, 0 };
	char			*path, choices[128];
	int			 rc;

	if (opt[CTL_OPT_STATUS] != NULL &&
	    strcmp(opt[CTL_OPT_STATUS], "all") != 0 &&
	    !mod_status_valid(opt[CTL_OPT_STATUS])) {
		ctl_warn("--status must be %s", status_choices(choices,
		    sizeof choices, "all"));
		return CTL_EXIT_USAGE;
	}
	if ((rc = ctl_limit_ok(c)) != CTL_EXIT_OK)
		return rc;
	path = xstrdup(CTL_API "/comments");
	ctl_query_add(c, &path, "status", opt[CTL_OPT_STATUS]);
	ctl_query_add(c, &path, "article", opt[CTL_OPT_ARTICLE]);
	ctl_query_add(c, &path, "q", opt[CTL_OPT_QUERY]);
	ctl_query_add(c, &path, "flag", opt[CTL_OPT_FLAG]);
	ctl_query_add(c, &path, "limit", opt[CTL_OPT_LIMIT]);
	if (!c->json) {
		out.table = ctl_table_new(Q_NCOLS, headers);
		ctl_table_limit(out.table, Q_ARTICLE, 24);
		ctl_table_limit(out.table, Q_AUTHOR, 16);
		ctl_table_limit(out.table, Q_FLAGS, 16);
		ctl_table_limit(out.table, Q_BODY, 50);
	}
	rc = ctl_pages(c, path, "comments", queue_row, &out);
	ctl_out_end(c, &out, rc);
	free(path);
	return rc;
}

/* -- show ------------------------------------------------------------------ */

/* "label     value", the value made one clean line. */
static void
show_field(const char *label, const char *fmt, ...)
{
	va_list	 ap;
	char	*raw, *v;

	va_start(ap, fmt);
	if (vasprintf(&raw, fmt, ap) == -1)
		raw = NULL;
	va_end(ap);
	if (raw == NULL)
		return;
	v = ctl_cell(raw, 0);
	printf("%-14s %s\n", label, v);
	free(v);
	free(raw);
}

/* Why a rule acted, one line per reason code, with its detail. */
static void
show_reasons(const json_t *details)
{
	const char	*code;
	const json_t	*d;
	char		*text;

	json_object_foreach((json_t *)details, code, d) {
		if (json_is_string(d)) {
			text = ctl_text(json_string_value(d));
			show_field("reason", "%s: \"%s\"", code, text);
			free(text);
		} else if (json_is_integer(d) && strcmp(code, "links") == 0)
			show_field("reason", "%s: %lld links", code,
			    (long long)json_integer_value(d));
		else if (json_is_integer(d) &&
		    strcmp(code, "duplicate_wave") == 0)
			show_field("reason", "%s: the same text as comment "
			    "%lld", code, (long long)json_integer_value(d));
		else if (json_is_integer(d))
			show_field("reason", "%s: ban %lld", code,
			    (long long)json_integer_value(d));
		else if (json_is_object(d))
			show_field("reason", "%s: approved %lld, rejected "
			    "%lld, spam %lld", code, member_int(d, "approved"),
			    member_int(d, "rejected"), member_int(d, "spam"));
		else
			show_field("reason", "%s", code);
	}
}

static void
show_comment(struct ctl_ctx *c, const json_t *m)
{
	const json_t	*art = json_object_get(m, "article");
	const json_t	*parent = json_object_get(m, "parent");
	const json_t	*hist = json_object_get(m, "author_history");
	const char	*s, *title, *email;
	char		 age[16], *body, *line, *nl;

	show_field("comment", "%lld (%s)", member_int(m, "id"),
	    or_dash(member_string(m, "status")));
	title = member_string(art, "title");
	show_field("article", "%s%s%s", or_dash(member_string(art, "key")),
	    title != NULL ? "  " : "", title != NULL ? title : "");
	if ((s = member_string(art, "url")) != NULL)
		show_field("url", "%s", s);
	email = member_string(m, "email");
	show_field("author", "%s%s%s%s", or_dash(member_string(m, "author")),
	    email != NULL ? " <" : "", email != NULL ? email : "",
	    email != NULL ? ">" : "");
	show_field("earlier", "approved %lld, rejected %lld, spam %lld%s",
	    member_int(hist, "approved"), member_int(hist, "rejected"),
	    member_int(hist, "spam"), json_is_true(json_object_get(m,
	    "author_trusted")) ? " (trusted author)" : "");
	ctl_age(member_string(m, "created_at"), c->now, age, sizeof age);
	show_field("created", "%s (%s ago)",
	    or_dash(member_string(m, "created_at")), age);
	if ((s = member_string(m, "moderated_at")) != NULL)
		show_field("moderated", "%s by %s", s,
		    or_dash(member_string(m, "moderated_by")));
	if (json_is_object(parent))
		show_field("reply to", "%lld (%s): %s",
		    member_int(parent, "id"),
		    or_dash(member_string(parent, "author")),
		    or_dash(member_string(parent, "excerpt")));
	if ((s = member_string(m, "ip")) != NULL)
		show_field("ip", "%s", s);
	if ((s = member_string(m, "user_agent")) != NULL)
		show_field("agent", "%s", s);
	/* Absent (not null): the server keeps them from this account. */
	if (json_object_get(m, "ip") == NULL)
		show_field("personal", "e-mail, address and agent hidden "
		    "(admins only)");
	if (json_real_value(json_object_get(m, "spam_score")) > 0 ||
	    json_array_size(json_object_get(m, "spam_flags")) > 0) {
		line = queue_flags(m);
		show_field("spam", "score %g, flags %s",
		    json_real_value(json_object_get(m, "spam_score")), line);
		free(line);
	}
	show_reasons(json_object_get(m, "flag_details"));
	/* The body as written, each line indented. */
	putchar('\n');
	s = member_string(m, "body");
	body = ctl_text(s != NULL ? s : "");
	for (line = body; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		printf("    %s\n", line);
	}
	free(body);
	putchar('\n');
}

static void
show_history(const json_t *events)
{
	static const char *const headers[] = { "WHEN", "BY", "ACTION",
	    "FROM", "TO", "REASON" };
	struct ctl_table	*t;
	const json_t		*ev;
	const char		*cells[6];
	size_t			 i;

	if (json_array_size(events) == 0) {
		printf("history: none\n");
		return;
	}
	printf("history:\n");
	t = ctl_table_new(6, headers);
	json_array_foreach(events, i, ev) {
		cells[0] = member_string(ev, "created_at");
		cells[1] = member_string(ev, "actor");
		cells[2] = member_string(ev, "action");
		cells[3] = member_string(ev, "from_status");
		cells[4] = member_string(ev, "to_status");
		cells[5] = member_string(ev, "reason");
		ctl_table_add(t, cells);
	}
	ctl_table_print(t, stdout);
	ctl_table_free(t);
}

int
ctl_cmd_show(struct ctl_ctx *c)
{
	struct ctl_resp	 item, hist;
	const json_t	*comment, *events;
	json_t		*both;
	char		*path, *hpath;
	long long	 id;
	int		 rc;

	if (!ctl_parse_id(c->args->words[1], &id)) {
		ctl_warn("bad comment id \"%s\"", c->args->words[1]);
		return CTL_EXIT_USAGE;
	}
	xasprintf(&path, CTL_API "/comments/%lld", id);
	xasprintf(&hpath, CTL_API "/comments/%lld/history", id);
	if ((rc = ctl_get(c, path, &item)) != CTL_EXIT_OK)
		goto out;
	if ((rc = ctl_get(c, hpath, &hist)) != CTL_EXIT_OK) {
		ctl_resp_clear(&item);
		goto out;
	}
	comment = json_object_get(item.json, "comment");
	events = json_object_get(hist.json, "events");
	if (!json_is_object(comment) || !json_is_array(events)) {
		ctl_warn("GET %s: not the answer of a comment", path);
		rc = CTL_EXIT_ERROR;
	} else if (c->json) {
		both = json_pack("{s:O, s:O}", "comment", comment, "history",
		    events);
		ctl_dump(both);
		json_decref(both);
	} else {
		show_comment(c, comment);
		show_history(events);
	}
	ctl_resp_clear(&item);
	ctl_resp_clear(&hist);
out:
	free(path);
	free(hpath);
	return rc;
}

/* -- approve, reject, spam, delete, restore -------------------------------- */

/* {"reason"?, "from"?} from the options; NULL if not UTF-8. */
static json_t *
action_body(const struct ctl_ctx *c)
{
	const char *const	*opt = c->args->opt;
	json_t			*body, *v;

	body = json_object();
	if (opt[CTL_OPT_REASON] != NULL) {
		/* jansson takes valid UTF-8 only (a Latin-1 terminal). */
		if ((v = json_string(opt[CTL_OPT_REASON])) == NULL) {
			json_decref(body);
			return NULL;
		}
		json_object_set_new(body, "reason", v);
	}
	if (opt[CTL_OPT_FROM] != NULL)
		json_object_set_new(body, "from",
		    json_string(opt[CTL_OPT_FROM]));
	return body;
}

/*
 * The line of a comment an action did not move, with its current state
 * if the server sent it; the exit status it means.
 */
static int
action_failed(long long id, const char *why, const json_t *error)
{
	const json_t	*cur = json_object_get(error, "current");
	const char	*st = member_string(cur, "status"), *by, *code;

	by = member_string(cur, "moderated_by");
	if (st != NULL)
		ctl_warn("%lld: %s (%s%s%s)", id, why, st,
		    by != NULL ? " by " : "", by != NULL ? by : "");
	else
		ctl_warn("%lld: %s", id, why);
	code = member_string(error, "code");
	return code != NULL && strcmp(code, "conflict") == 0 ?
	    CTL_EXIT_CONFLICT : CTL_EXIT_ERROR;
}

/* One id: POST .../comments/ID/ACTION. */
static int
action_one(struct ctl_ctx *c, const char *action, long long id,
    json_t *body)
{
	struct ctl_resp	 resp;
	char		*path, why[512];
	int		 rc = CTL_EXIT_OK;

	xasprintf(&path, CTL_API "/comments/%lld/%s", id, action);
	if (ctl_http_post(c->http, path, body, &resp) == 0 &&
	    resp.status == 200)
		printf("%lld %s\n", id, or_dash(member_string(
		    json_object_get(resp.json, "comment"), "status")));
	else {
		ctl_resp_describe(&resp, why, sizeof why);
		rc = action_failed(id, why, json_object_get(resp.json,
		    "error"));
		if (resp.status == 409)
			rc = CTL_EXIT_CONFLICT;
	}
	ctl_resp_clear(&resp);
	free(path);
	return rc;
}

/*
 * Several ids: POST .../comments/batch, MOD_BATCH_MAX at a time.  Any
 * failure but a conflict makes the status 1; else any conflict 3.
 */
static int
action_batch(struct ctl_ctx *c, const char *action, const long long *ids,
    size_t n, json_t *body)
{
	struct ctl_resp	 resp;
	const json_t	*results, *r, *err;
	json_t		*list;
	char		*why;
	size_t		 off, i;
	bool		 failed = false, conflict = false;

	json_object_set_new(body, "action", json_string(action));
	for (off = 0; off < n; off += MOD_BATCH_MAX) {
		list = json_array();
		for (i = off; i < n && i < off + MOD_BATCH_MAX; i++)
			json_array_append_new(list, json_integer(ids[i]));
		json_object_set_new(body, "ids", list);
		if (ctl_http_post(c->http, CTL_API "/comments/batch", body,
		    &resp) != 0 || resp.status != 200 || !json_is_array(
		    results = json_object_get(resp.json, "results"))) {
			if (resp.status == 200)
				ctl_warn("POST %s: the answer has no results",
				    CTL_API "/comments/batch");
			else
				ctl_failed("POST", CTL_API "/comments/batch",
				    &resp);
			ctl_resp_clear(&resp);
			return CTL_EXIT_ERROR;
		}
		json_array_foreach(results, i, r) {
			if (json_is_true(json_object_get(r, "ok"))) {
				printf("%lld %s\n", member_int(r, "id"),
				    or_dash(member_string(r, "status")));
				continue;
			}
			err = json_object_get(r, "error");
			xasprintf(&why, "%s: %s",
			    or_dash(member_string(err, "code")),
			    or_dash(member_string(err, "message")));
			if (action_failed(member_int(r, "id"), why, err) ==
			    CTL_EXIT_CONFLICT)
				conflict = true;
			else
				failed = true;
			free(why);
		}
		ctl_resp_clear(&resp);
	}
	return failed ? CTL_EXIT_ERROR : conflict ? CTL_EXIT_CONFLICT :
	    CTL_EXIT_OK;
}

int
ctl_cmd_action(struct ctl_ctx *c)
{
	const struct ctl_args	*a = c->args;
	const char		*action = a->words[0];
	const char		*from = a->opt[CTL_OPT_FROM];
	long long		*ids;
	json_t			*body;
	size_t			 n = a->nwords - 1, i;
	int			 rc;
	char			 choices[128];

	if (from != NULL && n != 1) {
		ctl_warn("--from takes one comment id");
		return CTL_EXIT_USAGE;
	}
	if (from != NULL && !mod_status_valid(from)) {
		ctl_warn("--from must be %s", status_choices(choices,
		    sizeof choices, NULL));
		return CTL_EXIT_USAGE;
	}
	ids = xcalloc(n, sizeof *ids);
	for (i = 0; i < n; i++) {
		if (!ctl_parse_id(a->words[i + 1], &ids[i])) {
			ctl_warn("bad comment id \"%s\"", a->words[i + 1]);
			free(ids);
			return CTL_EXIT_USAGE;
		}
	}
	if ((body = action_body(c)) == NULL) {
		ctl_warn("--reason is not UTF-8 text");
		free(ids);
		return CTL_EXIT_USAGE;
	}
	if (n == 1)
		rc = action_one(c, action, ids[0], body);
	else
		rc = action_batch(c, action, ids, n, body);
	json_decref(body);
	free(ids);
	return rc;
}

/* -- articles -------------------------------------------------------------- */

enum { A_KEY, A_MODE, A_PENDING, A_APPROVED, A_AGE, A_TITLE, A_NCOLS };

static void
article_row(struct ctl_ctx *c, const json_t *art, struct ctl_out *out)
{
	const char	*cells[A_NCOLS];
	char		 pending[24], approved[24], age[16];

	if (c->json) {
		ctl_out_json(art, out);
		return;
	}
	snprintf(pending, sizeof pending, "%lld", member_int(art, "pending"));
	snprintf(approved, sizeof approved, "%lld",
	    member_int(art, "approved"));
	ctl_age(member_string(art, "created_at"), c->now, age, sizeof age);
	cells[A_KEY] = member_string(art, "key");
	cells[A_MODE] = member_string(art, "mode");
	cells[A_PENDING] = pending;
	cells[A_APPROVED] = approved;
	cells[A_AGE] = age;
	cells[A_TITLE] = member_string(art, "title");
	ctl_table_add(out->table, cells);
}

int
ctl_cmd_articles(struct ctl_ctx *c)
{
	static const char *const headers[A_NCOLS] = { "KEY", "MODE",
	    "PENDING", "APPROVED", "AGE", "TITLE" };
	const char *const	*opt = c->args->opt;
	struct ctl_out		 out = { NULL, 0 };
	char			*path;
	int			 rc;

	if ((rc = ctl_limit_ok(c)) != CTL_EXIT_OK)
		return rc;
	path = xstrdup(CTL_API "/articles");
	ctl_query_add(c, &path, "q", opt[CTL_OPT_QUERY]);
	ctl_query_add(c, &path, "limit", opt[CTL_OPT_LIMIT]);
	if (!c->json) {
		out.table = ctl_table_new(A_NCOLS, headers);
		ctl_table_limit(out.table, A_KEY, 40);
		ctl_table_limit(out.table, A_TITLE, 50);
	}
	rc = ctl_pages(c, path, "articles", article_row, &out);
	ctl_out_end(c, &out, rc);
	free(path);
	return rc;
}

/* -- stats ----------------------------------------------------------------- */

int
ctl_cmd_stats(struct ctl_ctx *c)
{
	static const char *const headers[] = { "STATUS", "COMMENTS" };
	struct ctl_resp		 resp;
	struct ctl_table	*t;
	const json_t		*counts, *v;
	const char		*cells[2], *who, *oldest;
	char			 n[24], age[16], *decided, *line;
	size_t			 i;
	int			 rc;

	if ((rc = ctl_get(c, CTL_API "/stats", &resp)) != CTL_EXIT_OK)
		return rc;
	if (c->json) {
		ctl_dump(resp.json);
		ctl_resp_clear(&resp);
		return CTL_EXIT_OK;
	}
	counts = json_object_get(resp.json, "counts");
	t = ctl_table_new(2, headers);
	for (i = 0; i < MOD_STATUS_COUNT; i++) {
		cells[0] = mod_status_name((enum mod_status)i);
		snprintf(n, sizeof n, "%lld", member_int(counts, cells[0]));
		cells[1] = n;
		ctl_table_add(t, cells);
	}
	ctl_table_print(t, stdout);
	ctl_table_free(t);
	putchar('\n');
	if ((oldest = member_string(resp.json, "oldest_pending_at")) != NULL) {
		ctl_age(oldest, c->now, age, sizeof age);
		show_field("oldest pending", "%s (%s ago)", oldest, age);
	} else
		show_field("oldest pending", "none");
	/* "laila 31, sam 4": decisions per moderator since midnight. */
	decided = NULL;
	json_object_foreach(json_object_get(resp.json, "decisions_today"),
	    who, v) {
		xasprintf(&line, "%s%s%s %lld", decided != NULL ? decided : "",
		    decided != NULL ? ", " : "", who,
		    (long long)json_integer_value(v));
		free(decided);
		decided = line;
	}
	show_field("decided today", "%s", decided != NULL ? decided : "none");
	free(decided);
	ctl_resp_clear(&resp);
	return CTL_EXIT_OK;
}

/* -- tokens ---------------------------------------------------------------- */

enum { T_ID, T_MODERATOR, T_KIND, T_AGE, T_EXPIRES, T_CURRENT, T_LABEL,
    T_NCOLS };

static void
token_row(struct ctl_ctx *c, const json_t *tok, struct ctl_out *out)
{
	const char	*cells[T_NCOLS], *exp;
	char		 id[24], age[16], day[16];

	if (c->json) {
		ctl_out_json(tok, out);
		return;
	}
	snprintf(id, sizeof id, "%lld", member_int(tok, "id"));
	ctl_age(member_string(tok, "created_at"), c->now, age, sizeof age);
	/* The day is enough: "2027-12-08". */
	exp = member_string(tok, "expires_at");
	snprintf(day, sizeof day, "%.10s", exp != NULL ? exp : "-");
	cells[T_ID] = id;
	cells[T_MODERATOR] = member_string(tok, "moderator");
	cells[T_KIND] = member_string(tok, "kind");
	cells[T_AGE] = age;
	cells[T_EXPIRES] = day;
	cells[T_CURRENT] = json_is_true(json_object_get(tok, "current")) ?
	    "*" : NULL;
	cells[T_LABEL] = member_string(tok, "label");
	ctl_table_add(out->table, cells);
}

/* tokens revoke ID...: one DELETE each; "token 12 revoked" on stdout. */
static int
tokens_revoke(struct ctl_ctx *c)
{
	const struct ctl_args	*a = c->args;
	struct ctl_resp		 resp;
	long long		 id;
	char			*path;
	size_t			 i;
	int			 rc = CTL_EXIT_OK, one;

	if (a->nwords < 3) {
		ctl_warn("tokens revoke: which token id?");
		return CTL_EXIT_USAGE;
	}
	for (i = 2; i < a->nwords; i++) {
		if (!ctl_parse_id(a->words[i], &id)) {
			ctl_warn("bad token id \"%s\"", a->words[i]);
			return CTL_EXIT_USAGE;
		}
	}
	for (i = 2; i < a->nwords; i++) {
		(void)ctl_parse_id(a->words[i], &id);
		xasprintf(&path, CTL_API "/tokens/%lld", id);
		if (ctl_http_delete(c->http, path, &resp) == 0 &&
		    resp.status == 204)
			printf("token %lld revoked\n", id);
		else if ((one = ctl_failed("DELETE", path, &resp)) >
		    rc)
			rc = one;
		ctl_resp_clear(&resp);
		free(path);
	}
	return rc;
}

int
ctl_cmd_tokens(struct ctl_ctx *c)
{
	static const char *const headers[T_NCOLS] = { "ID", "MODERATOR",
	    "KIND", "AGE", "EXPIRES", "CURRENT", "LABEL" };
	const struct ctl_args	*a = c->args;
	struct ctl_out		 out = { NULL, 0 };
	char			*path;
	int			 rc;

	if (a->nwords > 1) {
		if (strcmp(a->words[1], "revoke") != 0) {
			ctl_warn("tokens: unknown word \"%s\" (tokens, or "
			    "tokens revoke ID...)", a->words[1]);
			return CTL_EXIT_USAGE;
		}
		if (a->opt[CTL_OPT_LIMIT] != NULL ||
		    a->opt[CTL_OPT_ALL] != NULL || c->json) {
			ctl_warn("tokens revoke takes no options");
			return CTL_EXIT_USAGE;
		}
		return tokens_revoke(c);
	}
	if ((rc = ctl_limit_ok(c)) != CTL_EXIT_OK)
		return rc;
	path = xstrdup(CTL_API "/tokens");
	ctl_query_add(c, &path, "limit", a->opt[CTL_OPT_LIMIT]);
	if (!c->json) {
		out.table = ctl_table_new(T_NCOLS, headers);
		ctl_table_limit(out.table, T_LABEL, 40);
	}
	rc = ctl_pages(c, path, "tokens", token_row, &out);
	ctl_out_end(c, &out, rc);
	free(path);
	return rc;
}
