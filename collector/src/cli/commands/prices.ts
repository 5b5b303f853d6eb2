// tokenledger prices: which entry and source price a model id (lookup), the cross-check of the catalog and
// your overrides against the maintained source (check), and the validation of a prices file (validate).
import {
  CATALOG_EXCEPTIONS_URL,
  CATALOG_VERSION,
  PriceBook,
  PriceFileError,
  crossCheck,
  judge,
  maintainedSource,
  readExceptions,
  type Exception,
  type Explanation,
  type ModelPrice,
} from '@tokenledger/pricing';
import { parseCommandArgs } from '../command-args.ts';
import type { Command } from './types.ts';

const USAGE = `usage: tokenledger prices <lookup|check|validate> [options]
  lookup <model-id> [--provider P] [--region R] [--latency optimized] [--json]
      which entry prices the id (overrides, then the catalog, then @pydantic/genai-prices), from which source, at what prices
  check [--exceptions FILE] [--json]
      compares every catalog entry and every override with @pydantic/genai-prices; exits 1 on a disagreement that
      no reviewed exception lists (the catalog's own, plus FILE for yours: {"exceptions":[{key,status,fields?,reason,source}]})
  validate [FILE]
      reads a prices file (default: TOKENLEDGER_PRICES_FILE) and names the entry and key of the first problem
  --prices-file FILE   use FILE instead of TOKENLEDGER_PRICES_FILE (lookup, check)`;

export const prices: Command = {
  summary: 'prices lookup <model-id> | check | validate: where a price comes from; the catalog and your overrides against @pydantic/genai-prices',
  async run(args) {
    const parsed = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        provider: { type: 'string' },
        region: { type: 'string' },
        latency: { type: 'string' },
        json: { type: 'boolean', default: false },
        exceptions: { type: 'string' },
        'prices-file': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }, USAGE);
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    const [sub, ...rest] = positionals;
    if (sub === undefined) {
      console.error(USAGE);
      return 2;
    }
    if (sub === 'validate') return validate(rest[0] ?? values['prices-file']);
    const book = loadBook(values['prices-file']);
    if (!book) return 2;
    switch (sub) {
      case 'lookup':
        if (rest.length !== 1) {
          console.error(`tokenledger prices lookup: one model id, please\n${USAGE}`);
          return 2;
        }
        return lookup(book, rest[0]!, { provider: values.provider, region: values.region, latency: values.latency }, values.json);
      case 'check':
        return check(book, values.exceptions, values.json);
      default:
        console.error(`tokenledger prices: unknown subcommand ${sub}\n${USAGE}`);
        return 2;
    }
  },
};

function loadBook(pricesFile: string | undefined): PriceBook | undefined {
  try {
    return PriceBook.load(pricesFile === undefined ? {} : { pricesFile });
  } catch (err) {
    if (err instanceof PriceFileError) {
      console.error(`tokenledger prices: ${err.message}`);
      return undefined;
    }
    throw err;
  }
}

function validate(file: string | undefined): number {
  const path = file ?? process.env.TOKENLEDGER_PRICES_FILE;
  if (!path) {
    console.error('tokenledger prices validate: no file given and TOKENLEDGER_PRICES_FILE is not set');
    return 2;
  }
  const book = loadBook(path);
  if (!book) return 1;
  const own = book.models().filter((m) => m.origin === 'override');
  const instances = book.instances().filter((i) => i.origin === 'override');
  const provisioned = book.provisionedThroughput().filter((p) => p.origin === 'override');
  console.log(`${path}: valid — ${own.length} models, ${instances.length} instances, ${provisioned.length} provisioned throughputs`);
  return 0;
}

const M = 1e6;
const usd = (v: number | undefined) => (v === undefined ? undefined : `$${+(v * M).toPrecision(6)}`);

/** The entry's prices, USD per million tokens (per query for rerank), in the order the arithmetic uses them. */
function priceLines(p: ModelPrice): string[] {
  const parts: [string, number | undefined][] = [
    ['input', p.inputCostPerToken], ['output', p.outputCostPerToken], ['cache read', p.cacheReadInputTokenCost],
    ['cache write (5 min)', p.cacheCreationInputTokenCost], ['cache write (1 h)', p.cacheCreationInputTokenCost1h],
    ['batch input', p.inputCostPerTokenBatches], ['batch output', p.outputCostPerTokenBatches],
    ['flex input', p.inputCostPerTokenFlex], ['flex output', p.outputCostPerTokenFlex],
    ['priority input', p.inputCostPerTokenPriority], ['priority output', p.outputCostPerTokenPriority],
  ];
  const priced = parts.filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${usd(v)}`);
  const lines = [`${priced.join(', ')} per 1M tokens`];
  if (p.costPerQuery !== undefined) lines.push(`$${p.costPerQuery} per query`);
  const lc = p.longContext;
  if (lc) {
    const lcParts: [string, number | undefined][] = [['input', lc.inputCostPerToken], ['output', lc.outputCostPerToken],
      ['cache read', lc.cacheReadInputTokenCost], ['cache write', lc.cacheCreationInputTokenCost], ['cache write (1 h)', lc.cacheCreationInputTokenCost1h]];
    lines.push(`above ${lc.thresholdTokens} input tokens: ${lcParts.filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${usd(v)}`).join(', ')} per 1M tokens`);
  }
  return lines;
}

