"""The SQL the peers of bench/bench_peers.py read: PostGraphile's view and the plain floor.

Both compute the published figures exactly as Vouch does (api/metrics): NPS over the
published 'all' tally, withheld below 5 answers; the adjusted Wald interval; the ranking
score shrunk toward the published market NPS with the weight of 10 answers; the tier.
"""

from __future__ import annotations

_PROMOTERS = "(t.lp_9 + t.lp_10)"
_DETRACTORS = "(" + " + ".join(f"t.lp_{i}" for i in range(7)) + ")"
_N = "(" + " + ".join(f"t.lp_{i}" for i in range(11)) + ")"
_MARKET_P = "(m.lp_9 + m.lp_10)"
_MARKET_D = "(" + " + ".join(f"m.lp_{i}" for i in range(7)) + ")"
_MARKET_N = "(" + " + ".join(f"m.lp_{i}" for i in range(11)) + ")"

# Published figures of every partner, one row each: what PostGraphile serves as
# `allPartnerRankings` and the floor reads for the heavy query.
RANKINGS_VIEW = f"""
CREATE VIEW partner_rankings AS
WITH market AS (
  SELECT CASE WHEN {_MARKET_N} > 0
              THEN 100.0 * ({_MARKET_P} - {_MARKET_D}) / {_MARKET_N} ELSE 0.0 END AS nps
  FROM published_market m WHERE m.kind = 'all' AND m.segment = ''
  UNION ALL SELECT 0.0 WHERE NOT EXISTS
    (SELECT 1 FROM published_market WHERE kind = 'all' AND segment = '')
  LIMIT 1
), parts AS (
  SELECT p.id, p.slug, p.name,
         COALESCE({_PROMOTERS}, 0)::float8 AS pp, COALESCE({_DETRACTORS}, 0)::float8 AS dd,
         COALESCE({_N}, 0)::int AS n
  FROM partners p
  LEFT JOIN published_tallies t ON t.partner_id = p.id AND t.kind = 'all' AND t.segment = ''
), wald AS (
  SELECT parts.*, (pp + 0.75) / (n + 3) AS p_p, (dd + 0.75) / (n + 3) AS p_d FROM parts
), figures AS (
  SELECT wald.*, 100.0 * (p_p - p_d) AS centre,
         sqrt((p_p + p_d - (p_p - p_d) * (p_p - p_d)) / (n + 3)) * 196.0 AS half
  FROM wald
)
SELECT f.id, f.slug, f.name, f.n AS nps_n,
       CASE WHEN f.n >= 5 THEN 100.0 * (f.pp - f.dd) / f.n END AS nps_value,
       CASE WHEN f.n >= 5 THEN greatest(-100.0, f.centre - f.half) END AS nps_low,
       CASE WHEN f.n >= 5 THEN least(100.0, f.centre + f.half) END AS nps_high,
       CASE WHEN f.n >= 5 THEN (100.0 * (f.pp - f.dd) + 10 * market.nps) / (f.n + 10)
            ELSE market.nps END AS ranking_score,
       CASE WHEN f.n >= 30 AND f.centre - f.half >= 30 THEN 'PROVEN'
            WHEN f.n >= 15 AND f.centre - f.half >= 0 THEN 'ESTABLISHED'
            WHEN f.n >= 5 THEN 'EMERGING'
            ELSE 'NOT_ENOUGH_EVIDENCE' END AS evidence_tier
FROM figures f CROSS JOIN market
"""

# The floor: one SQL statement builds the whole JSON answer.
FLOOR_LIST = """
SELECT json_build_object('data', json_build_object('partners', json_build_object(
  'totalCount', (SELECT count(*) FROM partners),
  'edges', COALESCE(json_agg(json_build_object('node', json_build_object(
    'slug', p.slug, 'name', p.name,
    'offices', (SELECT COALESCE(json_agg(json_build_object('city', o.city, 'country', o.country)
                  ORDER BY o.is_headquarters DESC, o.city, o.id), '[]')
                FROM offices o WHERE o.partner_id = p.id),
    'industries', (SELECT COALESCE(json_agg(json_build_object('slug', i.slug) ORDER BY i.name),
                     '[]')
                   FROM partner_industries pi JOIN industries i ON i.id = pi.industry_id
                   WHERE pi.partner_id = p.id)
  )) ORDER BY p.name, p.id), '[]'))))::text
FROM (SELECT * FROM partners ORDER BY name, id LIMIT 20) p
"""

FLOOR_RANKED = """
SELECT json_build_object('data', json_build_object('partners', json_build_object(
  'totalCount', (SELECT count(*) FROM partners),
  'edges', COALESCE(json_agg(json_build_object('node', json_build_object(
    'slug', r.slug, 'name', r.name,
    'metrics', json_build_object(
      'nps', CASE WHEN r.nps_value IS NULL THEN NULL ELSE json_build_object(
        'value', r.nps_value, 'low', r.nps_low, 'high', r.nps_high, 'n', r.nps_n) END,
      'rankingScore', r.ranking_score, 'evidenceTier', r.evidence_tier)
  )) ORDER BY r.ranking_score DESC, r.name, r.id), '[]'))))::text
FROM (SELECT * FROM partner_rankings ORDER BY ranking_score DESC, name, id LIMIT 20) r
"""
