// Quota pressure and throttles, live from the spans as they are accepted (not at trace finalisation: a
// long trace would report its calls minutes late). Per model and region: the Bedrock tokens-per-minute quota
// usage over the last minute (burndown.ts), its ratio to the configured quota, and throttling of any provider.
import { diag } from '@opentelemetry/api';
import type { PriceBook } from '@tokenledger/pricing';
import * as sc from '@tokenledger/semconv';
import type { CollectorComponent, Signal } from '../components/types.ts';
import type { QuotaConfig, TokenQuota } from '../config/quota.ts';
import type { Clock } from '../config/types.ts';
import type { MetricFamily, Registry } from '../metrics/registry.ts';
import { num, str } from '../model/attribute-values.ts';
import type { SpanRecord } from '../model/span-record.ts';
import { callCost, type PricedSpan } from '../rollup/call-cost.ts';
import { outputBurndownRate, quotaTokens } from './burndown.ts';

const MINUTE_MS = 60_000;
/** Span ids remembered to count a span an OTLP client sent twice once (its answer lost); bounded. */
const SEEN_LIMIT = 200_000;
/** How often the ratio is sampled for CloudWatch (QuotaUsage); the gauges are computed when scraped. */
const SAMPLE_MS = 10_000;
const THROTTLING = /throttl|too ?many ?requests|rate ?limit|^429$/i;

interface Usage {
  model: string;
  region: string;
  /** Quota tokens by the second the call ended in (epoch ms). */
  bySecond: Map<number, number>;
}

/** What the calls of one batch of spans to a model and region add: summed, then counted once. */
interface BatchUsage extends Usage {
  dims: [string, string][];
  /** Output burndown rate of the model (in this region). */
  rate: number;
  tokens: number;
}

/** model → region → its BatchUsage (no key string made per span). */
type Batch = Map<string, Map<string, BatchUsage>>;

export class QuotaPressure implements CollectorComponent {
  private readonly config: QuotaConfig;
  private readonly book: PriceBook;
  private readonly clock: Clock;
  private readonly publish: (signals: readonly Signal[]) => void;
  private readonly usage = new Map<string, Usage>();
  private readonly seen = new Set<string>();
  private readonly quotaTokensTotal: MetricFamily;
  private readonly throttles: MetricFamily;
  private timer?: NodeJS.Timeout;

  constructor(o: { config: QuotaConfig; book: PriceBook; clock: Clock; registry: Registry; publish: (signals: readonly Signal[]) => void }) {
    this.config = o.config;
    this.book = o.book;
    this.clock = o.clock;
    this.publish = o.publish;
    const r = o.registry;
    const where = [sc.LABEL_MODEL, sc.LABEL_REGION];
    this.quotaTokensTotal = r.counter(sc.METRIC_QUOTA_TOKENS_TOTAL, 'Tokens counted against Bedrock tokens-per-minute quotas: input + cache write + output × burndown rate.', where);
    this.throttles = r.counter(sc.METRIC_THROTTLES_TOTAL, 'Throttling: SDK attempts retried inside calls (kind=retry), calls that failed throttled (kind=error).', [sc.LABEL_PROVIDER, ...where, sc.LABEL_KIND]);
    // Computed when scraped, so a quiet minute reads 0 rather than the last busy one.
    r.gaugeFamily(sc.METRIC_QUOTA_TOKENS_PER_MINUTE, 'Estimated tokens-per-minute quota usage over the last minute.', where);
    r.gaugeFamily(sc.METRIC_QUOTA_LIMIT_TOKENS_PER_MINUTE, 'Configured tokens-per-minute quota (TOKENLEDGER_QUOTAS).', where);
    r.gaugeFamily(sc.METRIC_QUOTA_USAGE_RATIO, 'Estimated tokens-per-minute usage over the last minute ÷ the configured quota.', where);
    r.beforeExpose(() => this.refreshGauges(r));
  }

  /** Accepted spans, with what the roll-up priced each (priced again where not given). */
  observeSpans(spans: readonly SpanRecord[], priced?: readonly (PricedSpan | undefined)[]): void {
    const signals: Signal[] = [];
    const batch: Batch = new Map();
    for (let i = 0; i < spans.length; i++) {
      try {
        this.observe(spans[i]!, priced?.[i], signals, batch);
      } catch (err) {
        diag.error('tokenledger quota: could not read a span', err);
      }
    }
    for (const regions of batch.values()) {
      for (const b of regions.values()) {
        if (b.tokens <= 0) continue;
        this.quotaTokensTotal.inc([b.model, b.region], b.tokens);
        const k = key(b.model, b.region);
        let u = this.usage.get(k);
        if (!u) this.usage.set(k, (u = { model: b.model, region: b.region, bySecond: new Map() }));
        for (const [second, tokens] of b.bySecond) u.bySecond.set(second, (u.bySecond.get(second) ?? 0) + tokens);
      }
    }
    this.publish(signals);
  }

  /** Tokens per minute over the minute before `now` (a sliding window), per model and region. */
  perMinute(now = this.clock.now()): { model: string; region: string; tokensPerMinute: number; quota?: TokenQuota }[] {
    const out = [];
    const keys = new Set(this.usage.keys());
    for (const q of this.config.quotas) if (q.region !== undefined) keys.add(key(q.model, q.region));
    for (const k of keys) {
      const u = this.usage.get(k);
      const [model, region] = u ? [u.model, u.region] : k.split('\u0000') as [string, string];
      out.push({ model, region, tokensPerMinute: u ? windowSum(u, now) : 0, quota: this.quotaOf(model, region) });
    }
    return out;
  }