function appliesTo(p: ModelPrice): string {
  const parts: string[] = [];
  if (p.profiles) parts.push(`profiles ${p.profiles.join(', ')}`);
  if (p.regions) parts.push(`regions ${p.regions.join(', ')}`);
  if (p.latency) parts.push(`latency ${p.latency}`);
  return parts.length ? parts.join('; ') : 'every call of this model no more specific entry claims';
}

function lookup(book: PriceBook, id: string, ctx: { provider?: string; region?: string; latency?: string }, json: boolean): number {
  const e: Explanation = book.explain(id, ctx);
  if (json) {
    console.log(JSON.stringify({
      model: id, lookedUpAs: e.parsed.id, provider: e.provider ?? null, profile: e.parsed.profile ?? null, profileClass: e.profileClass,
      region: e.region ?? null, latency: e.latency ?? 'standard', layer: e.layer ?? null, source: e.resolved?.source ?? 'unpriced',
      entry: e.resolved ? plain(e.resolved.price) : null, otherEntries: e.others.map(plain), refused: e.refused ?? null,
      provisioned: e.provisioned ? { id: e.provisioned.id, modelUnits: e.provisioned.modelUnits, hourlyUsdPerModelUnit: e.provisioned.hourlyUsdPerModelUnit } : null,
    }, null, 2));
    return e.resolved || e.provisioned ? 0 : 1;
  }
  const out: string[] = [];
  out.push(`model          ${id}`);
  const bedrock = e.parsed.profile !== undefined || e.region !== undefined || e.provider === 'aws.bedrock';
  const said = [`provider ${e.provider ?? 'any'}`, ...(bedrock ? [`profile ${e.profileClass}`, `latency ${e.latency ?? 'standard'}`] : []), ...(e.region ? [`region ${e.region}`] : [])];
  out.push(`looked up as   ${e.parsed.id} (${said.join(', ')})`);
  if (e.provisioned) {
    const pt = e.provisioned;
    out.push(`provisioned    ${pt.id}: ${pt.modelUnits} model units × $${pt.hourlyUsdPerModelUnit}/h, ${pt.concurrency} call(s) at once — charged by each call's duration (tier provisioned)`);
  }
  if (e.resolved) {
    const p = e.resolved.price;
    out.push(`source         ${e.resolved.source} (${e.layer === 'maintained' ? 'the maintained source: the catalog has no entry for it' : e.layer === 'override' ? 'your prices file' : 'the bundled catalog'})`);
    out.push(`entry          ${p.id}${p.aliases ? ` (also ${p.aliases.join(', ')})` : ''} — applies to ${appliesTo(p)}`);
    for (const line of priceLines(p)) out.push(`prices         ${line}`);
    out.push(`from           ${p.source}${p.checked ? `, checked ${p.checked}` : ''}`);
  } else {
    out.push(`source         unpriced${e.refused ? ` — ${e.refused}` : ''}`);
  }
  for (const o of e.others) out.push(`other entry    ${appliesTo(o)}: ${priceLines(o)[0]}`);
  console.log(out.join('\n'));
  return e.resolved || e.provisioned ? 0 : 1;
}

function plain(p: ModelPrice): Record<string, unknown> {
  const { match, ...rest } = p;
  return match ? { ...rest, match: match.source } : rest;
}

function check(book: PriceBook, exceptionsFile: string | undefined, json: boolean): number {
  let exceptions: Exception[];
  try {
    exceptions = [...readExceptions(CATALOG_EXCEPTIONS_URL), ...(exceptionsFile ? readExceptions(exceptionsFile) : [])];
  } catch (err) {
    console.error(`tokenledger prices check: ${(err as Error).message}`);
    return 2;
  }
  const rows = crossCheck(book.models());
  const { verdicts, orphans } = judge(rows, exceptions);
  // The catalog's exceptions for entries your overrides replaced are not orphans of yours.
  const catalogKeys = new Set(readExceptions(CATALOG_EXCEPTIONS_URL).map((c) => c.key));
  const ownOrphans = orphans.filter((o) => !catalogKeys.has(o.key));
  const bad = verdicts.filter((v) => v.outcome !== 'ok');
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  if (json) {
    console.log(JSON.stringify({
      catalog: `catalog:${CATALOG_VERSION}`, maintained: maintainedSource() ?? null, compared: rows.length,
      agrees: count('agrees'), differs: count('differs'), missing: count('missing'),
      explained: verdicts.filter((v) => v.outcome === 'ok' && v.exception).length,
      failures: bad.map((v) => ({ key: v.row.key, origin: v.row.entry.origin, outcome: v.outcome, detail: v.detail })),
      orphanedExceptions: ownOrphans.map((o) => o.key),
    }, null, 2));
  } else {
    console.log(`catalog:${CATALOG_VERSION} and your overrides against ${maintainedSource() ?? 'the maintained source (not loadable)'}: ` +
      `${rows.length} entries and aliases — ${count('agrees')} agree, ${count('differs')} differ, ${count('missing')} have no counterpart; ` +
      `${verdicts.filter((v) => v.outcome === 'ok' && v.exception).length} of those are reviewed exceptions.`);
    for (const v of bad) console.log(`${v.outcome === 'stale' ? 'STALE      ' : 'UNEXPLAINED'} ${v.row.key}${v.row.entry.origin === 'override' ? ' (your prices file)' : ''}: ${v.detail}`);
    for (const o of ownOrphans) console.log(`STALE       ${o.key}: your exception matches no entry`);
    if (bad.length === 0 && ownOrphans.length === 0) console.log('every difference is explained.');
  }
  return bad.length === 0 && ownOrphans.length === 0 ? 0 : 1;
}

