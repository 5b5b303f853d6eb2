// tokenledger outcome: report the outcome of an outcome key (POST /api/v1/outcomes), as reportOutcome() does.
import { OUTCOMES_PATH } from '../../http/routes/outcomes.ts';
import { ApiClient } from '../api-client.ts';
import { parseCommandArgs } from '../command-args.ts';
import type { Command } from './types.ts';

const USAGE = `usage: tokenledger outcome --key KEY --outcome NAME (--success | --no-success) [--time T] [--url U] [--json]
  --key        the outcome key the traces carried (tokenledger.outcome.key: a ticket, conversation or lead id)
  --outcome    the business outcome, e.g. ticket_resolved
  --success / --no-success   whether it counts as a success
  --time       when it happened (RFC 3339 or Unix seconds; default now)
  --url        the collector's metrics/API address (default: from TOKENLEDGER_HTTP_ADDR, else http://127.0.0.1:9464)
  Repeating the same report is harmless; a different outcome for the key is refused (exit 1).
  TOKENLEDGER_AUTH_TOKEN is sent as the bearer token when set.`;

export const outcome: Command = {
  summary: 'report the outcome of an outcome key (a ticket, conversation or lead), counted once for all its traces',
  async run(args) {
    const parsed = parseCommandArgs({
      args,
      allowNegative: true,
      options: {
        key: { type: 'string' }, outcome: { type: 'string' }, success: { type: 'boolean' }, time: { type: 'string' },
        url: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
      },
    }, USAGE);
    if (typeof parsed === 'number') return parsed;
    const { values } = parsed;
    if (!values.key || !values.outcome || values.success === undefined) {
      console.error(`tokenledger outcome: --key, --outcome and --success or --no-success are required\n${USAGE}`);
      return 2;
    }
    const time = values.time === undefined ? undefined : /^\d+(\.\d+)?$/.test(values.time) ? Number(values.time) : values.time;
    const api = new ApiClient(values.url);
    let answer;
    try {
      answer = await api.post<{ result?: string; error?: string; time?: string }>(OUTCOMES_PATH, { key: values.key, outcome: values.outcome, success: values.success, ...(time !== undefined && { time }) });
    } catch (err) {
      console.error(`tokenledger outcome: ${(err as Error).message}`);
      return 1;
    }
    if (values.json) console.log(answer.text);
    if (answer.status !== 200) {
      if (!values.json) console.error(`tokenledger outcome: ${answer.status}: ${answer.body.error ?? answer.text}`);
      return 1;
    }
    if (!values.json) {
      const what = `${values.key} → ${values.outcome} (${values.success ? 'success' : 'not a success'}) at ${answer.body.time}`;
      console.log(answer.body.result === 'repeat' ? `already recorded: ${what}` : `recorded: ${what}`);
    }
    return 0;
  },
};
