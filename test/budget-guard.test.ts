// The opt-in budget guard of @tokenledger/node against a running collector whose budget for tenant acme is
// overspent: refuse (the typed error), fall back to a named route, only mark, allow the tenant within budget,
// the retry budget per logical request (attempts and dollars), fail-open when the collector is down and
// fail-closed when configured. Decisions are span attributes and a counter.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import * as sc from '@tokenledger/semconv';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AttributionSpanProcessor, BudgetExceededError, checkBudget, configureBudgetGuard, InFlightSpanProcessor, isBudgetExceeded, retryBudget,
  withAttribution, withRetry,
} from '../packages/node/src/index.ts';
import { finalisedTraces, freePort, type RunningCollector, startCollector, until } from './stack-helpers.ts';
import { toSpanRecords, workload } from './workload.ts';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const exporter = new InMemorySpanExporter();
const reader = new Reader();
let tl: RunningCollector;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new AttributionSpanProcessor(), new InFlightSpanProcessor(), new SimpleSpanProcessor({ exporter })] }));
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  const file = join(mkdtempSync(join(tmpdir(), 'tokenledger-guard-')), 'budgets.json');
  writeFileSync(file, JSON.stringify({ budgets: [
    { scope: 'tenant', name: 'acme', monthly_usd: 0.001 },
    { scope: 'tenant', name: 'globex', monthly_usd: 1000 },
    { scope: 'workflow', name: 'answer', monthly_usd: 1000 },
  ] }));
  tl = await startCollector({ TOKENLEDGER_BUDGETS_FILE: file });
  // Spend: one round of the workload, acme's traces cost more than $0.001.
  const traces = workload(1);
  await tl.collector.sink.accept(toSpanRecords(traces));
  await until('the workload finalised', async () => (await finalisedTraces(tl.base)) === traces.length);
  configureBudgetGuard({ url: tl.base, cacheMs: 60_000, timeoutMs: 1_000, failClosed: false });
});

afterAll(async () => {
  await tl?.close();
});