  start(): void {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The ratio of each configured quota now, as CloudWatch QuotaUsage samples (Percent). */
  sample(now = this.clock.now()): void {
    const signals: Signal[] = [];
    for (const p of this.perMinute(now)) {
      if (!p.quota) continue;
      signals.push({ metric: sc.CLOUDWATCH_METRIC_QUOTA_USAGE, unit: 'Percent', dims: [[sc.CLOUDWATCH_DIM_MODEL, p.model], [sc.CLOUDWATCH_DIM_REGION, p.region]],
        kind: 'dist', value: (100 * p.tokensPerMinute) / p.quota.tokensPerMinute, atMs: now });
    }
    this.publish(signals);
  }

  private observe(span: SpanRecord, priced: PricedSpan | undefined, signals: Signal[], batch: Batch): void {
    const a = span.attributes;
    const errorType = str(a[sc.ATTR_ERROR_TYPE]);
    const failedThrottled = errorType !== undefined && THROTTLING.test(errorType);
    const attempts = num(a[sc.ATTR_TRANSPORT_ATTEMPTS]) ?? 1;
    const named = str(a[sc.ATTR_GEN_AI_PROVIDER_NAME]) ?? str(a[sc.FOREIGN_GEN_AI_SYSTEM]);
    // Read only when it may count against a Bedrock quota: as the roll-up priced it.
    const call = named === undefined || named === sc.PROVIDER_AWS_BEDROCK ? callCost(span, this.book, priced) : undefined;
    if (!call && !failedThrottled && attempts <= 1) return;
    // Only spans that count here are remembered: the bound holds more of them.
    if (this.seen.has(span.spanId)) return;
    if (this.seen.size >= SEEN_LIMIT) this.seen.clear();
    this.seen.add(span.spanId);
    // The model as called: an inference profile (us.…) has a quota of its own.
    const model = str(a[sc.ATTR_GEN_AI_REQUEST_MODEL]) ?? call?.model ?? sc.LABEL_VALUE_UNKNOWN;
    const region = str(a[sc.ATTR_CLOUD_REGION]) ?? sc.LABEL_VALUE_UNKNOWN;
    const provider = call?.provider ?? named ?? sc.LABEL_VALUE_UNKNOWN;
    const b = this.batchUsage(batch, model, region);
    const dims = b.dims;
    if (attempts > 1) {
      this.throttles.inc([provider, model, region, 'retry'], attempts - 1);
      signals.push({ metric: sc.CLOUDWATCH_METRIC_THROTTLES, unit: 'Count', dims, kind: 'sum', value: attempts - 1, atMs: span.endMs });
    }
    if (failedThrottled) {
      this.throttles.inc([provider, model, region, 'error']);
      signals.push({ metric: sc.CLOUDWATCH_METRIC_THROTTLES, unit: 'Count', dims, kind: 'sum', value: 1, atMs: span.endMs });
    }
    if (!call || provider !== sc.PROVIDER_AWS_BEDROCK) return;
    const tokens = quotaTokens(call.tokens, b.rate);
    if (tokens <= 0) return;
    b.tokens += tokens;
    const second = Math.floor(span.endMs / 1000) * 1000;
    b.bySecond.set(second, (b.bySecond.get(second) ?? 0) + tokens);
    signals.push({ metric: sc.CLOUDWATCH_METRIC_QUOTA_TOKENS, unit: 'Count', dims, kind: 'sum', value: tokens, atMs: span.endMs });
  }

  private batchUsage(batch: Batch, model: string, region: string): BatchUsage {
    let regions = batch.get(model);
    if (!regions) batch.set(model, (regions = new Map()));
    let b = regions.get(region);
    if (!b) {
      const rate = this.quotaOf(model, region)?.outputBurndown ?? outputBurndownRate(model);
      regions.set(region, (b = { model, region, dims: [[sc.CLOUDWATCH_DIM_MODEL, model], [sc.CLOUDWATCH_DIM_REGION, region]], rate, tokens: 0, bySecond: new Map() }));
    }
    return b;
  }

  private quotaOf(model: string, region: string): TokenQuota | undefined {
    return this.config.quotas.find((q) => q.model === model && q.region === region) ?? this.config.quotas.find((q) => q.model === model && q.region === undefined);
  }

  private refreshGauges(r: Registry): void {
    const now = this.clock.now();
    const perMinute = r.family(sc.METRIC_QUOTA_TOKENS_PER_MINUTE)!;
    const limit = r.family(sc.METRIC_QUOTA_LIMIT_TOKENS_PER_MINUTE)!;
    const ratio = r.family(sc.METRIC_QUOTA_USAGE_RATIO)!;
    for (const f of [perMinute, limit, ratio]) f.series.clear();
    for (const u of this.usage.values()) prune(u, now);
    for (const p of this.perMinute(now)) {
      perMinute.set([p.model, p.region], p.tokensPerMinute);
      if (!p.quota) continue;
      limit.set([p.model, p.region], p.quota.tokensPerMinute);
      ratio.set([p.model, p.region], p.tokensPerMinute / p.quota.tokensPerMinute);
    }
  }
}

function key(model: string, region: string): string {
  return `${model}\u0000${region}`;
}

/** Quota tokens of calls that ended in (now − 1 min, now], at one-second resolution. */
function windowSum(u: Usage, now: number): number {
  let sum = 0;
  for (const [second, tokens] of u.bySecond) if (second > now - MINUTE_MS && second <= now) sum += tokens;
  return sum;
}

function prune(u: Usage, now: number): void {
  for (const second of u.bySecond.keys()) if (second <= now - MINUTE_MS) u.bySecond.delete(second);
}
