// The cross-check: every curated (or overriding) entry compared with the maintained source's price for the
// same call. A disagreement is a failure unless a reviewed exception lists it, with a reason and a source;
// an exception that no longer matches what the maintained source says is a failure too (stale).
import { readFileSync } from 'node:fs';
import { maintainedLookup } from './maintained.ts';
import type { ModelPrice } from './types.ts';

/** What is compared: effective USD per token after the fallbacks the arithmetic applies. */
export const FIELDS = [
  'input', 'output', 'cache_read', 'cache_write', 'cache_write_1h',
  'long_context.threshold', 'long_context.input', 'long_context.output', 'long_context.cache_read', 'long_context.cache_write',
] as const;
export type Field = (typeof FIELDS)[number];
type Prices = Partial<Record<Field, number>>;

export interface CrossCheckRow {
  /** `provider/id`, then `[profiles]`, `{regions}`, `@latency-optimized`, ` alias <alias>` when they apply. */
  key: string;
  entry: ModelPrice;
  /** The id the maintained source was asked for. */
  query: string;
  status: 'agrees' | 'differs' | 'missing';
  /** The maintained model that answered, when one did. */
  maintainedModel?: string;
  differences: { field: Field; curated: number | undefined; maintained: number | undefined }[];
  /** Why there is nothing to compare with (no counterpart, or the match was refused). */
  note?: string;
}

export interface Exception {
  key: string;
  status: 'differs' | 'missing';
  /** For `differs`: the maintained values that were reviewed, by field. */
  fields?: Partial<Record<Field, number | null>>;
  reason: string;
  source: string;
}

export interface Verdict {
  row: CrossCheckRow;
  /** `ok`: agrees or covered by its exception; `unexplained`: a disagreement no exception covers; `stale`: an exception that no longer fits. */
  outcome: 'ok' | 'unexplained' | 'stale';
  exception?: Exception;
  detail?: string;
}

/** Every entry (and each alias of it) against the maintained source, at `at` (default now). */
export function crossCheck(entries: readonly ModelPrice[], at: Date = new Date()): CrossCheckRow[] {
  const rows: CrossCheckRow[] = [];
  for (const entry of entries) {
    for (const alias of [undefined, ...(entry.aliases ?? [])]) rows.push(checkOne(entry, alias, at));
  }
  return rows;
}

export function entryKey(entry: ModelPrice, alias?: string): string {
  let key = `${entry.provider ?? '*'}/${entry.id}`;
  if (entry.profiles) key += `[${entry.profiles.join(',')}]`;
  if (entry.regions) key += `{${entry.regions.join(',')}}`;
  if (entry.latency) key += `@latency-${entry.latency}`;
  if (alias) key += ` alias ${alias}`;
  return key;
}

function checkOne(entry: ModelPrice, alias: string | undefined, at: Date): CrossCheckRow {
  const profile = entry.profiles?.find((p) => p !== 'in_region');
  const name = (alias ?? entry.id).toLowerCase();
  const query = profile ? `${profile}.${name}` : name;
  const row: CrossCheckRow = { key: entryKey(entry, alias), entry, query, status: 'missing', differences: [] };
  if (entry.latency) {
    row.note = 'the maintained source has no latency-optimized prices';
    return row;
  }
  if (entry.regions) {
    row.note = 'the maintained source has no per-region prices';
    return row;
  }
  if (entry.provider === undefined) {
    row.note = 'an entry for any provider has no single counterpart';
    return row;
  }
  const found = maintainedLookup(query, entry.provider, at);
  if (!found) {
    row.note = 'the maintained source has no price for this model';
    return row;
  }
  if ('refused' in found) {
    row.note = `the maintained source's match was refused: ${found.refused}`;
    return row;
  }
  row.maintainedModel = `${found.provider}/${found.model}`;
  const ours = effective(entry);
  const theirs = effective(found.price);
  for (const field of FIELDS) {
    if (!same(ours[field], theirs[field])) row.differences.push({ field, curated: ours[field], maintained: theirs[field] });
  }
  row.status = row.differences.length === 0 ? 'agrees' : 'differs';
  return row;
}