/** A model call under the current context: its span, with a cost. */
function call(costUsd = 0): void {
  const span = trace.getTracer('app').startSpan('chat m', { attributes: { [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.OPERATION_CHAT, [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'm' } });
  span.setAttribute(sc.ATTR_COST_USD, costUsd);
  span.end();
}

function lastSpan() {
  const spans = exporter.getFinishedSpans();
  return spans[spans.length - 1]!.attributes;
}

async function decisions(): Promise<Record<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const out: Record<string, number> = {};
  for (const s of resourceMetrics.scopeMetrics) {
    for (const m of s.metrics) {
      if (m.descriptor.name !== sc.INSTRUMENT_BUDGET_DECISIONS) continue;
      for (const p of m.dataPoints) {
        const k = `${p.attributes[sc.INSTRUMENT_ATTR_POLICY]}:${p.attributes[sc.ATTR_BUDGET_DECISION]}:${p.attributes[sc.ATTR_BUDGET_REASON]}`;
        out[k] = (out[k] ?? 0) + (p.value as number);
      }
    }
  }
  return out;
}

describe('budget guard against a collector with an overspent budget', () => {
  it('checkBudget reads the collector: acme is spent, globex and the workflow are not', async () => {
    const acme = await checkBudget({ tenant: 'acme', workflow: 'answer' });
    expect(acme).toMatchObject({ allowed: false, decision: 'refuse', reason: 'exceeded', budget: 'tenant/acme' });
    expect(acme.statuses.map((s) => `${s.scope}/${s.name}`).sort()).toEqual(['tenant/acme', 'workflow/answer']);
    expect(acme.statuses.find((s) => s.name === 'acme')!.used).toBeGreaterThan(0.001);
    expect(await checkBudget({ tenant: 'globex', workflow: 'answer' })).toMatchObject({ allowed: true, decision: 'allow' });
    // No budget for this tenant: allowed.
    expect(await checkBudget({ tenant: 'initech' })).toMatchObject({ allowed: true, decision: 'allow' });
  });

  it('refuse: withRetry throws the typed error before the work runs', async () => {
    const fn = vi.fn(() => call());
    const attempt = withAttribution({ tenant: 'acme' }, () => withRetry({ attempt: 1, reason: 'timeout', guard: { policy: 'refuse' } }, fn));
    const err = await attempt.catch((e: unknown) => e);
    expect(isBudgetExceeded(err)).toBe(true);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err).toMatchObject({ code: 'ERR_TOKENLEDGER_BUDGET_EXCEEDED', reason: 'exceeded', budget: 'tenant/acme' });
    expect(fn).not.toHaveBeenCalled();
  });

  it('fallback: the work runs on the named cheaper route, its spans carry the route and the decision', async () => {
    const route = await withAttribution({ tenant: 'acme' }, () =>
      withRetry({ attempt: 1, guard: { policy: 'fallback', fallbackRoute: 'classification-cheap' } }, (d) => {
        call(0.0001);
        return d.route;
      }));
    expect(route).toBe('classification-cheap');
    expect(lastSpan()).toMatchObject({
      [sc.ATTR_ROUTE]: 'classification-cheap', [sc.ATTR_ROUTE_REASON]: 'budget_exceeded', [sc.ATTR_RETRY_ATTEMPT]: 1,
      [sc.ATTR_BUDGET_DECISION]: 'fallback', [sc.ATTR_BUDGET_REASON]: 'exceeded', [sc.ATTR_BUDGET_NAME]: 'tenant/acme',
    });
  });

  it('mark: the work runs as asked, the decision is recorded; a tenant within budget is allowed', async () => {
    await withAttribution({ tenant: 'acme' }, () => withRetry({ attempt: 0, guard: { policy: 'mark' } }, () => call()));
    expect(lastSpan()).toMatchObject({ [sc.ATTR_BUDGET_DECISION]: 'mark', [sc.ATTR_BUDGET_NAME]: 'tenant/acme' });
    expect(lastSpan()[sc.ATTR_ROUTE]).toBeUndefined();
    const d = await withAttribution({ tenant: 'globex' }, () => withRetry({ attempt: 0, guard: { policy: 'refuse' } }, (g) => {
      call();
      return g.decision;
    }));
    expect(d).toBe('allow');
    expect(lastSpan()[sc.ATTR_BUDGET_DECISION]).toBe('allow');
  });

  it('the retry budget of a logical request: attempts, then dollars spent by its calls', async () => {
    const attempts = retryBudget({ maxAttempts: 2 });
    const run = (attempt: number) => withAttribution({ tenant: 'globex' }, () => withRetry({ attempt, guard: { policy: 'refuse', retryBudget: attempts } }, () => call()));
    await run(0);
    await run(1);
    await run(2);
    await expect(run(3)).rejects.toMatchObject({ reason: 'retry_attempts', budget: 'retry' });

    // $0.004 a call, at most $0.01: the first three calls run (0, 0.004, 0.008 spent before them), the fourth is refused.
    const dollars = retryBudget({ maxUsd: 0.01 });
    const spend = (attempt: number) => withAttribution({ tenant: 'globex' }, () => withRetry({ attempt, guard: { policy: 'refuse', retryBudget: dollars } }, () => call(0.004)));
    await spend(0);
    await spend(1);
    await spend(2);
    expect(dollars.spentUsd).toBeCloseTo(0.012, 12);
    await expect(spend(3)).rejects.toSatisfy(isBudgetExceeded);
  });

  it('counts every decision by policy, decision and reason', async () => {
    const d = await decisions();
    expect(d['refuse:refuse:exceeded']).toBe(1);
    expect(d['fallback:fallback:exceeded']).toBe(1);
    expect(d['mark:mark:exceeded']).toBe(1);
    expect(d['refuse:refuse:retry_attempts']).toBe(1);
    expect(d['refuse:refuse:retry_usd']).toBe(1);
    expect(d['check:refuse:exceeded']).toBe(1);
    expect(d['check:allow:none']).toBe(2);
  });

  it('statuses are cached: with the collector down, the cached answer still decides', async () => {
    await tl.close();
    expect(await checkBudget({ tenant: 'acme' })).toMatchObject({ allowed: false, reason: 'exceeded' });
  });

  it('fail-open when the collector is down (the default), fail-closed when configured', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    configureBudgetGuard({ url: down, cacheMs: 0, timeoutMs: 500, failClosed: false });
    const d = await withAttribution({ tenant: 'acme' }, () => withRetry({ attempt: 0, guard: { policy: 'refuse' } }, (g) => {
      call();
      return g.decision;
    }));
    expect(d).toBe('fail_open');
    expect(lastSpan()).toMatchObject({ [sc.ATTR_BUDGET_DECISION]: 'fail_open', [sc.ATTR_BUDGET_REASON]: 'unavailable' });

    configureBudgetGuard({ url: down, cacheMs: 0, timeoutMs: 500, failClosed: true });
    await expect(withAttribution({ tenant: 'acme' }, () => withRetry({ attempt: 0, guard: { policy: 'refuse' } }, () => call()))).rejects.toMatchObject({ reason: 'unavailable' });
    // Under fallback, fail-closed sends the work to the cheaper route instead.
    const route = await withAttribution({ tenant: 'acme' }, () => withRetry({ attempt: 0, guard: { policy: 'fallback', fallbackRoute: 'cheap' } }, (g) => g.route));
    expect(route).toBe('cheap');
  });

  it('the refusal is recognised across copies of the package (ESM app, CommonJS preload)', async () => {
    vi.resetModules();
    const path = '../packages/node/src/budget-error.ts?copy';
    const other = (await import(path)) as typeof import('../packages/node/src/budget-error.ts');
    expect(other.BudgetExceededError).not.toBe(BudgetExceededError);
    const err = new other.BudgetExceededError('exceeded', 'tenant/acme');
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(isBudgetExceeded(err)).toBe(true);
    expect(new BudgetExceededError('retry_usd')).toBeInstanceOf(other.BudgetExceededError);
    expect(isBudgetExceeded(new Error('x'))).toBe(false);
    expect(new Error('x')).not.toBeInstanceOf(BudgetExceededError);
  });
});

