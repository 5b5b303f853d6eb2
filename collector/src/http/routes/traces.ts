// GET /api/v1/traces?workflow=&tenant=&outcome=&key=&user=&session=&since=&until=&sort=cost|time&limit=
// GET /api/v1/users?tenant=&since=&until=&limit=      (top users by cost)
// GET /api/v1/sessions?tenant=&user=&since=&until=&limit=   (cost per session)
import type { Clock } from '../../config/types.ts';
import { queryIdentities, queryTraces, type TraceFilter } from '../../store/shared-queries.ts';
import type { SharedAccess } from '../../store/shared-store.ts';
import { parseLimit, parseTime } from '../params.ts';
import { type Router, sendJson } from '../router.ts';
import { unavailable } from './outcomes.ts';

export const TRACES_PATH = '/api/v1/traces';
export const USERS_PATH = '/api/v1/users';
export const SESSIONS_PATH = '/api/v1/sessions';

/** Query parameters of /api/v1/traces and the index columns they filter. */
const PARAMS: Record<string, TraceFilter> = { tenant: 'tenant', feature: 'feature', workflow: 'workflow', outcome: 'outcome', key: 'outcome_key', user: 'user_id', session: 'session_id' };

export function addTraceRoutes(router: Router, link: SharedAccess, clock: Clock, o: { retentionMs: number; jaegerUrl?: string }): void {
  router.add('GET', TRACES_PATH, async (_req, res, url) => {
    const p = url.searchParams;
    const sort = p.get('sort') ?? 'time';
    if (sort !== 'cost' && sort !== 'time') return sendJson(res, 400, { error: 'sort: cost or time' });
    const limit = parseLimit(p.get('limit'), 100, 1000);
    if (limit === undefined) return sendJson(res, 400, { error: 'limit: a whole number from 1 to 1000' });
    const since = parseTime(p.get('since'), 0);
    const until = parseTime(p.get('until'), clock.now() + 1);
    if (since === undefined || until === undefined) return sendJson(res, 400, { error: 'since/until: RFC 3339 time or Unix seconds' });
    const where: Partial<Record<TraceFilter, string>> = {};
    for (const [param, column] of Object.entries(PARAMS)) if (p.get(param)) where[column] = p.get(param)!;
    try {
      const found = await link.read(queryTraces({ where, sinceMs: since, untilMs: until, sort, limit }));
      const traces = o.jaegerUrl ? found.traces.map((t) => ({ ...t, jaegerUrl: `${o.jaegerUrl}/trace/${t.traceId}` })) : found.traces;
      sendJson(res, 200, {
        since: new Date(since).toISOString(), until: new Date(until).toISOString(), sort, retentionMs: o.retentionMs,
        // False when the index dropped some of this range's cheaper traces to stay within its bound.
        complete: found.complete, traces,
      });
    } catch (err) {
      if (!unavailable(res, err)) throw err;
    }
  });

  for (const [path, by, name] of [[USERS_PATH, 'user_id', 'users'], [SESSIONS_PATH, 'session_id', 'sessions']] as const) {
    router.add('GET', path, async (_req, res, url) => {
      const p = url.searchParams;
      const limit = parseLimit(p.get('limit'), 20, 1000);
      if (limit === undefined) return sendJson(res, 400, { error: 'limit: a whole number from 1 to 1000' });
      const since = parseTime(p.get('since'), 0);
      const until = parseTime(p.get('until'), clock.now() + 1);
      if (since === undefined || until === undefined) return sendJson(res, 400, { error: 'since/until: RFC 3339 time or Unix seconds' });
      try {
        const found = await link.read(queryIdentities(by, { tenant: p.get('tenant') || undefined, user: p.get('user') || undefined, sinceMs: since, untilMs: until, limit }));
        sendJson(res, 200, {
          since: new Date(since).toISOString(), until: new Date(until).toISOString(), matching: found.matching, costUsd: found.costUsd,
          meanCostUsd: found.meanCostUsd, [name]: found.rows,
        });
      } catch (err) {
        if (!unavailable(res, err)) throw err;
      }
    });
  }
}