/** The prices a call would be charged, per part, below and above the long-context threshold. */
export function effective(p: ModelPrice): Prices {
  const input = p.inputCostPerToken ?? 0;
  const write = p.cacheCreationInputTokenCost ?? input;
  const out: Prices = {
    input,
    output: p.outputCostPerToken ?? 0,
    cache_read: p.cacheReadInputTokenCost ?? input,
    cache_write: write,
    cache_write_1h: p.cacheCreationInputTokenCost1h ?? write,
  };
  const lc = p.longContext;
  if (lc) {
    const lcInput = lc.inputCostPerToken ?? input;
    const ratio = input > 0 ? lcInput / input : 1;
    out['long_context.threshold'] = lc.thresholdTokens;
    out['long_context.input'] = lcInput;
    out['long_context.output'] = lc.outputCostPerToken ?? out.output;
    out['long_context.cache_read'] = lc.cacheReadInputTokenCost ?? out.cache_read! * ratio;
    out['long_context.cache_write'] = lc.cacheCreationInputTokenCost ?? write * ratio;
  }
  return out;
}

function same(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

/** Reads a reviewed-exceptions file (`{ "exceptions": [...] }`); throws with the entry named when it is malformed. */
export function readExceptions(path: string | URL): Exception[] {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { exceptions?: unknown };
  if (!Array.isArray(doc.exceptions)) throw new Error(`${String(path)}: "exceptions" must be an array`);
  return doc.exceptions.map((e: unknown, i) => {
    const x = e as Partial<Exception>;
    const where = `${String(path)}: exceptions[${i}]${typeof x?.key === 'string' ? ` (${x.key})` : ''}`;
    if (typeof x?.key !== 'string' || x.key === '') throw new Error(`${where}: "key" must be a non-empty string`);
    if (x.status !== 'differs' && x.status !== 'missing') throw new Error(`${where}: "status" must be "differs" or "missing"`);
    for (const k of ['reason', 'source'] as const) {
      if (typeof x[k] !== 'string' || x[k]!.trim().length < 10) throw new Error(`${where}: "${k}" must say why (at least 10 characters)`);
    }
    if (x.status === 'differs' && (typeof x.fields !== 'object' || x.fields === null || Object.keys(x.fields).length === 0)) {
      throw new Error(`${where}: a "differs" exception lists the reviewed maintained values in "fields"`);
    }
    return x as Exception;
  });
}

/** Each row judged against the exceptions, and each exception that matches no row (stale). */
export function judge(rows: readonly CrossCheckRow[], exceptions: readonly Exception[]): { verdicts: Verdict[]; orphans: Exception[] } {
  const byKey = new Map(exceptions.map((e) => [e.key, e]));
  const used = new Set<string>();
  const verdicts = rows.map((row): Verdict => {
    const exception = byKey.get(row.key);
    if (exception) used.add(row.key);
    if (row.status === 'agrees') {
      return exception
        ? { row, outcome: 'stale', exception, detail: 'the maintained source agrees now: remove the exception' }
        : { row, outcome: 'ok' };
    }
    if (!exception) return { row, outcome: 'unexplained', detail: describe(row) };
    if (exception.status !== row.status) {
      return { row, outcome: 'stale', exception, detail: `exception says ${exception.status}, the check says ${row.status}: ${describe(row)}` };
    }
    if (row.status === 'differs') {
      const reviewed = exception.fields ?? {};
      const now = Object.fromEntries(row.differences.map((d) => [d.field, d.maintained ?? null]));
      const mismatch = [...new Set([...Object.keys(reviewed), ...Object.keys(now)])]
        .filter((f) => !(f in reviewed) || !(f in now) || !same(reviewed[f as Field] ?? undefined, now[f] ?? undefined));
      if (mismatch.length > 0) {
        return { row, outcome: 'stale', exception, detail: `the disagreement changed (${mismatch.join(', ')}): ${describe(row)}` };
      }
    }
    return { row, outcome: 'ok', exception };
  });
  return { verdicts, orphans: exceptions.filter((e) => !used.has(e.key)) };
}

const perM = (v: number | undefined) => (v === undefined ? 'none' : `$${+(v * 1e6).toPrecision(6)}/M`);

/** One line saying what differs (USD per million tokens). */
export function describe(row: CrossCheckRow): string {
  if (row.status === 'missing') return row.note ?? 'no counterpart';
  return `${row.maintainedModel}: ${row.differences
    .map((d) => (d.field === 'long_context.threshold' ? `${d.field} ${d.curated ?? 'none'} vs ${d.maintained ?? 'none'}` : `${d.field} ${perM(d.curated)} vs ${perM(d.maintained)}`))
    .join('; ')}`;
}

/** The reviewed exceptions of the bundled catalog (shipped beside catalog.json). */
export const CATALOG_EXCEPTIONS_URL = new URL('./cross-check-exceptions.json', import.meta.url);
