// GET /api/v1/outcomes?group_by=workflow,tenant&since=…&until=…
import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../../config/types.ts';
import { GROUP_KEYS, type GroupKey, queryOutcomes } from '../../store/outcomes-query.ts';
import { type Router, sendJson } from '../router.ts';

export const OUTCOMES_PATH = '/api/v1/outcomes';

export function addOutcomesRoute(router: Router, db: DatabaseSync, clock: Clock): void {
  router.add('GET', OUTCOMES_PATH, (_req, res, url) => {
    const p = url.searchParams;
    const groupBy = (p.get('group_by') ?? 'workflow').split(',').map((s) => s.trim()).filter(Boolean);
    const bad = groupBy.find((k) => !(GROUP_KEYS as readonly string[]).includes(k));
    if (bad !== undefined) return sendJson(res, 400, { error: `group_by: unknown key ${bad}; use any of ${GROUP_KEYS.join(', ')}` });
    const since = parseTime(p.get('since'), 0);
    const until = parseTime(p.get('until'), clock.now() + 1);
    if (since === undefined || until === undefined) {
      return sendJson(res, 400, { error: 'since/until: RFC 3339 time or Unix seconds' });
    }
    const rows = queryOutcomes(db, { groupBy: [...new Set(groupBy)] as GroupKey[], sinceMs: since, untilMs: until });
    sendJson(res, 200, { groupBy, since: new Date(since).toISOString(), until: new Date(until).toISOString(), rows });
  });
}

/** RFC 3339 or Unix seconds (as Prometheus takes them). */
function parseTime(v: string | null, fallback: number): number | undefined {
  if (v === null || v === '') return fallback;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}
