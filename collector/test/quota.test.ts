// Quota pressure and throttles from accepted spans, against figures computed by hand from AWS's burndown rule
// (input + cache write + output × burndown rate; 5 for Claude 4 models, 1 for others; cache reads free).
import * as sc from '@tokenledger/semconv';
import { afterEach, describe, expect, it } from 'vitest';
import { ADD_ONS } from '../src/add-ons.ts';
import { Collector } from '../src/collector.ts';
import type { Signal } from '../src/components/types.ts';
import { outputBurndownRate } from '../src/quota/burndown.ts';
import { QuotaPressure } from '../src/quota/index.ts';
import { FakeClock, seriesValue, span, testConfig, traceId } from './helpers.ts';

const SONNET_4 = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
const HAIKU_35 = 'anthropic.claude-3-5-haiku-20241022-v1:0';

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

function bedrock(model: string, region: string, usage: { input: number; cacheRead?: number; cacheWrite?: number; output: number }, extra: Record<string, string | number> = {}) {
  return {
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: sc.PROVIDER_AWS_BEDROCK,
    [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.OPERATION_CHAT,
    [sc.ATTR_GEN_AI_REQUEST_MODEL]: model,
    [sc.ATTR_CLOUD_REGION]: region,
    // The convention's input_tokens include cache reads and writes.
    [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: usage.input,
    [sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: usage.cacheRead ?? 0,
    [sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: usage.cacheWrite ?? 0,
    [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: usage.output,
    ...extra,
  };
}

async function start(quotas: unknown[]) {
  const clock = new FakeClock();
  const signals: Signal[] = [];
  collector = new Collector({ config: testConfig({ TOKENLEDGER_QUOTAS: JSON.stringify(quotas) }), clock, components: [...ADD_ONS, () => ({ onSignals: (s) => void signals.push(...s) })] });
  await collector.listen();
  return { collector, clock, signals };
}

describe('output burndown rate (AWS: 5× for Anthropic Claude 4 models)', () => {
  it.for([
    ['anthropic.claude-sonnet-4-20250514-v1:0', 5],
    ['us.anthropic.claude-opus-4-1-20250805-v1:0', 5],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0', 5],
    ['anthropic.claude-3-7-sonnet-20250219-v1:0', 5],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 1],
    ['anthropic.claude-3-haiku-20240307-v1:0', 1],
    ['amazon.nova-pro-v1:0', 1],
    ['meta.llama3-3-70b-instruct-v1:0', 1],
  ] as const)('%s → %i', ([model, rate]) => {
    expect(outputBurndownRate(model)).toBe(rate);
  });
});

describe('quota pressure', () => {
  it('counts input + cache write + output × burndown per model and region, over the last minute against the quota', async () => {
    const { collector: c, clock, signals } = await start([
      { model: SONNET_4, region: 'us-east-1', tokens_per_minute: 10_000 },
      { model: HAIKU_35, tokens_per_minute: 4_000 },
    ]);
    const now = clock.now();
    const t = traceId(1);
    const recent = { startMs: now - 11_000, endMs: now - 10_000 };
    // 1200 input of which 200 cache read and 300 cache write: uncached 700. 700 + 300 + 100 × 5 = 1500.
    const first = span(t, bedrock(SONNET_4, 'us-east-1', { input: 1200, cacheRead: 200, cacheWrite: 300, output: 100 }), recent);
    // Three SDK attempts (two retried): 1000 + 40 × 5 = 1200; two throttle retries.
    const retried = span(t, bedrock(SONNET_4, 'us-east-1', { input: 1000, output: 40 }, { [sc.ATTR_TRANSPORT_ATTEMPTS]: 3 }), recent);
    // 90 s ago: in the counter, outside the minute. 2000 + 10 × 5 = 2050.
    const old = span(t, bedrock(SONNET_4, 'us-east-1', { input: 2000, output: 10 }), { startMs: now - 91_000, endMs: now - 90_000 });
    // Claude 3.5 Haiku burns 1×: 500 + 100 = 600, in us-west-2 (the quota without a region applies there).
    const haiku = span(t, bedrock(HAIKU_35, 'us-west-2', { input: 500, output: 100 }), recent);
    // A call that failed throttled: no usage, one throttle error.
    const throttled = span(t, { [sc.ATTR_GEN_AI_PROVIDER_NAME]: sc.PROVIDER_AWS_BEDROCK, [sc.ATTR_GEN_AI_REQUEST_MODEL]: SONNET_4, [sc.ATTR_CLOUD_REGION]: 'us-east-1', [sc.ATTR_ERROR_TYPE]: 'ThrottlingException' }, recent);
    // OpenAI: throttles count, no Bedrock quota.
    const openai = span(t, { [sc.ATTR_GEN_AI_PROVIDER_NAME]: sc.PROVIDER_OPENAI, [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o-mini', [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 900, [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 9, [sc.ATTR_TRANSPORT_ATTEMPTS]: 2 }, recent);
    await c.sink.accept([first, retried, old, haiku, throttled, openai]);
    // The same span again (an OTLP client retrying a request whose answer it lost) counts once.
    await c.sink.accept([first]);

    expect(seriesValue(c, sc.METRIC_QUOTA_TOKENS_TOTAL, { model: SONNET_4, region: 'us-east-1' })).toBe(1500 + 1200 + 2050);
    expect(seriesValue(c, sc.METRIC_QUOTA_TOKENS_TOTAL, { model: HAIKU_35, region: 'us-west-2' })).toBe(600);
    expect(seriesValue(c, sc.METRIC_QUOTA_TOKENS_TOTAL, { model: 'gpt-4o-mini' })).toBe(0);
    expect(seriesValue(c, sc.METRIC_THROTTLES_TOTAL, { model: SONNET_4, region: 'us-east-1', kind: 'retry' })).toBe(2);
    expect(seriesValue(c, sc.METRIC_THROTTLES_TOTAL, { model: SONNET_4, region: 'us-east-1', kind: 'error' })).toBe(1);
    expect(seriesValue(c, sc.METRIC_THROTTLES_TOTAL, { provider: sc.PROVIDER_OPENAI, model: 'gpt-4o-mini', region: sc.LABEL_VALUE_UNKNOWN, kind: 'retry' })).toBe(1);

    const text = c.metrics.registry.expose();
    const value = (metric: string, model: string, region: string) => Number(new RegExp(`^${metric}\\{model="${model.replace(/[.]/g, '\\.')}",region="${region}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value(sc.METRIC_QUOTA_TOKENS_PER_MINUTE, SONNET_4, 'us-east-1')).toBe(2700);
    expect(value(sc.METRIC_QUOTA_LIMIT_TOKENS_PER_MINUTE, SONNET_4, 'us-east-1')).toBe(10_000);
    expect(value(sc.METRIC_QUOTA_USAGE_RATIO, SONNET_4, 'us-east-1')).toBeCloseTo(0.27, 12);
    expect(value(sc.METRIC_QUOTA_USAGE_RATIO, HAIKU_35, 'us-west-2')).toBeCloseTo(600 / 4000, 12);

    c.component(QuotaPressure)!.sample(clock.now());

    // A minute later the window is empty: the gauge reads 0, the counter keeps its total.
    clock.advance(60_000);
    const later = c.metrics.registry.expose();
    expect(Number(new RegExp(`^${sc.METRIC_QUOTA_USAGE_RATIO}\\{model="us\\.anthropic[^"]*",region="us-east-1"\\} (\\S+)$`, 'm').exec(later)?.[1])).toBe(0);
    expect(seriesValue(c, sc.METRIC_QUOTA_TOKENS_TOTAL, { model: SONNET_4 })).toBe(4750);

    // The CloudWatch signals: quota tokens at each call's end time, throttles, and the sampled usage in percent.
    const quotaTokens = signals.filter((s) => s.metric === sc.CLOUDWATCH_METRIC_QUOTA_TOKENS && s.dims.some(([, v]) => v === SONNET_4));
    expect(quotaTokens.map((s) => s.value).sort((a, b) => a - b)).toEqual([1200, 1500, 2050]);
    expect(signals.filter((s) => s.metric === sc.CLOUDWATCH_METRIC_THROTTLES).reduce((n, s) => n + s.value, 0)).toBe(4);
    const usage = signals.filter((s) => s.metric === sc.CLOUDWATCH_METRIC_QUOTA_USAGE);
    expect(usage.find((s) => s.dims.some(([, v]) => v === SONNET_4))!.value).toBeCloseTo(27, 10);
    expect(usage.find((s) => s.dims.some(([, v]) => v === HAIKU_35))!.value).toBeCloseTo(15, 10);
  });

  it('an override of the burndown rate in the quota applies', async () => {
    const { collector: c } = await start([{ model: HAIKU_35, region: 'us-east-1', tokens_per_minute: 1000, output_burndown: 3 }]);
    await c.sink.accept([span(traceId(2), bedrock(HAIKU_35, 'us-east-1', { input: 100, output: 10 }))]);
    expect(seriesValue(c, sc.METRIC_QUOTA_TOKENS_TOTAL, { model: HAIKU_35 })).toBe(130);
  });

  it('a malformed TOKENLEDGER_QUOTAS stops start-up naming the variable', () => {
    expect(() => testConfig({ TOKENLEDGER_QUOTAS: '[{"model":"x"}]' })).toThrow(/TOKENLEDGER_QUOTAS/);
  });
});
