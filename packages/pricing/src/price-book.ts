// PriceBook: catalog + overrides, model matching (memoised) and cost of a call.
import { readFileSync, statSync } from 'node:fs';
import { COST_SOURCE_OVERRIDE, costSourceCatalog } from '@tokenledger/semconv';
import { CATALOG_VERSION, catalogPrices } from './catalog.ts';
import { priceUsage, unpriced } from './cost.ts';
import { PriceFileError } from './errors.ts';
import { baseModelId, isVersionSuffix, normaliseModelId } from './model-id.ts';
import { parsePrices, type ParsedPrices } from './price-file.ts';
import type { CostBreakdown, CostOptions, InstancePrice, ModelPrice, Usage } from './types.ts';

export const ENV_PRICES_FILE = 'TOKENLEDGER_PRICES_FILE';
/** Distinct (provider, id) pairs remembered; model ids come from traffic, so the memo is bounded. */
const MEMO_LIMIT = 10_000;
const CATALOG_SOURCE = costSourceCatalog(CATALOG_VERSION);

interface Indexed {
  price: ModelPrice;
  id: string;
  base: string;
}

export class PriceBook {
  private readonly modelList: readonly ModelPrice[];
  private readonly instanceList: readonly InstancePrice[];
  /** Overrides first, then catalog: each layer is searched exact → match regex → version prefix. */
  private readonly layers: readonly (readonly Indexed[])[];
  private readonly instanceByType = new Map<string, InstancePrice>();
  /** provider ('' for none) → model id → entry (null: no price). Two levels avoid building a key per call. */
  private readonly memo = new Map<string, Map<string, ModelPrice | null>>();
  private memoSize = 0;

  private constructor(catalog: ParsedPrices, overrides: ParsedPrices) {
    const replaced = (c: ModelPrice) =>
      overrides.models.some((o) => normaliseModelId(o.id) === normaliseModelId(c.id) && (o.provider === undefined || o.provider === c.provider));
    const catalogModels = catalog.models.filter((c) => !replaced(c));
    this.modelList = [...overrides.models, ...catalogModels];
    this.layers = [overrides.models, catalogModels].map((list) =>
      list.map((price) => {
        const id = normaliseModelId(price.id);
        return { price, id, base: baseModelId(id) };
      }),
    );
    for (const i of [...catalog.instances, ...overrides.instances]) this.instanceByType.set(i.type, i);
    this.instanceList = [...this.instanceByType.values()];
  }

  /** The bundled catalog alone. */
  static fromCatalog(): PriceBook {
    return new PriceBook(catalogPrices(), { models: [], instances: [] });
  }

  /** Catalog plus the overrides of `pricesFile` (default: $TOKENLEDGER_PRICES_FILE); throws PriceFileError when it is unusable. */
  static load(opts: { pricesFile?: string } = {}): PriceBook {
    const fromEnv = opts.pricesFile === undefined;
    const file = opts.pricesFile ?? process.env[ENV_PRICES_FILE];
    if (file === undefined || file === '') return PriceBook.fromCatalog();
    return new PriceBook(catalogPrices(), readPriceFile(file, fromEnv ? `${ENV_PRICES_FILE}=${file}` : file));
  }

  /** The entry pricing `modelId` for `provider` (any provider when absent), or undefined. */
  lookup(modelId: string, provider?: string): ModelPrice | undefined {
    let byId = this.memo.get(provider ?? '');
    let hit = byId?.get(modelId);
    if (hit === undefined) {
      hit = this.find(modelId, provider) ?? null;
      if (this.memoSize >= MEMO_LIMIT) {
        this.memo.clear();
        this.memoSize = 0;
        byId = undefined;
      }
      if (!byId) this.memo.set(provider ?? '', (byId = new Map()));
      byId.set(modelId, hit);
      this.memoSize++;
    }
    return hit ?? undefined;
  }

  /** The cost of one call; `priced: false` (source `unpriced`) when no entry matches or the tier is not per-token. */
  cost(modelId: string, usage: Usage, opts: CostOptions = {}): CostBreakdown {
    const tier = opts.tier ?? 'on_demand';
    const price = this.lookup(modelId, opts.provider);
    if (!price) return unpriced(tier);
    const source = price.origin === 'override' ? COST_SOURCE_OVERRIDE : CATALOG_SOURCE;
    return priceUsage(price, usage, tier, source, opts.provider);
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

  private find(modelId: string, provider: string | undefined): ModelPrice | undefined {
    const raw = modelId.trim();
    const id = normaliseModelId(raw);
    const base = baseModelId(id);
    const fits = (e: Indexed) => provider === undefined || e.price.provider === undefined || e.price.provider === provider;
    for (const layer of this.layers) {
      const candidates = layer.filter(fits);
      const exact = candidates.find((e) => e.id === id) ?? candidates.find((e) => e.base === base);
      if (exact) return exact.price;
      const byRegex = candidates.find((e) => e.price.match && (e.price.match.test(id) || e.price.match.test(raw)));
      if (byRegex) return byRegex.price;
      let best: Indexed | undefined;
      for (const e of candidates) {
        if (id.startsWith(e.base) && isVersionSuffix(id.slice(e.base.length)) && e.base.length > (best?.base.length ?? -1)) best = e;
      }
      if (best) return best.price;
    }
    return undefined;
  }
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
