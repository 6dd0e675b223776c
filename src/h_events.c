/*
 * h_events.c - GET /api/v1/admin/events: a moderator's live stream.
 */
#include <stdint.h>

#include "ctx.h"
#include "req.h"
#include "routes.h"
#include "sse.h"
#include "validate.h"

void
h_admin_events(struct req *r)
{
	const char	*last;
	int64_t		 id = -1;

	/* EventSource resends the last id it saw when it reconnects;
	 * "0" asks for every event still on record. */
	last = req_header(r, "Last-Event-ID");
	if (last == NULL)
		last = req_query(r, "last_event_id");
	if (last != NULL && last[0] == '0' && last[1] == '\0')
		id = 0;
	else if (last != NULL && !validate_id(last, &id))
		id = -1;
	sse_hub_open(r->ctx->sse, r, id);
}
