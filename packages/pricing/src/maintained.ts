// The maintained price source behind the curated catalog: @pydantic/genai-prices. Loaded on the first
// lookup the catalog cannot answer (≈ 25–35 ms, ≈ 4 MB of heap), never before. Its matching is used as it
// is, with one guard: a match whose id differs from the call's by more than a date, `-latest`, `:N` or the
// matched model's own version tail is refused, so a model never borrows a neighbour's price.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { diag } from '@opentelemetry/api';
import {
  PROVIDER_ANTHROPIC,
  PROVIDER_AWS_BEDROCK,
  PROVIDER_COHERE,
  PROVIDER_OPENAI,
  costSourceMaintained,
} from '@tokenledger/semconv';
import type { LongContextPrice, ModelPrice } from './types.ts';

/** The parts of @pydantic/genai-prices used here (its own types, narrowed). */
type MatchLogic =
  | { and: MatchLogic[] } | { or: MatchLogic[] } | { contains: string } | { ends_with: string }
  | { equals: string } | { regex: string } | { starts_with: string };
type Tiered = { base: number; tiers: { start: number; price: number }[] };
type GenaiPrice = Record<string, number | Tiered | undefined>;
interface GenaiModel { id: string; name?: string; match: MatchLogic; price_comments?: string }
interface GenaiProvider { id: string; name: string; pricing_urls?: string[]; models: GenaiModel[] }
interface GenaiResult { model: GenaiModel; model_price: GenaiPrice; provider: GenaiProvider }
interface GenaiModule {
  calcPrice(usage: Record<string, number>, modelId: string, options?: { providerId?: string; timestamp?: Date }): GenaiResult | null;
  findProvider(options: { providerId?: string }): GenaiProvider | undefined;
}

export const MAINTAINED_PACKAGE = '@pydantic/genai-prices';

/** gen_ai.provider.name values → genai-prices provider ids. Other providers (self-hosted servers, SageMaker) are never priced by it. */
const PROVIDERS: Record<string, string> = {
  [PROVIDER_AWS_BEDROCK]: 'aws',
  [PROVIDER_OPENAI]: 'openai',
  [PROVIDER_ANTHROPIC]: 'anthropic',
  [PROVIDER_COHERE]: 'cohere',
  'azure.ai.openai': 'azure',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  mistral_ai: 'mistral',
  deepseek: 'deepseek',
  x_ai: 'x-ai',
  groq: 'groq',
  perplexity: 'perplexity',
};

/** What a call's provider is when the span names none, from the shape of the model id alone. */
export function inferProvider(id: string, profile: string | undefined): string | undefined {
  if (profile || /^(?:amazon|anthropic|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|google|nvidia|minimax|moonshotai|twelvelabs)\.[a-z0-9]/.test(id)) {
    return PROVIDER_AWS_BEDROCK;
  }
  if (/^claude-/.test(id)) return PROVIDER_ANTHROPIC;
  if (/^(?:gpt-|chatgpt-|o[134](?:-|$)|text-embedding-)/.test(id)) return PROVIDER_OPENAI;
  return undefined;
}

let loaded: { module: GenaiModule; version: string; source: string } | null | undefined;

/** The package, loaded once on first use; null (and a diag message) when it cannot be loaded. */
function genai(): { module: GenaiModule; version: string; source: string } | null {
  if (loaded !== undefined) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const module = require(MAINTAINED_PACKAGE) as GenaiModule;
    const version = packageVersion(require.resolve(MAINTAINED_PACKAGE));
    loaded = { module, version, source: costSourceMaintained(version) };
  } catch (err) {
    diag.warn(`tokenledger: ${MAINTAINED_PACKAGE} could not be loaded; models the catalog lacks stay unpriced`, err);
    loaded = null;
  }
  return loaded;
}

/** The installed version: package.json beside dist/ (the package does not export it). */
function packageVersion(entry: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === MAINTAINED_PACKAGE && pkg.version) return pkg.version;
    } catch {
      // not here; one level up
    }
  }
  return 'unknown';
}

/** `genai-prices:<version>` of the installed package (loads it). */
export function maintainedSource(): string | undefined {
  return genai()?.source ?? undefined;
}

/** Whether the package has been loaded (tests and the load-time bench). */
export function maintainedLoaded(): boolean {
  return loaded !== undefined && loaded !== null;
}

/** The maintained source's provider id for a gen_ai.provider.name, if it prices that provider. */
export function maintainedProviderId(provider: string | undefined): string | undefined {
  return provider === undefined ? undefined : PROVIDERS[provider];
}

/** A resolved maintained price, or the reason there is none. */
export type MaintainedLookup = { price: ModelPrice; model: string; provider: string; source: string } | { refused: string } | undefined;

/**
 * The maintained source's price of `id` (lower-cased, ARN and router prefix removed, profile prefix kept as
 * `profile.`) for a provider it covers, converted to a ModelPrice (origin `maintained`). Undefined when it has
 * none; `{refused}` when its match would borrow a neighbour's price or prices units this book cannot count.
 */
export function maintainedLookup(id: string, provider: string, at: Date = new Date()): MaintainedLookup {
  const providerId = PROVIDERS[provider];
  const g = providerId === undefined ? null : genai();
  if (!g || providerId === undefined) return undefined;
  let result: GenaiResult | null;
  try {
    result = g.module.calcPrice({}, id, { providerId, timestamp: at });
  } catch (err) {
    diag.debug(`tokenledger: ${MAINTAINED_PACKAGE} failed for ${id}`, err);
    return undefined;
  }
  if (!result) return undefined;
  const why = borrowed(id, result.model);
  if (why) return { refused: `${result.provider.id}/${result.model.id} ${why}` };
  const price = toModelPrice(result, provider, g.source);
  if (!price) return { refused: `${result.provider.id}/${result.model.id} has no per-token price` };
  return { price, model: result.model.id, provider: result.provider.id, source: g.source };
}

