#!/usr/bin/env python3
"""Reference scoring of the bench rubric in DuckDB under SPEC §7.13: an independent oracle.

usage: bench/duckdb_ref.py RUBRIC.yaml RECORDS.csv OUT.csv [THREADS]

The shared reference (../shared/bench/duckdb_ref.py) books an overdue extra in the record's own
month (SPEC §3.4 of rubric 1.0). Since SPEC §7.13 it is booked in the month the record becomes
late: a record with a deadline D is late when rectified after D, or not rectified and the as-of
date has reached D + 1; its extra (count × overdue) joins the capped sum of the month containing
D + 1, or of the first assessed month after it, and is not booked when there is none. The as-of
date is the earlier of the last day of the latest month with records and CIVSCORE_TODAY (bench/run.sh
sets it). Monthly score per unit = 100 − Σ over indicators of min(points, Σ count × deduct ×
weight(source) + Σ extras booked in the month). Ranked per month, competition ranking on the score
rounded half-up to 2 decimals. Only units with at least one record are scored (no roster).
"""
import os, sys, duckdb, yaml
rubric, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
rub = yaml.safe_load(open(rubric, encoding='utf-8'))
ind = [(i['code'], i['points'], i['deduct'], i.get('overdue', 0)) for c in rub['categories'] for i in c['indicators']]
w = list(rub['sources'].items())
today = os.environ.get('CIVSCORE_TODAY', '9999-12-31')
con = duckdb.connect()
con.execute(f"SET threads={threads}")
con.execute("CREATE TABLE ind(code VARCHAR, points DECIMAL(18,4), deduct DECIMAL(18,4), overdue DECIMAL(18,4))")
con.executemany("INSERT INTO ind VALUES (?,?,?,?)", ind)
con.execute("CREATE TABLE src(source VARCHAR, weight DECIMAL(18,4))")
con.executemany("INSERT INTO src VALUES (?,?)", w)
con.execute(f"""
CREATE TABLE r AS
  SELECT unit, indicator, strftime(date, '%Y-%m') AS month, date, count, source, deadline, rectified
  FROM read_csv('{src}', header=true, columns={{'id':'VARCHAR','date':'DATE','unit':'VARCHAR','indicator':'VARCHAR',
     'count':'INTEGER','source':'VARCHAR','deadline':'DATE','rectified':'DATE','note':'VARCHAR'}})
""")
as_of = con.execute(f"SELECT LEAST(last_day(MAX(date)), DATE '{today}') FROM r").fetchone()[0]
con.execute(f"""
COPY (
WITH units AS (SELECT DISTINCT unit FROM r),
months AS (SELECT DISTINCT month FROM r),
base AS (
  SELECT r.unit, r.month, r.indicator, SUM(r.count * ind.deduct * src.weight) AS x
  FROM r JOIN ind ON ind.code = r.indicator JOIN src ON src.source = r.source
  GROUP BY ALL
), late AS (
  SELECT r.unit, r.indicator, strftime(r.deadline + 1, '%Y-%m') AS became, SUM(r.count * ind.overdue) AS x
  FROM r JOIN ind ON ind.code = r.indicator
  WHERE ind.overdue > 0 AND r.deadline IS NOT NULL
    AND (r.rectified > r.deadline OR (r.rectified IS NULL AND r.deadline + 1 <= DATE '{as_of}'))
  GROUP BY ALL
), booked AS (
  SELECT unit, indicator, (SELECT MIN(m.month) FROM months m WHERE m.month >= late.became) AS month, x
  FROM late
), d AS (
  SELECT unit, month, indicator, SUM(x) AS raw
  FROM (SELECT * FROM base UNION ALL SELECT unit, month, indicator, x FROM booked WHERE month IS NOT NULL)
  GROUP BY ALL
), s AS (
  SELECT u.unit, m.month, 100 - COALESCE(SUM(LEAST(ind.points, d.raw)), 0) AS score
  FROM units u CROSS JOIN months m LEFT JOIN d ON d.unit = u.unit AND d.month = m.month
       LEFT JOIN ind ON ind.code = d.indicator
  GROUP BY ALL
)
SELECT month, RANK() OVER (PARTITION BY month ORDER BY round(score, 2) DESC) AS rank, unit, round(score, 2) AS score
FROM s ORDER BY month, rank, unit
) TO '{out}' (HEADER);
""")
