// PriceBook: overrides, then the curated catalog, then the maintained source (@pydantic/genai-prices);
// model matching (memoised), profile/region/latency-aware entry choice, and the cost of a call.
import { readFileSync, statSync } from 'node:fs';
import { diag } from '@opentelemetry/api';
import { COST_SOURCE_OVERRIDE, PROVIDER_AWS_BEDROCK, costSourceCatalog } from '@tokenledger/semconv';
import { CATALOG_VERSION, catalogPrices } from './catalog.ts';
import { priceProvisioned, priceUsage, unpriced } from './cost.ts';
import { PriceFileError } from './errors.ts';
import { inferProvider, maintainedLookup, maintainedProviderId } from './maintained.ts';
import { baseModelId, parseModelId, profileClass, withoutBedrockVendor, type ParsedModelId } from './model-id.ts';
import { parsePrices, type ParsedPrices } from './price-file.ts';
import type { CostBreakdown, CostOptions, InstancePrice, ModelPrice, ProvisionedPrice, Usage } from './types.ts';

export const ENV_PRICES_FILE = 'TOKENLEDGER_PRICES_FILE';
/** Distinct (context, id) pairs remembered; model ids come from traffic, so the memo is bounded. */
const MEMO_LIMIT = 10_000;
const CATALOG_SOURCE = costSourceCatalog(CATALOG_VERSION);

/** One layer's entries by normalised id and alias (each also without its `:…` suffix), and those with a `match` regex. */
interface Layer {
  byName: Map<string, ModelPrice[]>;
  withMatch: ModelPrice[];
  /** Bedrock entries by their ids and aliases without the vendor (see withoutBedrockVendor), for Bedrock calls only. */
  bedrockVendorless: Map<string, ModelPrice[]>;
}

/** Which entry prices a call, and the cost source (ATTR_COST_SOURCE value) it carries. */
export interface Resolved {
  price: ModelPrice;
  source: string;
}

/** Where a call's price comes from, step by step (`tokenledger prices lookup`). */
export interface Explanation {
  parsed: ParsedModelId;
  provider?: string;
  profileClass: string;
  region?: string;
  latency?: string;
  /** `override`, `catalog`, `maintained`, or undefined (unpriced). */
  layer?: 'override' | 'catalog' | 'maintained';
  resolved?: Resolved;
  /** Entries of the matched layer that name this model but do not fit the call (other profiles, regions, latency). */
  others: ModelPrice[];
  /** Why the maintained source's match was refused, when it was. */
  refused?: string;
  provisioned?: ProvisionedPrice;
}

/** The call context that selects among entries of one model. */
interface Context {
  provider?: string;
  region?: string;
  latency?: string;
}

export class PriceBook {
  private readonly modelList: readonly ModelPrice[];
  private readonly instanceList: readonly InstancePrice[];
  /** Overrides first, then catalog: each layer is searched by id/alias, then `match` regex. */
  private readonly layers: readonly Layer[];
  private readonly instanceByType = new Map<string, InstancePrice>();
  private readonly provisioned: readonly ProvisionedPrice[];
  /** provider → region → latency → model id → resolution (null: no price). */
  private readonly memo = new Map<string, Map<string, Map<string, Map<string, Resolved | null>>>>();
  private memoSize = 0;
  private readonly useMaintained: boolean;

  private constructor(catalog: ParsedPrices, overrides: ParsedPrices, opts: { maintained?: boolean } = {}) {
    const key = (m: ModelPrice) => `${m.provider ?? ''}|${parseModelId(m.id).id}|${m.profiles?.join(',') ?? ''}|${m.regions?.join(',') ?? ''}|${m.latency ?? ''}`;
    const overridden = new Set(overrides.models.map(key));
    const catalogModels = catalog.models.filter((c) => !overridden.has(key(c)));
    this.modelList = [...overrides.models, ...catalogModels];
    this.layers = [overrides.models, catalogModels].map(layerOf);
    for (const i of [...catalog.instances, ...overrides.instances]) this.instanceByType.set(i.type, i);
    this.instanceList = [...this.instanceByType.values()];
    this.provisioned = [...overrides.provisioned, ...catalog.provisioned];
    this.useMaintained = opts.maintained ?? true;
  }

  /** The bundled catalog alone (and the maintained source behind it, unless `maintained: false`). */
  static fromCatalog(opts: { maintained?: boolean } = {}): PriceBook {
    return new PriceBook(catalogPrices(), { models: [], instances: [], provisioned: [] }, opts);
  }