describe('in-flight model requests (@tokenledger/node InFlightSpanProcessor)', () => {
  async function inFlight(): Promise<Record<string, number>> {
    const { resourceMetrics } = await reader.collect();
    const out: Record<string, number> = {};
    for (const s of resourceMetrics.scopeMetrics) {
      for (const m of s.metrics) {
        if (m.descriptor.name !== sc.INSTRUMENT_MODEL_REQUESTS_IN_FLIGHT) continue;
        for (const p of m.dataPoints) out[String(p.attributes[sc.ATTR_GEN_AI_REQUEST_MODEL])] = p.value as number;
      }
    }
    return out;
  }

  it('counts model spans between their start and end, per model; other spans are not requests', async () => {
    const tracer = trace.getTracer('app');
    const model = (name: string) => tracer.startSpan(`chat ${name}`, { attributes: { [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.OPERATION_CHAT, [sc.ATTR_GEN_AI_REQUEST_MODEL]: name, [sc.ATTR_GEN_AI_PROVIDER_NAME]: 'self_hosted' } });
    const before = (await inFlight()).llama ?? 0;
    const a = model('llama');
    const b = model('llama');
    const c = model('mistral');
    tracer.startSpan('GET /').end();
    expect((await inFlight()).llama).toBe(before + 2);
    expect((await inFlight()).mistral).toBe(1);
    a.end();
    c.end();
    expect((await inFlight()).llama).toBe(before + 1);
    expect((await inFlight()).mistral).toBe(0);
    b.end();
    b.end(); // a second end() is ignored by the SDK and here
    expect((await inFlight()).llama).toBe(before);
  });
});
