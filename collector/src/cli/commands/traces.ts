// tokenledger traces: the traces behind a number, from the collector's per-trace index (GET /api/v1/traces).
import { TRACES_PATH } from '../../http/routes/traces.ts';
import type { TraceEntry } from '../../store/shared-queries.ts';
import { ApiClient, table, usd } from '../api-client.ts';
import { parseCommandArgs } from '../command-args.ts';
import type { Command } from './types.ts';

const USAGE = `usage: tokenledger traces [--workflow W] [--tenant T] [--feature F] [--outcome O] [--key K] [--user U] [--session S]
                         [--since T] [--until T] [--sort cost|time] [--limit N] [--url U] [--json]
  Finalised traces with what each cost, newest first (--sort cost: most expensive first); each links to
  Jaeger when the collector has TOKENLEDGER_JAEGER_URL. --since/--until: RFC 3339 or Unix seconds (start time).
  TOKENLEDGER_AUTH_TOKEN is sent as the bearer token when set.`;

const FILTERS = ['workflow', 'tenant', 'feature', 'outcome', 'key', 'user', 'session'] as const;

export const traces: Command = {
  summary: 'list finalised traces with their cost (filter by workflow, tenant, outcome, key, user; --sort cost)',
  async run(args) {
    const parsed = parseCommandArgs({
      args,
      options: {
        ...Object.fromEntries(FILTERS.map((f) => [f, { type: 'string' as const }])),
        since: { type: 'string' }, until: { type: 'string' }, sort: { type: 'string', default: 'time' }, limit: { type: 'string', default: '20' },
        url: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
      },
    }, USAGE);
    if (typeof parsed === 'number') return parsed;
    const { values } = parsed;
    const v = values as Record<string, string | boolean | undefined>;
    const api = new ApiClient(values.url);
    let answer;
    try {
      answer = await api.get<{ traces: (TraceEntry & { jaegerUrl?: string })[]; complete: boolean; error?: string }>(TRACES_PATH, {
        ...Object.fromEntries(FILTERS.map((f) => [f, v[f] as string | undefined])), since: values.since, until: values.until, sort: values.sort, limit: values.limit,
      });
    } catch (err) {
      console.error(`tokenledger traces: ${(err as Error).message}`);
      return 1;
    }
    if (answer.status !== 200) {
      console.error(`tokenledger traces: ${answer.status}: ${answer.body.error ?? answer.text}`);
      return answer.status === 400 ? 2 : 1;
    }
    if (values.json) {
      console.log(answer.text);
      return 0;
    }
    const list = answer.body.traces;
    if (list.length === 0) {
      console.log('No traces match.');
      return 0;
    }
    const rows = list.map((t) => [
      t.startTime.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), t.traceId, t.tenant, t.workflow, t.outcomeKey ? `${t.outcome} (${t.outcomeKey})` : t.outcome,
      String(t.calls), String(t.tokens.input + t.tokens.cacheRead + t.tokens.cacheWrite + t.tokens.output), usd(t.costUsd), usd(t.retryCostUsd), t.models.join(','),
    ]);
    console.log(table(['start', 'trace', 'tenant', 'workflow', 'outcome', 'calls', 'tokens', 'cost', 'retry', 'models'], rows, new Set([5, 6, 7, 8])));
    const links = list.filter((t) => t.jaegerUrl);
    if (links.length) console.log(`\n${links.map((t) => t.jaegerUrl).join('\n')}`);
    if (!answer.body.complete) console.log('\nThe index dropped some cheaper traces of this range to stay within TOKENLEDGER_TRACE_INDEX_MAX_TRACES.');
    return 0;
  },
};
