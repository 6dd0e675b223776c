-- wrk script: a flood of comments from one address (every connection is
-- 127.0.0.1), the same JSON submission again and again to news-00001
-- (a body of BENCH_POST_BODIES, as random-post.lua).  Counts the
-- answers by status and prints them at the end:
--   flood: accepted N refused N other N
-- (accepted: 201/202; refused: 429).

local bodies = dofile(os.getenv("BENCH_POST_BODIES"))
local headers = { ["Content-Type"] = "application/json" }
local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	accepted, refused, other = 0, 0, 0
	req = wrk.format("POST", "/api/v1/articles/news-00001/comments",
	    headers, bodies[1])
end

function request()
	return req
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
