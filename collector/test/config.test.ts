import { describe, expect, it } from 'vitest';
import { cloudWatchConfigFromEnv } from '../src/config/cloudwatch.ts';
import { configFromEnv } from '../src/config/env.ts';

describe('configuration', () => {
  it('has the design defaults', () => {
    const c = configFromEnv({});
    expect(c.otlp).toEqual({ host: '127.0.0.1', port: 4318 });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(c.dataDir).toBe('./.tokenledger');
    expect([c.traceIdleMs, c.cardinalityLimit, c.sqliteSynchronous, c.authToken]).toEqual([5000, 2000, 'FULL', undefined]);
  });

  it('reads addresses, numbers and tokens', () => {
    const c = configFromEnv({ TOKENLEDGER_OTLP_ADDR: '0.0.0.0:4318', TOKENLEDGER_HTTP_ADDR: '[::1]:9000', TOKENLEDGER_TRACE_IDLE_MS: '250',
      TOKENLEDGER_AUTH_TOKEN: 's3cret', TOKENLEDGER_SQLITE_SYNCHRONOUS: 'normal' });
    expect(c.otlp).toEqual({ host: '0.0.0.0', port: 4318 });
    expect(c.http).toEqual({ host: '::1', port: 9000 });
    expect([c.traceIdleMs, c.authToken, c.sqliteSynchronous]).toEqual([250, 's3cret', 'NORMAL']);
  });

  it.each([
    ['TOKENLEDGER_OTLP_ADDR', 'localhost'],
    ['TOKENLEDGER_HTTP_ADDR', '127.0.0.1:70000'],
    ['TOKENLEDGER_TRACE_IDLE_MS', '5s'],
    ['TOKENLEDGER_CARDINALITY_LIMIT', '0'],
    ['TOKENLEDGER_MAX_OPEN_SPANS', '-1'],
    ['TOKENLEDGER_SQLITE_SYNCHRONOUS', 'OFF'],
    ['TOKENLEDGER_TRACE_MAX_AGE_MS', '10'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => configFromEnv({ [name]: value })).toThrow(new RegExp(`^${name}=`));
  });

  it('reads outcome keys, the trace index, identity ids, the Jaeger link and the shared store', () => {
    expect(configFromEnv({}).outcomes).toEqual({
      windowMs: 7 * 86_400_000, maxKeys: 100_000, traceIndexRetentionMs: 14 * 86_400_000, traceIndexMaxTraces: 1_000_000, identityIds: 'RAW',
      identitySalt: undefined, jaegerUrl: undefined, sharedStore: undefined,
    });
    const c = configFromEnv({
      TOKENLEDGER_OUTCOME_WINDOW: '1d12h', TOKENLEDGER_TRACE_INDEX_RETENTION: '90m', TOKENLEDGER_IDENTITY_IDS: 'Hash', TOKENLEDGER_IDENTITY_SALT: '0123456789abcdef',
      TOKENLEDGER_JAEGER_URL: 'http://jaeger:16686/', TOKENLEDGER_SHARED_STORE: 'postgresql://tl@db/tl',
    }).outcomes;
    expect([c.windowMs, c.traceIndexRetentionMs, c.identityIds, c.jaegerUrl, c.sharedStore]).toEqual([36 * 3_600_000, 90 * 60_000, 'HASH', 'http://jaeger:16686', 'postgresql://tl@db/tl']);
  });

  it.each([
    ['TOKENLEDGER_OUTCOME_WINDOW', '7'],
    ['TOKENLEDGER_OUTCOME_WINDOW', '1fortnight'],
    ['TOKENLEDGER_TRACE_INDEX_RETENTION', '10s'],
    ['TOKENLEDGER_OUTCOME_MAX_KEYS', '0'],
    ['TOKENLEDGER_IDENTITY_IDS', 'encrypt'],
    ['TOKENLEDGER_JAEGER_URL', 'jaeger:16686'],
    ['TOKENLEDGER_SHARED_STORE', 'mysql://db'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => configFromEnv({ [name]: value })).toThrow(new RegExp(`^${name}=`));
  });

  it('wants a salt of 16 characters or more to hash identity ids', () => {
    expect(() => configFromEnv({ TOKENLEDGER_IDENTITY_IDS: 'hash' })).toThrow(/^TOKENLEDGER_IDENTITY_SALT="" is invalid/);
    expect(() => configFromEnv({ TOKENLEDGER_IDENTITY_IDS: 'hash', TOKENLEDGER_IDENTITY_SALT: 'short' })).toThrow(/^TOKENLEDGER_IDENTITY_SALT=/);
  });

  it('blames the idle time set above the default maximum age', () => {
    expect(() => configFromEnv({ TOKENLEDGER_TRACE_IDLE_MS: '600000' })).toThrow(/^TOKENLEDGER_TRACE_IDLE_MS="600000" is invalid: expected at most TOKENLEDGER_TRACE_MAX_AGE_MS/);
  });
});

