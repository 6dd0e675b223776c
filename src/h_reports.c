/*
 * h_reports.c - a reader flags a published comment.
 *
 * Reports are counted per comment, once per reader (a keyed hash of the
 * reader's address, an IPv6 /64 being one reader: token_reporter()), in
 * one statement that also, when the comment reaches
 * COMMENTD_REPORT_THRESHOLD, flags it and (COMMENTD_REPORT_ACTION
 * unpublish) sends it back to the moderation queue.  That changes what
 * readers see, so the article's cached answers are dropped before the
 * reader is answered.  A reader's reports have their own bucket
 * (COMMENTD_REPORT_RATE), taken before any other work.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "ctx.h"
#include "db.h"
#include "gen.h"
#include "i18n.h"
#include "req.h"
#include "routes.h"
#include "token.h"
#include "validate.h"

static void	report_cb(const struct db_result *, void *);

void
h_comment_report(struct req *r)
{
	const struct ctx	*ctx = r->ctx;
	const char		*id, *params[5];
	char			 idbuf[24], reader[NETADDR_KEY_MAX];
	char			 who[TOKEN_HASH_HEX_SIZE];
	char			 threshold[16], *reason;
	json_t			*fields = NULL;
	int64_t			 v;

	if (!req_rate_take(r, ctx->report_rl, NULL))
		return;
	id = router_param(&r->params, "id", NULL);
	if (id == NULL || !validate_id(id, &v)) {
		req_reply_error(r, 404, "not_found", "no such comment");
		return;
	}
	reason = validate_reason(json_object_get(r->body, "reason"), &fields);
	if (fields != NULL) {
		req_reply_fields_new(r, 422, "validation_failed", fields,
		    "a reason is optional text of at most %d characters",
		    VALIDATE_REASON_MAX_CHARS);
		return;
	}
	/* Readers whose address is unknown ("") count as one. */
	req_reader_key(r, reader);
	token_reporter(ctx->token_secret, ctx->token_secret_len, reader,
	    who);
	snprintf(idbuf, sizeof idbuf, "%" PRId64, v);
	snprintf(threshold, sizeof threshold, "%d",
	    r->ctx->cfg->report_threshold);
	params[0] = idbuf;
	params[1] = who;
	params[2] = reason;
	params[3] = threshold;
	params[4] = ctx->cfg->report_action;
	/* db_query copies the parameters. */
	db_query(r->ctx->db, SQL_COMMENT_REPORT, params, 5, report_cb, r);
	free(reason);
}

static void
report_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	const char	*lang, *status, *key;
	bool		 counted;

	req_add_header(r, "Cache-Control", "no-store");
	if (!req_found(r, res, "comment"))
		return;
	counted = db_result_int(res, 0, "counted") > 0;
	status = db_result_value(res, 0, db_result_column(res, "status"));
	key = db_result_value(res, 0, db_result_column(res, "article"));
	if (counted && strcmp(status, "pending") == 0 && key != NULL)
		gen_bump_article(key, strlen(key));
	lang = i18n_pick_lang(req_header(r, "Accept-Language"),
	    r->ctx->cfg->default_lang);
	/* 202: a new report taken; 200: this reader's report was already
	 * counted, or the comment is already under review. */
	req_reply_json_new(r, counted ? 202 : 200, json_pack(
	    "{s:{s:I, s:I}, s:s}", "report",
	    "comment_id", (json_int_t)db_result_int(res, 0, "id"),
	    "reports", (json_int_t)db_result_int(res, 0, "reports"),
	    "notice", i18n_text(lang, I18N_NOTICE_REPORTED)));
}
