-- tests/bench/seed.sql - the benchmark's data set, in a few set-based
-- statements (no per-row round trips).  Run by run-bench.sh with psql:
--
--   psql -v seed_text="$(cat web/demo/article-ar.txt)" -f seed.sql
--
-- on a fresh, migrated database.  What it makes:
--
--   articles   10,000: keys news-00001 .. news-10000, published evenly
--              from 400 to 4 days ago; news-10000 is the hot article.
--   comments   1,000,000 pending: 100 per article;
--              199,980 approved: 20 per article but the hot one;
--              29,997 rejected / spam / deleted: 3 per article but the
--              hot one;
--              50 approved on the hot article (news-10000), posted in
--              the last two hours: the newest rows.
--              Bodies are about 300 characters of Arabic built from the
--              sentences of web/demo/article-ar.txt.  Each comment is
--              posted within 3 days of its article; rows are inserted in
--              created_at order, so ids grow with created_at.  Readers:
--              90% give one of 200,000 e-mail addresses, the rest only a
--              name (1,600 first x family name pairs), so a moderator's
--              author_history counts tens of earlier comments, not
--              thousands.
--
-- The per-row trigger (comment_events + NOTIFY) is skipped while seeding
-- (session_replication_role = replica): the change feed is not what is
-- measured, and 1.2M events would only slow the seeding down.

\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
SET work_mem = '256MB';
SELECT setseed(0.4242);

BEGIN;

-- The article's sentences: one per row (paragraphs split after a full
-- stop), only real sentences (the file's last line is a notice).
CREATE TEMP TABLE bench_sentence ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY p.n, s.m) - 1)::int AS n, s.t
FROM regexp_split_to_table(:'seed_text', E'\\n') WITH ORDINALITY AS p(para, n),
     LATERAL regexp_split_to_table(p.para, E'(?<=[.])\\s+')
	 WITH ORDINALITY AS s(t, m)
WHERE s.t ~ '[.".”]$' AND char_length(s.t) >= 20;

-- 100 bodies of about 300 characters: consecutive-ish sentences from a
-- different start each, cut at a word boundary when too long.
CREATE TEMP TABLE bench_body (n int PRIMARY KEY, body text NOT NULL)
	ON COMMIT DROP;
DO $$
DECLARE
	ns	int;
	k	int;
	i	int;
	b	text;
BEGIN
	SELECT count(*) INTO ns FROM bench_sentence;
	IF ns < 5 THEN
		RAISE EXCEPTION 'seed text has only % sentences', ns;
	END IF;
	FOR k IN 0..99 LOOP
		b := '';
		i := k;
		WHILE char_length(b) < 270 LOOP
			b := b || CASE WHEN b = '' THEN '' ELSE ' ' END ||
			    (SELECT t FROM bench_sentence WHERE n = i % ns);
			i := i + 1 + (k / ns) % (ns - 1);
		END LOOP;
		IF char_length(b) > 330 THEN
			b := regexp_replace(left(b, 310), '\s+\S*$', '') || '…';
		END IF;
		INSERT INTO bench_body VALUES (k, b);
	END LOOP;
END
$$;

INSERT INTO articles (key, title, url, mode, created_at)
SELECT format('news-%s', lpad(g::text, 5, '0')),
       format('مقال رقم %s: %s', g, left(s.t, 60)),
       format('https://news.example/articles/%s', g),
       'premoderated',
       now() - interval '400 days' + (g - 1) * (interval '396 days' / 9999)
FROM generate_series(1, 10000) AS g
JOIN bench_sentence s ON s.n = g % (SELECT count(*) FROM bench_sentence)
ORDER BY g;

-- Every comment but the hot article's 50, in created_at order.
INSERT INTO comments (article_id, author, email, body, status, created_at,
    moderated_at, moderated_by, ip, user_agent, submitted_status)
SELECT x.article_id,
       (ARRAY['محمد','أحمد','علي','فاطمة','مريم','يوسف','خالد','ليلى',
	      'سارة','عمر','حسن','نور','ريم','سلمى','كريم','هدى','طارق',
	      'منى','زياد','رنا','سامي','دينا','ماجد','هالة','وليد','عبير',
	      'ياسر','لمى','باسل','جود','رامي','إيمان','فادي','سهى','نادر',
	      'غادة','هشام','رشا','مازن','شيماء'])[x.reader % 40 + 1] || ' ' ||
       (ARRAY['العلي','الحسن','المصري','الشامي','التونسي','المغربي',
	      'العراقي','الخطيب','النجار','الحداد','السعيد','القاسم',
	      'الأحمد','الزين','الصالح','البدوي','الشريف','العمر',
	      'الخوري','الحلبي','اليمني','الكردي','السوداني','الليبي',
	      'العطار','الدباغ','الفارس','النمر','الجابر','الرفاعي',
	      'الكبيسي','الهاشمي','الطحان','السقا','العبدالله','المحمود',
	      'الراشد','الفلاحي','الجزائري','البغدادي'])[x.reader / 40 % 40 + 1],
       CASE WHEN x.reader % 10 <> 0
	    THEN format('reader%s@example.com', x.reader) END,
       (SELECT body FROM bench_body WHERE n = x.bn),
       x.status,
       x.ts,
       CASE WHEN x.status <> 'pending'
	    THEN x.ts + interval '5 minutes' + random() * interval '6 hours' END,
       CASE WHEN x.status <> 'pending'
	    THEN (ARRAY['laila','sam','huda'])[x.bn % 3 + 1] END,
       format('203.0.113.%s', x.reader % 254 + 1)::inet,
       (ARRAY['Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36',
	      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Safari/604.1',
	      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36',
	      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) Firefox/121.0'])[x.bn % 4 + 1],
       'pending'
FROM (
	SELECT a.id AS article_id, s.status,
	       a.created_at + interval '1 minute' +
		   random() * interval '3 days' AS ts,
	       (random() * 199999)::int AS reader,
	       (random() * 99)::int AS bn
	FROM articles a
	CROSS JOIN LATERAL (
		SELECT 'pending'::text AS status FROM generate_series(1, 100)
		UNION ALL
		SELECT 'approved' FROM generate_series(1, 20)
		WHERE a.key <> 'news-10000'
		UNION ALL
		SELECT unnest(ARRAY['rejected', 'spam', 'deleted'])
		WHERE a.key <> 'news-10000'
	) AS s
	ORDER BY ts
) AS x;

-- The hot article: 50 approved top-level comments of about 300
-- characters, the newest rows.
INSERT INTO comments (article_id, author, email, body, status, created_at,
    moderated_at, moderated_by, ip, user_agent, submitted_status)
SELECT a.id,
       format('قارئ %s', j),
       format('hot%s@example.com', j),
       (SELECT body FROM bench_body WHERE n = (j * 7) % 100),
       'approved',
       now() - interval '2 hours' + j * interval '90 seconds',
       now() - interval '2 hours' + j * interval '90 seconds' +
	   interval '2 minutes',
       'laila',
       '198.51.100.7',
       'Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36',
       'pending'
FROM articles a, generate_series(1, 50) AS j
WHERE a.key = 'news-10000'
ORDER BY j;

COMMIT;

SET session_replication_role = origin;
VACUUM ANALYZE articles;
VACUUM ANALYZE comments;