describe('CloudWatch configuration', () => {
  const on = { TOKENLEDGER_CLOUDWATCH_NAMESPACE: 'TokenLedger' };

  it('is off without a namespace and has the defaults with one', () => {
    expect(cloudWatchConfigFromEnv({})).toBeUndefined();
    const c = cloudWatchConfigFromEnv(on)!;
    const breakdowns = { Tokens: ['Workflow', 'Model'], RetryCostUSD: ['Workflow', 'Model'], CacheSavingsUSD: ['Workflow', 'Model'] };
    expect([c.dimensions, c.metricDimensions, c.metrics.length, c.intervalMs, c.maxTps, c.resendAmbiguous]).toEqual([['Tenant', 'Workflow', 'Model'], breakdowns, 9, 60_000, 10, false]);
    expect(cloudWatchConfigFromEnv({ ...on, TOKENLEDGER_CLOUDWATCH_RESEND_AMBIGUOUS: 'TRUE' })!.resendAmbiguous).toBe(true);
  });

  it('reads per-metric dimensions, case-insensitive, an empty list meaning none', () => {
    const c = cloudWatchConfigFromEnv({ ...on, TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS: ' tokens = tenant, MODEL ; RetryCostUSD= ;' })!;
    expect(c.metricDimensions).toEqual({ Tokens: ['Tenant', 'Model'], RetryCostUSD: [], CacheSavingsUSD: ['Workflow', 'Model'] });
  });

  it('derives the breakdowns\' default from the configured dimensions, without Tenant', () => {
    const c = cloudWatchConfigFromEnv({ ...on, TOKENLEDGER_CLOUDWATCH_DIMENSIONS: 'Tenant,Feature,Route' })!;
    expect(c.metricDimensions).toEqual({ Tokens: ['Feature', 'Route'], RetryCostUSD: ['Feature', 'Route'], CacheSavingsUSD: ['Feature', 'Route'] });
  });

  it.each([
    ['TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS', 'Tokens:Workflow', /bad entry "Tokens:Workflow"/],
    ['TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS', 'Cost=Tenant', /bad entry "Cost=Tenant"/],
    ['TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS', 'Tokens=Tenant,Region', /comma-separated list of Tenant/],
    ['TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS', 'Tokens=Tenant;tokens=Model', /Tokens is repeated/],
    ['TOKENLEDGER_CLOUDWATCH_DIMENSIONS', 'Tenant,Region', /comma-separated list/],
    ['TOKENLEDGER_CLOUDWATCH_METRICS', 'CostUSD,Bogus', /comma-separated list/],
    ['TOKENLEDGER_CLOUDWATCH_MAX_TPS', '501', /account quota/],
    ['TOKENLEDGER_CLOUDWATCH_RESEND_AMBIGUOUS', 'yes', /true or false/],
    ['TOKENLEDGER_CLOUDWATCH_NAMESPACE', 'AWS/Bedrock', /not starting with AWS/],
  ])('refuses %s=%s naming the variable', (name, value, reason) => {
    expect(() => cloudWatchConfigFromEnv({ ...on, [name]: value })).toThrow(new RegExp(`^${name}=`));
    expect(() => cloudWatchConfigFromEnv({ ...on, [name]: value })).toThrow(reason);
  });
});