/** Per-million keys of genai-prices → ModelPrice fields. */
const KEYS = {
  input_mtok: 'inputCostPerToken',
  output_mtok: 'outputCostPerToken',
  cache_read_mtok: 'cacheReadInputTokenCost',
  cache_write_mtok: 'cacheCreationInputTokenCost',
  cache_write_1h_mtok: 'cacheCreationInputTokenCost1h',
} as const satisfies Record<string, keyof ModelPrice & keyof LongContextPrice>;

function toModelPrice(result: GenaiResult, provider: string, source: string): ModelPrice | undefined {
  const mp = result.model_price;
  if (mp.input_mtok === undefined && mp.output_mtok === undefined) return undefined;
  const price: ModelPrice = {
    id: result.model.id,
    provider,
    source: `${source} (${result.provider.id}/${result.model.id}${result.provider.pricing_urls?.[0] ? `, ${result.provider.pricing_urls[0]}` : ''})`,
    checked: '',
    origin: 'maintained',
  };
  let longContext: LongContextPrice | undefined;
  for (const [key, field] of Object.entries(KEYS)) {
    const v = mp[key];
    if (v === undefined) continue;
    if (typeof v === 'number') {
      price[field] = v / 1e6;
      continue;
    }
    price[field] = v.base / 1e6;
    const tier = [...v.tiers].sort((a, b) => a.start - b.start)[0];
    if (!tier) continue;
    // One threshold per entry: the lowest tier start of any key (they agree in the data).
    longContext ??= { thresholdTokens: tier.start };
    longContext.thresholdTokens = Math.min(longContext.thresholdTokens, tier.start);
    longContext[field] = tier.price / 1e6;
  }
  if (longContext) price.longContext = longContext;
  return price;
}

/** Version-neutral parts: snapshot dates anywhere, and `-latest` / `:N` at the end. */
const DATE_PART = /[-@]?\d{4}-?\d{2}-?\d{2}(?=$|[-:@.])/g;
const NEUTRAL_TAIL = /(?:-latest|:\d+)+$/;
const core = (s: string) => s.replace(DATE_PART, '').replace(NEUTRAL_TAIL, '');

/** What `id` has after position `end`, without the characters of snapshot dates (also a date the rule cuts in two). */
function restAfter(id: string, end: number): string {
  const dates = [...id.matchAll(DATE_PART)].map((m) => [m.index, m.index + m[0].length] as const);
  let out = '';
  for (let i = end; i < id.length; i++) if (!dates.some(([a, b]) => i >= a && i < b)) out += id[i];
  return out.replace(NEUTRAL_TAIL, '');
}

/**
 * Why the match of `id` to `model` would borrow a neighbour's price, or undefined when it does not: what the
 * id has after the leaf rule that matched, without snapshot dates, `-latest` and `:N`, must be nothing or the
 * version tail the matched model's own id has (`-v2` for `…-20241022-v2:0`). `equals` and `regex` rules are
 * exact by construction.
 */
export function borrowed(id: string, model: GenaiModel): string | undefined {
  const leaves = matchingLeaves(model.match, id);
  if (leaves.length === 0) return undefined; // matched after the package's own date normalisation
  for (const leaf of leaves) {
    if ('equals' in leaf || 'regex' in leaf) return undefined;
    const text = ('contains' in leaf ? leaf.contains : 'starts_with' in leaf ? leaf.starts_with : (leaf as { ends_with: string }).ends_with).toLowerCase();
    const at = 'starts_with' in leaf ? 0 : id.indexOf(text);
    if (at > 0 && !/[./]$/.test(id.slice(0, at))) continue; // `contains` inside a longer name
    const rest = restAfter(id, at + text.length);
    if (rest === '' || rest === ownTail(model.id.toLowerCase(), text)) return undefined;
  }
  return `matches by a shorter name (${JSON.stringify(leaves.map((l) => Object.values(l)[0]))})`;
}

/** What the matched model's own id has after the rule's text (profile parts of the text dropped until it is found). */
function ownTail(modelId: string, text: string): string | undefined {
  for (let t = text; t !== ''; t = t.includes('.') ? t.slice(t.indexOf('.') + 1) : '') {
    const at = modelId.indexOf(t);
    if (at >= 0) return core(modelId.slice(at + t.length));
  }
  return undefined;
}

function matchingLeaves(m: MatchLogic, id: string): MatchLogic[] {
  if ('or' in m) return m.or.flatMap((x) => matchingLeaves(x, id));
  if ('and' in m) return m.and.every((x) => matchingLeaves(x, id).length > 0) ? m.and.flatMap((x) => matchingLeaves(x, id)) : [];
  const s = id.toLowerCase();
  if ('equals' in m) return s === m.equals.toLowerCase() ? [m] : [];
  if ('starts_with' in m) return s.startsWith(m.starts_with.toLowerCase()) ? [m] : [];
  if ('ends_with' in m) return s.endsWith(m.ends_with.toLowerCase()) ? [m] : [];
  if ('contains' in m) return s.includes(m.contains.toLowerCase()) ? [m] : [];
  return new RegExp(m.regex).test(id) ? [m] : [];
}

/** Every model of the maintained source for `provider` (the CLI's lookup and the evaluation). */
export function maintainedModels(provider: string): GenaiModel[] {
  const providerId = PROVIDERS[provider];
  return (providerId && genai()?.module.findProvider({ providerId })?.models) || [];
}
