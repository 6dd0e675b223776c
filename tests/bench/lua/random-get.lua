-- wrk script: every request reads the comments of a random article among
-- news-00001 .. news-NNNNN (BENCH_ARTICLES, default 10000).  With the
-- server's cache at its smallest bound nearly every read is a miss.

local n = tonumber(os.getenv("BENCH_ARTICLES")) or 10000
local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

function init(args)
	math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

function request()
	return wrk.format("GET", string.format(
	    "/api/v1/articles/news-%05d/comments", math.random(n)))
end
