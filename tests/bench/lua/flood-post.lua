-- wrk script: a flood of comments from one address (every connection is
-- 127.0.0.1), one JSON submission again and again to news-00001 (a body
-- of BENCH_POST_BODIES, as random-post.lua, each time with a mark of its
-- own so that the rate limit, not the duplicate rule, answers).  Counts the
-- answers by status and prints them at the end:
--   flood: accepted N refused N other N
-- (accepted: 201/202; refused: 429).

local bodies = dofile(os.getenv("BENCH_POST_BODIES"))
local headers = { ["Content-Type"] = "application/json" }
local threads = {}

function setup(thread)
	table.insert(threads, thread)
	thread:set("tid", #threads)
end

local run, sent = os.time(), 0

function init(args)
	accepted, refused, other = 0, 0, 0
end

-- One comment text, made unique by a mark at its end: a flood of one
-- text would meet the duplicate rule (409) as well as the limit.
function request()
	sent = sent + 1
	return wrk.format("POST", "/api/v1/articles/news-00001/comments",
	    headers, string.sub(bodies[1], 1, -3) ..
	    string.format(" %d-%d-%d\"}", run, tid or 0, sent))
end

function response(status, headers, body)
	if status == 429 then
		refused = refused + 1
	elseif status == 201 or status == 202 then
		accepted = accepted + 1
	else
		other = other + 1
	end
end

function done(summary, latency, requests)
	local a, r, o = 0, 0, 0
	for _, t in ipairs(threads) do
		a = a + t:get("accepted")
		r = r + t:get("refused")
		o = o + t:get("other")
	end
	io.write(string.format("flood: accepted %d refused %d other %d\n",
	    a, r, o))
end
