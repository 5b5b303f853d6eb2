// GET /api/v1/outcomes?group_by=workflow,tenant&since=…&until=…&tenant=…&workflow=…
// POST /api/v1/outcomes {key, outcome, success, time?}: the outcome of an outcome key, reported later.
// GET /api/v1/outcome-keys?state=pending&tenant=…&workflow=…&key=…&limit=…
import type { ServerResponse } from 'node:http';
import * as sc from '@tokenledger/semconv';
import type { Clock } from '../../config/types.ts';
import { FILTER_KEYS, GROUP_KEYS, type GroupKey, queryOutcomes } from '../../store/outcomes-query.ts';
import { keyCounts, queryKeys } from '../../store/shared-queries.ts';
import { type SharedAccess, SharedStoreUnavailable } from '../../store/shared-store.ts';
import { BodyError, parseLimit, parseTime, readJson } from '../params.ts';
import { type Router, sendJson } from '../router.ts';

export const OUTCOMES_PATH = '/api/v1/outcomes';
export const OUTCOME_KEYS_PATH = '/api/v1/outcome-keys';

const MAX_BODY = 64 * 1024;
/** Longer keys are taken (bounded like the spans' copy of them, see outcome-link.ts) up to this. */
const MAX_KEY = 4096;
const MAX_OUTCOME = 128;
/** A report's time may be this far ahead of the collector's clock (clock skew); it is then taken as now. */
const MAX_SKEW_MS = 5 * 60_000;

/** The shared store unreachable, or not connected yet: the client retries. */
export function unavailable(res: ServerResponse, err: unknown): boolean {
  if (!(err instanceof SharedStoreUnavailable)) return false;
  res.setHeader('retry-after', '5');
  sendJson(res, 503, { error: `the shared store is unavailable: ${(err as Error).message}` });
  return true;
}

