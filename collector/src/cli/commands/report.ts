// tokenledger report: the cost-per-outcome table of a running collector.
import { forecastSection } from '../../budgets/report.ts';
import { formatSavingsPlans, SAVINGS_PLANS_PATH, type SavingsPlansReport } from '../../capacity/index.ts';
import { clientConfigFromEnv } from '../../config/env.ts';
import { OUTCOME_KEYS_PATH, OUTCOMES_PATH } from '../../http/routes/outcomes.ts';
import type { KeyRowOut } from '../../store/shared-queries.ts';
import { ApiClient, table, usd } from '../api-client.ts';
import type { OutcomeRow } from '../../store/outcomes-query.ts';
import { formatReport } from '../report-table.ts';
import { parseCommandArgs } from '../command-args.ts';
import type { Command } from './types.ts';

const USAGE = `usage: tokenledger report [--json] [--url http://127.0.0.1:9464] [--group-by workflow,tenant] [--since T] [--until T] [--no-pending] [--no-forecast] [--savings-plans]
  --url       the collector's metrics/API address (default: from TOKENLEDGER_HTTP_ADDR, else http://127.0.0.1:9464)
  --group-by  any of tenant, feature, workflow, outcome, route, model (default workflow)
  --since/--until  RFC 3339 time or Unix seconds
  --no-pending     leave out the outcome keys still waiting for their outcome
  --no-forecast    leave out the month-end forecast under the table
  --savings-plans  instead: the Savings Plans the self-hosted capacity ledger supports (baseline, commitment, saving)
  TOKENLEDGER_AUTH_TOKEN is sent as the bearer token when set.`;

export const report: Command = {
  summary: 'print the cost-per-outcome table from a running collector (--json too)',
  async run(args) {
    const parsed = parseCommandArgs({
      args,
      allowNegative: true,
      options: {
        json: { type: 'boolean', default: false },
        url: { type: 'string' },
        'group-by': { type: 'string', default: 'workflow' },
        since: { type: 'string' },
        until: { type: 'string' },
        forecast: { type: 'boolean', default: true },
        'savings-plans': { type: 'boolean', default: false },
        pending: { type: 'boolean', default: true },
        help: { type: 'boolean', default: false },
      },
    }, USAGE);
    if (typeof parsed === 'number') return parsed;
    const { values } = parsed;
    const client = clientConfigFromEnv(process.env, values.url);
    const base = client.url;
    const url = new URL(values['savings-plans'] ? SAVINGS_PLANS_PATH : OUTCOMES_PATH, base);
    url.searchParams.set('group_by', values['group-by']);
    if (values.since) url.searchParams.set('since', values.since);
    if (values.until) url.searchParams.set('until', values.until);
    const token = client.authToken;
    let res: Response;
    try {
      res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    } catch (err) {
      console.error(`tokenledger report: cannot reach the collector at ${base} (${(err as Error).cause ?? (err as Error).message})`);
      return 1;
    }
    const body = await res.text();
    if (!res.ok) {
      console.error(`tokenledger report: ${url} answered ${res.status}: ${body}`);
      return 1;
    }
    if (values.json) {
      console.log(body);
      return 0;
    }
    if (values['savings-plans']) {
      console.log(formatSavingsPlans(JSON.parse(body) as SavingsPlansReport));
      return 0;
    }
    const doc = JSON.parse(body) as { groupBy: string[]; since: string; until: string; rows: OutcomeRow[] };
    const window = Date.parse(doc.since) === 0 ? `all time to ${doc.until}` : `${doc.since} to ${doc.until}`;
    console.log(formatReport(doc.groupBy, doc.rows, window));
    if (values.pending) {
      const pending = await pendingSection(new ApiClient(values.url));
      if (pending) console.log(`\n${pending}`);
    }
    if (!values.forecast) return 0;
    const forecast = await forecastSection(base, token ? { authorization: `Bearer ${token}` } : {});
    if (forecast) console.log(`\n${forecast}`);
    return 0;
  },
};

/** The outcome keys still waiting for their outcome: how many, their cost so far, the dearest ten. */
async function pendingSection(api: ApiClient): Promise<string> {
  let doc: { keys: KeyRowOut[]; matching: number; costUsd: number };
  try {
    const answer = await api.get<typeof doc>(OUTCOME_KEYS_PATH, { state: 'pending', limit: '10' });
    if (answer.status !== 200) return '';
    doc = answer.body;
  } catch {
    return '';
  }
  if (doc.matching === 0) return '';
  const title = `Pending outcomes: ${doc.matching} outcome key${doc.matching === 1 ? '' : 's'} waiting for a report, ${usd(doc.costUsd)} spent so far (counted as none when their window closes)`;
  const rows = doc.keys.map((k) => [k.key, k.tenant ?? 'unknown', k.workflow ?? 'unknown', String(k.traces), usd(k.costUsd), k.firstTime, k.closesAt]);
  return `${title}\n\n${table(['key', 'tenant', 'workflow', 'traces', 'cost so far', 'first trace', 'closes'], rows, new Set([3, 4]))}`;
}
