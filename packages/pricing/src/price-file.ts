// Parses and validates the price-file shape of the design (snake_case, USD per token) into ModelPrice/InstancePrice.
import { PriceFileError } from './errors.ts';
import type { InstancePrice, ModelPrice } from './types.ts';

type Origin = ModelPrice['origin'];

/** snake_case file key → in-memory numeric field. */
const MODEL_NUMBER_KEYS = {
  input_cost_per_token: 'inputCostPerToken',
  output_cost_per_token: 'outputCostPerToken',
  cache_read_input_token_cost: 'cacheReadInputTokenCost',
  cache_creation_input_token_cost: 'cacheCreationInputTokenCost',
  input_cost_per_token_batches: 'inputCostPerTokenBatches',
  output_cost_per_token_batches: 'outputCostPerTokenBatches',
  input_cost_per_token_flex: 'inputCostPerTokenFlex',
  output_cost_per_token_flex: 'outputCostPerTokenFlex',
  input_cost_per_token_priority: 'inputCostPerTokenPriority',
  output_cost_per_token_priority: 'outputCostPerTokenPriority',
  cost_per_query: 'costPerQuery',
} as const satisfies Record<string, keyof ModelPrice>;
const MODEL_KEYS = new Set(['id', 'provider', 'match', 'source', 'checked', ...Object.keys(MODEL_NUMBER_KEYS)]);
const INSTANCE_KEYS = new Set(['type', 'hourly_usd', 'accelerators', 'source', 'checked']);
const TOP_KEYS = new Set(['models', 'instances']);

export interface ParsedPrices {
  models: ModelPrice[];
  instances: InstancePrice[];
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
  for (const [key, field] of Object.entries(MODEL_NUMBER_KEYS)) {
    if (entry[key] !== undefined) price[field] = amount(entry[key], key, fail);
  }
  // An entry without any price would price calls at zero, which the contract forbids.
  if (price.inputCostPerToken === undefined && price.outputCostPerToken === undefined && price.costPerQuery === undefined) {
    fail('needs at least one of "input_cost_per_token", "output_cost_per_token", "cost_per_query"');
  }
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
