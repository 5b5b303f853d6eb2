// Self-hosted model servers (OpenAI-compatible vLLM/TGI/LMI, SageMaker endpoints) from configuration:
// which provider and route a call belongs to, and its share of the instances' hourly price.
import { costAttributes, CATALOG_VERSION, defaultPriceBook, type CostBreakdown } from '@tokenledger/pricing';
import { COST_SOURCE_OVERRIDE, COST_SOURCE_UNPRICED, costSourceCatalog } from '@tokenledger/semconv';

export const ENV_SELF_HOSTED_ENDPOINTS = 'TOKENLEDGER_SELF_HOSTED_ENDPOINTS';

/** One configured endpoint. */
export interface SelfHostedEndpoint {
  /** Base-URL prefix (OpenAI-compatible servers) or endpoint name (SageMaker). */
  match: string;
  /** Provider name on the spans, e.g. `vllm`, `tgi`, `aws.sagemaker`. */
  provider: string;
  /** The model served, when the request does not name it. */
  model?: string;
  route?: string;
  /** EC2 (or `ml.`-prefixed SageMaker) instance type; priced from the catalog unless `hourlyUsd` is given. */
  instanceType?: string;
  /** Instances behind the endpoint. Default 1. */
  instances: number;
  /** Calls one instance serves at once; a call is charged its duration / concurrency of the hourly price. Default 1. */
  concurrency: number;
  /** Hourly price of one instance, overriding the catalog. */
  hourlyUsd?: number;
}

/**
 * Parses a JSON array of endpoints (`key` names the field that identifies each: `url` or `endpoint`).
 * Throws an Error naming the variable and the entry when it cannot be used: bad config fails at start.
 */
export function parseSelfHostedEndpoints(variable: string, text: string | undefined, key: 'url' | 'endpoint', defaultProvider?: string): SelfHostedEndpoint[] {
  if (text === undefined || text.trim() === '') return [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${variable} is not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(doc)) throw new Error(`${variable} must be a JSON array of endpoints`);
  return doc.map((raw, i) => {
    const where = `${variable}[${i}]`;
    if (!raw || typeof raw !== 'object') throw new Error(`${where} must be an object`);
    const e = raw as Record<string, unknown>;
    const str = (name: string, required = false): string | undefined => {
      const v = e[name];
      if (v === undefined && !required) return undefined;
      if (typeof v !== 'string' || v === '') throw new Error(`${where}.${name} must be a non-empty string`);
      return v;
    };
    const pos = (name: string): number | undefined => {
      const v = e[name];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !(v > 0)) throw new Error(`${where}.${name} must be a positive number`);
      return v;
    };
    const provider = str('provider', defaultProvider === undefined) ?? defaultProvider!;
    const endpoint: SelfHostedEndpoint = { match: str(key, true)!, provider, instances: pos('instances') ?? 1, concurrency: pos('concurrency') ?? 1 };
    const optional = { model: str('model'), route: str('route'), instanceType: str('instanceType'), hourlyUsd: pos('hourlyUsd') };
    for (const [k, v] of Object.entries(optional)) if (v !== undefined) (endpoint as unknown as Record<string, unknown>)[k] = v;
    if (endpoint.hourlyUsd === undefined && endpoint.instanceType !== undefined && !instanceHourly(endpoint.instanceType)) {
      throw new Error(`${where}.instanceType ${endpoint.instanceType} has no catalog price: add hourlyUsd`);
    }
    return endpoint;
  });
}

/** The first endpoint whose base-URL prefix matches `baseURL` (trailing slashes ignored). */
export function endpointForUrl(endpoints: readonly SelfHostedEndpoint[], baseURL: unknown): SelfHostedEndpoint | undefined {
  if (typeof baseURL !== 'string' || endpoints.length === 0) return undefined;
  const url = baseURL.replace(/\/+$/, '');
  return endpoints.find((e) => url.startsWith(e.match.replace(/\/+$/, '')));
}

/** The call's share of the hourly price: hourly × instances × duration / 3600 / concurrency, tier `self_hosted`. */
export function selfHostedCost(endpoint: SelfHostedEndpoint, durationS: number): Record<string, number | string> {
  const hourly = endpoint.hourlyUsd ?? (endpoint.instanceType ? instanceHourly(endpoint.instanceType)?.hourlyUsd : undefined);
  const source = endpoint.hourlyUsd !== undefined ? COST_SOURCE_OVERRIDE : hourly !== undefined
    ? instanceHourly(endpoint.instanceType!)!.origin === 'override' ? COST_SOURCE_OVERRIDE : costSourceCatalog(CATALOG_VERSION)
    : COST_SOURCE_UNPRICED;
  const total = hourly === undefined ? 0 : (hourly * endpoint.instances * durationS) / 3600 / endpoint.concurrency;
  const breakdown: CostBreakdown = {
    priced: hourly !== undefined, totalUsd: total, inputUsd: 0, outputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0,
    cacheSavingsUsd: 0, source, tier: 'self_hosted',
  };
  return costAttributes(breakdown);
}

/** Catalog price of an instance type; SageMaker `ml.` types fall back to their EC2 equivalent. */
function instanceHourly(type: string) {
  const book = defaultPriceBook();
  return book.instance(type) ?? (type.startsWith('ml.') ? book.instance(type.slice(3)) : undefined);
}
