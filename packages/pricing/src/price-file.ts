// Parses and validates the price-file shape of the design (snake_case, USD per token) into ModelPrice/InstancePrice.
import { PriceFileError } from './errors.ts';
import type { InstancePrice, LongContextPrice, ModelPrice, ProvisionedPrice } from './types.ts';

type Origin = 'catalog' | 'override';

/** snake_case file key → in-memory numeric field. */
const MODEL_NUMBER_KEYS = {
  input_cost_per_token: 'inputCostPerToken',
  output_cost_per_token: 'outputCostPerToken',
  cache_read_input_token_cost: 'cacheReadInputTokenCost',
  cache_creation_input_token_cost: 'cacheCreationInputTokenCost',
  cache_creation_input_token_cost_above_1hr: 'cacheCreationInputTokenCost1h',
  input_cost_per_token_batches: 'inputCostPerTokenBatches',
  output_cost_per_token_batches: 'outputCostPerTokenBatches',
  input_cost_per_token_flex: 'inputCostPerTokenFlex',
  output_cost_per_token_flex: 'outputCostPerTokenFlex',
  input_cost_per_token_priority: 'inputCostPerTokenPriority',
  output_cost_per_token_priority: 'outputCostPerTokenPriority',
  cost_per_query: 'costPerQuery',
} as const satisfies Record<string, keyof ModelPrice>;
/** Long-context keys (LiteLLM's names): the whole call is priced at them when its input exceeds 200k tokens. */
const LONG_CONTEXT_THRESHOLD = 200_000;
const LONG_CONTEXT_KEYS = {
  input_cost_per_token_above_200k_tokens: 'inputCostPerToken',
  output_cost_per_token_above_200k_tokens: 'outputCostPerToken',
  cache_read_input_token_cost_above_200k_tokens: 'cacheReadInputTokenCost',
  cache_creation_input_token_cost_above_200k_tokens: 'cacheCreationInputTokenCost',
  cache_creation_input_token_cost_above_1hr_above_200k_tokens: 'cacheCreationInputTokenCost1h',
} as const satisfies Record<string, keyof LongContextPrice>;
/** Inference-profile classes an entry may be limited to (see ModelPrice.profiles). */
export const PROFILE_CLASSES = new Set(['global', 'us', 'eu', 'apac', 'au', 'jp', 'ca', 'in', 'us-gov', 'in_region']);
const MODEL_KEYS = new Set([
  'id', 'provider', 'match', 'aliases', 'profiles', 'regions', 'latency', 'source', 'checked',
  ...Object.keys(MODEL_NUMBER_KEYS), ...Object.keys(LONG_CONTEXT_KEYS),
]);
const INSTANCE_KEYS = new Set(['type', 'hourly_usd', 'accelerators', 'source', 'checked']);
const PROVISIONED_KEYS = new Set(['id', 'provider', 'match', 'model_units', 'hourly_usd_per_model_unit', 'concurrency', 'source', 'checked']);
const TOP_KEYS = new Set(['models', 'instances', 'provisioned']);

export interface ParsedPrices {
  models: ModelPrice[];
  instances: InstancePrice[];
  provisioned: ProvisionedPrice[];
}

/** Defaults for entries that carry no `source`/`checked` of their own (price files may omit them). */
export interface EntryDefaults {
  origin: Origin;
  source?: string;
  checked?: string;
}

/** Validates a parsed JSON document; `file` only names the document in errors. */
export function parsePrices(doc: unknown, file: string, defaults: EntryDefaults): ParsedPrices {
  if (!isObject(doc)) throw new PriceFileError(file, 'top level must be an object with "models" and/or "instances"');
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.has(key)) throw new PriceFileError(file, `unknown top-level key "${key}"`);
  }
  return {
    models: list(doc.models, file, 'models').map((e, i) => parseModel(e, file, i, defaults)),
    instances: list(doc.instances, file, 'instances').map((e, i) => parseInstance(e, file, i, defaults)),
    provisioned: list(doc.provisioned, file, 'provisioned').map((e, i) => parseProvisioned(e, file, i, defaults)),
  };
}

function parseModel(entry: unknown, file: string, index: number, defaults: EntryDefaults): ModelPrice {
  const where = entryName('models', index, isObject(entry) ? entry.id : undefined);
  const fail = (detail: string): never => {
    throw new PriceFileError(file, `${where}: ${detail}`);
  };
  if (!isObject(entry)) return fail('must be an object');
  for (const key of Object.keys(entry)) if (!MODEL_KEYS.has(key)) fail(`unknown key "${key}"`);
  const id = requiredString(entry, 'id', fail);
  const price: ModelPrice = {
    id,
    source: provenance(entry, 'source', defaults.source, fail),
    checked: provenance(entry, 'checked', defaults.checked, fail),
    origin: defaults.origin,
  };
  const provider = optionalString(entry, 'provider', fail);
  if (provider !== undefined) price.provider = provider;
  const match = optionalString(entry, 'match', fail);
  if (match !== undefined) {
    try {
      price.match = new RegExp(match, 'i');
    } catch (err) {
      fail(`key "match" is not a valid regular expression (${(err as Error).message})`);
    }
  }
  if (entry.aliases !== undefined) price.aliases = stringList(entry, 'aliases', fail);
  if (entry.profiles !== undefined) {
    price.profiles = stringList(entry, 'profiles', fail).map((p) => p.toLowerCase());
    const unknown = price.profiles.find((p) => !PROFILE_CLASSES.has(p));
    if (unknown !== undefined) fail(`key "profiles": unknown profile "${unknown}" (one of ${[...PROFILE_CLASSES].join(', ')})`);
  }
  if (entry.regions !== undefined) price.regions = stringList(entry, 'regions', fail).map((r) => r.toLowerCase());
  if (entry.latency !== undefined) {
    if (entry.latency !== 'optimized') fail(`key "latency" must be "optimized" (got ${JSON.stringify(entry.latency)})`);
    price.latency = 'optimized';
  }
  for (const [key, field] of Object.entries(MODEL_NUMBER_KEYS)) {
    if (entry[key] !== undefined) price[field] = amount(entry[key], key, fail);
  }
  let longContext: LongContextPrice | undefined;
  for (const [key, field] of Object.entries(LONG_CONTEXT_KEYS)) {
    if (entry[key] === undefined) continue;
    longContext ??= { thresholdTokens: LONG_CONTEXT_THRESHOLD };
    longContext[field] = amount(entry[key], key, fail);
  }
  if (longContext) {
    if (longContext.inputCostPerToken === undefined) fail('long-context prices need "input_cost_per_token_above_200k_tokens"');
    price.longContext = longContext;
  }
  // An entry without any price would price calls at zero, which the contract forbids.
  if (price.inputCostPerToken === undefined && price.outputCostPerToken === undefined && price.costPerQuery === undefined) {
    fail('needs at least one of "input_cost_per_token", "output_cost_per_token", "cost_per_query"');
  }
  return price;
}

