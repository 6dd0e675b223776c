-- wrk script: every request submits a comment (JSON, about 300
-- characters of Arabic) to a random article among news-00001 ..
-- news-NNNNN (BENCH_ARTICLES, default 10000).  The bodies come from the
-- Lua file named by BENCH_POST_BODIES (a list of JSON strings, written
-- by run-bench.sh from the seeded comments), each ending in the body.

local n = tonumber(os.getenv("BENCH_ARTICLES")) or 10000
local bodies = dofile(os.getenv("BENCH_POST_BODIES"))
local headers = { ["Content-Type"] = "application/json" }
local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

function init(args)
	math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

local sent = 0

-- Each body ends in a mark of its own (this run's start, the thread, a
-- count): the same text twice from one address within the duplicate
-- window is a 409, not a submission, and runs follow each other.
local run = os.time()

function request()
	local b = bodies[math.random(#bodies)]
	sent = sent + 1
	b = string.sub(b, 1, -3) ..
	    string.format(" %d-%d-%d\"}", run, tid or 0, sent)
	return wrk.format("POST", string.format(
	    "/api/v1/articles/news-%05d/comments", math.random(n)),
	    headers, b)
end