  /** Catalog plus the overrides of `pricesFile` (default: $TOKENLEDGER_PRICES_FILE); throws PriceFileError when it is unusable. */
  static load(opts: { pricesFile?: string; maintained?: boolean } = {}): PriceBook {
    const fromEnv = opts.pricesFile === undefined;
    const file = opts.pricesFile ?? process.env[ENV_PRICES_FILE];
    if (file === undefined || file === '') return PriceBook.fromCatalog(opts);
    return new PriceBook(catalogPrices(), readPriceFile(file, fromEnv ? `${ENV_PRICES_FILE}=${file}` : file), opts);
  }

  /** The entry pricing `modelId` for `provider` (any provider when absent), or undefined. */
  lookup(modelId: string, provider?: string, ctx: { region?: string; latency?: string } = {}): ModelPrice | undefined {
    return this.resolve(modelId, { provider, region: ctx.region, latency: ctx.latency })?.price;
  }

  /** The entry and its cost source for a call, memoised per provider, region, latency and id. */
  resolve(modelId: string, ctx: Context = {}): Resolved | undefined {
    // provider → region → latency → id: nested maps, so no key is built per call.
    let byRegion = this.memo.get(ctx.provider ?? '');
    const byLatency = byRegion?.get(ctx.region ?? '');
    let byId = byLatency?.get(ctx.latency ?? '');
    let hit = byId?.get(modelId);
    if (hit === undefined) {
      hit = this.explainFor(modelId, ctx).resolved ?? null;
      if (this.memoSize >= MEMO_LIMIT) {
        this.memo.clear();
        this.memoSize = 0;
        byRegion = undefined;
        byId = undefined;
      }
      if (!byId) {
        if (!byRegion) this.memo.set(ctx.provider ?? '', (byRegion = new Map()));
        let latencies = byRegion.get(ctx.region ?? '');
        if (!latencies) byRegion.set(ctx.region ?? '', (latencies = new Map()));
        latencies.set(ctx.latency ?? '', (byId = new Map()));
      }
      byId.set(modelId, hit);
      this.memoSize++;
    }
    return hit ?? undefined;
  }

  /**
   * The cost of one call; `priced: false` (source `unpriced`) when no entry matches or the tier is not
   * per-token. A model id served by configured Provisioned Throughput is charged its share of the model units
   * for `opts.durationS` instead (tier `provisioned`). Never throws: a failure is reported to diag and the call
   * comes back unpriced.
   */
  cost(modelId: string, usage: Usage, opts: CostOptions = {}): CostBreakdown {
    const tier = opts.tier ?? 'on_demand';
    try {
      if (this.provisioned.length > 0) {
        const pt = this.provisionedFor(modelId, opts.provider);
        if (pt) {
          if (opts.durationS === undefined) return unpriced('provisioned');
          return priceProvisioned(pt, opts.durationS, pt.origin === 'override' ? COST_SOURCE_OVERRIDE : CATALOG_SOURCE);
        }
      }
      const resolved = this.resolve(modelId, opts);
      if (!resolved) return unpriced(tier);
      return priceUsage(resolved.price, usage, tier, resolved.source, opts.provider);
    } catch (err) {
      diag.error(`tokenledger: pricing ${modelId} failed`, err);
      return unpriced(tier);
    }
  }

  instance(type: string): InstancePrice | undefined {
    return this.instanceByType.get(type.trim().toLowerCase());
  }

  models(): readonly ModelPrice[] {
    return this.modelList;
  }

  instances(): readonly InstancePrice[] {
    return this.instanceList;
  }

  provisionedThroughput(): readonly ProvisionedPrice[] {
    return this.provisioned;
  }

  /** Every step of finding the price of a call (`tokenledger prices lookup`); not memoised. */
  explain(modelId: string, ctx: Context = {}): Explanation {
    return this.explainFor(modelId, ctx);
  }

  private provisionedFor(modelId: string, provider: string | undefined): ProvisionedPrice | undefined {
    const raw = modelId.trim();
    return this.provisioned.find((p) => (p.provider === undefined || provider === undefined || p.provider === provider) && p.match.test(raw));
  }