function parseProvisioned(entry: unknown, file: string, index: number, defaults: EntryDefaults): ProvisionedPrice {
  const where = entryName('provisioned', index, isObject(entry) ? entry.id : undefined);
  const fail = (detail: string): never => {
    throw new PriceFileError(file, `${where}: ${detail}`);
  };
  if (!isObject(entry)) return fail('must be an object');
  for (const key of Object.keys(entry)) if (!PROVISIONED_KEYS.has(key)) fail(`unknown key "${key}"`);
  const id = requiredString(entry, 'id', fail);
  const matchText = requiredString(entry, 'match', fail);
  let match: RegExp;
  try {
    match = new RegExp(matchText, 'i');
  } catch (err) {
    return fail(`key "match" is not a valid regular expression (${(err as Error).message})`);
  }
  for (const key of ['model_units', 'hourly_usd_per_model_unit']) if (entry[key] === undefined) fail(`missing key "${key}"`);
  const positive = (key: string): number => {
    const n = amount(entry[key], key, fail);
    return n > 0 ? n : fail(`key "${key}" must be greater than 0`);
  };
  const price: ProvisionedPrice = {
    id,
    match,
    modelUnits: positive('model_units'),
    hourlyUsdPerModelUnit: positive('hourly_usd_per_model_unit'),
    concurrency: entry.concurrency === undefined ? 1 : positive('concurrency'),
    source: provenance(entry, 'source', defaults.source, fail),
    checked: provenance(entry, 'checked', defaults.checked, fail),
    origin: defaults.origin,
  };
  const provider = optionalString(entry, 'provider', fail);
  if (provider !== undefined) price.provider = provider;
  return price;
}

function parseInstance(entry: unknown, file: string, index: number, defaults: EntryDefaults): InstancePrice {
  const where = entryName('instances', index, isObject(entry) ? entry.type : undefined);
  const fail = (detail: string): never => {
    throw new PriceFileError(file, `${where}: ${detail}`);
  };
  if (!isObject(entry)) return fail('must be an object');
  for (const key of Object.keys(entry)) if (!INSTANCE_KEYS.has(key)) fail(`unknown key "${key}"`);
  if (entry.hourly_usd === undefined) fail('missing key "hourly_usd"');
  const instance: InstancePrice = {
    type: requiredString(entry, 'type', fail).toLowerCase(),
    hourlyUsd: amount(entry.hourly_usd, 'hourly_usd', fail),
    source: provenance(entry, 'source', defaults.source, fail),
    checked: provenance(entry, 'checked', defaults.checked, fail),
    origin: defaults.origin,
  };
  if (entry.accelerators !== undefined) {
    const n = entry.accelerators;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) fail('key "accelerators" must be a non-negative integer');
    instance.accelerators = n as number;
  }
  return instance;
}

type Fail = (detail: string) => never;

function stringList(entry: Record<string, unknown>, key: string, fail: Fail): string[] {
  const value = entry[key];
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
    return fail(`key "${key}" must be a non-empty array of non-empty strings`);
  }
  return (value as string[]).map((v) => v.trim());
}

function amount(value: unknown, key: string, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    return fail(`key "${key}" must be a finite number >= 0 (got ${JSON.stringify(value)})`);
  }
  return value;
}

function requiredString(entry: Record<string, unknown>, key: string, fail: Fail): string {
  const value = entry[key];
  if (typeof value !== 'string' || value.trim() === '') return fail(`key "${key}" must be a non-empty string`);
  return value.trim();
}

function optionalString(entry: Record<string, unknown>, key: string, fail: Fail): string | undefined {
  return entry[key] === undefined ? undefined : requiredString(entry, key, fail);
}

function provenance(entry: Record<string, unknown>, key: string, fallback: string | undefined, fail: Fail): string {
  const value = optionalString(entry, key, fail) ?? fallback;
  return value ?? fail(`missing key "${key}"`);
}

function list(value: unknown, file: string, key: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new PriceFileError(file, `key "${key}" must be an array`);
  return value;
}

function entryName(kind: string, index: number, name: unknown): string {
  return typeof name === 'string' && name !== '' ? `${kind}[${index}] (${JSON.stringify(name)})` : `${kind}[${index}]`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