export function addOutcomesRoute(router: Router, link: SharedAccess, clock: Clock, o: { maxKeys: number; windowMs: number }): void {
  router.add('GET', OUTCOMES_PATH, async (_req, res, url) => {
    const p = url.searchParams;
    const groupBy = (p.get('group_by') ?? 'workflow').split(',').map((s) => s.trim()).filter(Boolean);
    const bad = groupBy.find((k) => !(GROUP_KEYS as readonly string[]).includes(k));
    if (bad !== undefined) return sendJson(res, 400, { error: `group_by: unknown key ${bad}; use any of ${GROUP_KEYS.join(', ')}` });
    const since = parseTime(p.get('since'), 0);
    const until = parseTime(p.get('until'), clock.now() + 1);
    if (since === undefined || until === undefined) {
      return sendJson(res, 400, { error: 'since/until: RFC 3339 time or Unix seconds' });
    }
    const where = Object.fromEntries(FILTER_KEYS.filter((k) => p.get(k)).map((k) => [k, p.get(k)!]));
    try {
      const rows = await link.read(queryOutcomes({ groupBy: [...new Set(groupBy)] as GroupKey[], sinceMs: since, untilMs: until, where }));
      sendJson(res, 200, { groupBy, since: new Date(since).toISOString(), until: new Date(until).toISOString(), ...(Object.keys(where).length && { where }), rows });
    } catch (err) {
      if (!unavailable(res, err)) throw err;
    }
  });

  router.add('POST', OUTCOMES_PATH, async (req, res) => {
    let body: Record<string, unknown>;
    try {
      body = (await readJson(req, MAX_BODY)) as Record<string, unknown>;
    } catch (err) {
      if (!(err instanceof BodyError)) throw err;
      res.setHeader('connection', 'close');
      return sendJson(res, err.status, { error: err.message });
    }
    const now = clock.now();
    const invalid = check(body, now);
    if (typeof invalid === 'string') return sendJson(res, 400, { error: invalid });
    const { key, outcome, success, timeMs } = invalid;
    let answer;
    try {
      answer = await link.report(key, outcome, success ? sc.SUCCESS_TRUE : sc.SUCCESS_FALSE, timeMs);
    } catch (err) {
      if (unavailable(res, err)) return;
      // The embedded store could not commit (a full disk): nothing was recorded, the client retries.
      res.setHeader('retry-after', '5');
      return sendJson(res, 503, { error: `cannot record the outcome: ${(err as Error).message}` });
    }
    const time = new Date(timeMs).toISOString();
    switch (answer.result) {
      case 'recorded':
      case 'repeat':
        return sendJson(res, 200, { key, outcome, success, time: answer.existing ? new Date(answer.existing.timeMs).toISOString() : time, result: answer.result });
      case 'conflict': {
        const e = answer.existing!;
        const why = e.outcome === sc.OUTCOME_NONE
          ? `its window closed without an outcome (counted as ${sc.OUTCOME_NONE})`
          : `it already has outcome ${JSON.stringify(e.outcome)} (success ${e.success})`;
        return sendJson(res, 409, {
          error: `outcome key ${JSON.stringify(key)}: ${why}; a different report is refused`,
          key, existing: { outcome: e.outcome, success: e.success, time: new Date(e.timeMs).toISOString(), state: e.state },
        });
      }
      default:
        res.setHeader('retry-after', '60');
        return sendJson(res, 503, { error: `the outcome key index is full (TOKENLEDGER_OUTCOME_MAX_KEYS=${o.maxKeys}): a new key cannot be recorded until keys close` });
    }
  });

  router.add('GET', OUTCOME_KEYS_PATH, async (_req, res, url) => {
    const p = url.searchParams;
    const state = p.get('state') ?? undefined;
    if (state !== undefined && !(sc.OUTCOME_KEY_STATES as readonly string[]).includes(state)) {
      return sendJson(res, 400, { error: `state: one of ${sc.OUTCOME_KEY_STATES.join(', ')}` });
    }
    const limit = parseLimit(p.get('limit'), 100, 1000);
    if (limit === undefined) return sendJson(res, 400, { error: 'limit: a whole number from 1 to 1000' });
    const filter = (k: string) => p.get(k) || undefined;
    try {
      const found = await link.read(queryKeys({
        state: state as sc.OutcomeKeyState | undefined, key: filter('key'), tenant: filter('tenant'), feature: filter('feature'), workflow: filter('workflow'), limit,
      }, o.windowMs));
      const counts = await link.read(keyCounts());
      const held = Object.values(counts).reduce((a, b) => a + b, 0);
      sendJson(res, 200, { ...found, index: { ...counts, maxKeys: o.maxKeys, full: held >= o.maxKeys && counts.closed === 0 }, windowMs: o.windowMs });
    } catch (err) {
      if (!unavailable(res, err)) throw err;
    }
  });
}

/** The report, or what is wrong with it. */
function check(b: Record<string, unknown>, now: number): { key: string; outcome: string; success: boolean; timeMs: number } | string {
  if (b === null || typeof b !== 'object' || Array.isArray(b)) return 'the body must be a JSON object {key, outcome, success, time?}';
  const { key, outcome, success, time } = b;
  if (typeof key !== 'string' || key === '' || key.length > MAX_KEY) return `key: a non-empty string of at most ${MAX_KEY} characters`;
  if (typeof outcome !== 'string' || outcome === '' || outcome.length > MAX_OUTCOME) return `outcome: a non-empty string of at most ${MAX_OUTCOME} characters`;
  if (outcome === sc.OUTCOME_NONE || outcome === sc.OUTCOME_PENDING) return `outcome: ${sc.OUTCOME_NONE} and ${sc.OUTCOME_PENDING} are reserved`;
  if (typeof success !== 'boolean') return 'success: true or false';
  let timeMs = now;
  if (time !== undefined && time !== null) {
    const t = typeof time === 'number' ? time * 1000 : typeof time === 'string' ? parseTime(time, now) : undefined;
    if (t === undefined || !Number.isFinite(t) || t < 0) return 'time: RFC 3339 time or Unix seconds';
    if (t > now + MAX_SKEW_MS) return 'time: in the future';
    timeMs = Math.min(t, now);
  }
  return { key, outcome, success, timeMs };
}