  private explainFor(modelId: string, ctx: Context): Explanation {
    const raw = modelId.trim().toLowerCase();
    const parsed = parseModelId(raw);
    const provider = parsed.provider ?? ctx.provider;
    const bedrockish = provider === undefined || provider === PROVIDER_AWS_BEDROCK;
    const region = bedrockish ? ctx.region ?? parsed.region : undefined;
    const cls = profileClass(parsed.profile, region);
    const latency = ctx.latency === 'optimized' ? 'optimized' : undefined;
    const out: Explanation = { parsed, provider, profileClass: cls, region, latency, others: [] };
    const provisioned = this.provisionedFor(modelId, provider);
    if (provisioned) out.provisioned = provisioned;
    const fits = (p: ModelPrice) => provider === undefined || p.provider === undefined || p.provider === provider;
    const base = baseModelId(parsed.id);
    for (const [i, layer] of this.layers.entries()) {
      let named = [...new Set([...(layer.byName.get(parsed.id) ?? []), ...(layer.byName.get(base) ?? [])])].filter(fits);
      // A Bedrock id written without its vendor (OpenLLMetry's `claude-haiku-4-5-20251001-v1:0`).
      if (named.length === 0 && provider === PROVIDER_AWS_BEDROCK) {
        named = [...new Set([...(layer.bedrockVendorless.get(parsed.id) ?? []), ...(layer.bedrockVendorless.get(base) ?? [])])];
      }
      if (named.length === 0) named = layer.withMatch.filter((p) => fits(p) && (p.match!.test(parsed.id) || p.match!.test(raw)));
      if (named.length === 0) continue;
      const chosen = choose(named, cls, region, latency);
      if (!chosen) {
        out.others.push(...named);
        continue;
      }
      out.layer = i === 0 ? 'override' : 'catalog';
      out.resolved = { price: chosen, source: chosen.origin === 'override' ? COST_SOURCE_OVERRIDE : CATALOG_SOURCE };
      out.others = named.filter((p) => p !== chosen);
      return out;
    }
    // The maintained source knows no latency-optimized prices: such a call stays unpriced rather than at standard.
    if (!this.useMaintained || latency) return out;
    const maintainedProvider = provider ?? inferProvider(parsed.id, parsed.profile);
    if (maintainedProvider === undefined || maintainedProviderId(maintainedProvider) === undefined) return out;
    const found = maintainedLookup(parsed.profile ? `${parsed.profile}.${parsed.id}` : parsed.id, maintainedProvider);
    if (found && 'refused' in found) out.refused = found.refused;
    else if (found) {
      out.layer = 'maintained';
      out.resolved = { price: found.price, source: found.source };
    }
    return out;
  }
}

function layerOf(prices: readonly ModelPrice[]): Layer {
  const byName = new Map<string, ModelPrice[]>();
  const bedrockVendorless = new Map<string, ModelPrice[]>();
  for (const price of prices) {
    const names = new Set<string>();
    for (const name of [price.id, ...(price.aliases ?? [])]) {
      const id = parseModelId(name).id;
      names.add(id);
      names.add(baseModelId(id));
    }
    for (const n of names) byName.set(n, [...(byName.get(n) ?? []), price]);
    if (price.provider !== PROVIDER_AWS_BEDROCK) continue;
    for (const n of names) {
      const vendorless = withoutBedrockVendor(n);
      if (vendorless !== undefined) bedrockVendorless.set(vendorless, [...(bedrockVendorless.get(vendorless) ?? []), price]);
    }
  }
  return { byName, withMatch: prices.filter((p) => p.match !== undefined), bedrockVendorless };
}

/**
 * Among entries of one model, the one for this call: its latency must agree (a latency-optimized call needs a
 * latency-optimized entry), its profiles and regions (when it names any) must include the call's; the entry
 * naming the most of them wins, the earliest on a tie.
 */
function choose(entries: ModelPrice[], cls: string, region: string | undefined, latency: string | undefined): ModelPrice | undefined {
  let best: ModelPrice | undefined;
  let bestScore = -1;
  for (const e of entries) {
    if ((e.latency ?? undefined) !== latency) continue;
    if (e.profiles && !e.profiles.includes(cls)) continue;
    if (e.regions && !(region !== undefined && e.regions.some((r) => (r.endsWith('*') ? region.startsWith(r.slice(0, -1)) : region === r)))) continue;
    const score = (e.profiles ? 1 : 0) + (e.regions ? 2 : 0);
    if (score > bestScore) {
      best = e;
      bestScore = score;
    }
  }
  return best;
}

function readPriceFile(file: string, label: string): ParsedPrices {
  let text: string;
  let checked: string;
  try {
    text = readFileSync(file, 'utf8');
    checked = statSync(file).mtime.toISOString().slice(0, 10);
  } catch (err) {
    throw new PriceFileError(label, `cannot be read (${(err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PriceFileError(label, `is not valid JSON (${(err as Error).message})`);
  }
  // Entries without their own provenance are attributed to the file and its modification day.
  return parsePrices(doc, label, { origin: 'override', source: `file:${file}`, checked });
}

let defaultBook: PriceBook | undefined;

/** PriceBook.load() once per process (TOKENLEDGER_PRICES_FILE is read on the first call). */
export function defaultPriceBook(): PriceBook {
  defaultBook ??= PriceBook.load();
  return defaultBook;
}

/** Forgets the memoised default book (tests). */
export function resetDefaultPriceBook(): void {
  defaultBook = undefined;
}
