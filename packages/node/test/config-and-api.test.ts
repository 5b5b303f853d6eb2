// The API without an SDK (what an app sees with OTEL_SDK_DISABLED=true) and config validation.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig, recordOutcome, reportOutcome, setRoute, withAttribution, withOutcomeKey, withRetry } from '../src/index.ts';

describe('API without an SDK', () => {
  it('runs the work, returns its result, passes its errors through, and does nothing else', () => {
    expect(withAttribution({ tenant: 't' }, () => withRetry({ attempt: 2, reason: 'timeout' }, () => 7))).toBe(7);
    expect(() => setRoute('rag', 'why')).not.toThrow();
    expect(() => recordOutcome('done', true)).not.toThrow();
    expect(() => withAttribution({ tenant: 't' }, () => {
      throw new RangeError('app error');
    })).toThrow(RangeError);
    expect(withOutcomeKey('ticket-1', () => withAttribution({ outcomeKey: 'ticket-2' }, () => 'ok'))).toBe('ok');
  });

  it('reportOutcome never throws into the caller: a bad address or no collector is an answer', async () => {
    await expect(reportOutcome({ key: 'k', outcome: 'done', success: true }, { url: 'not a url' })).resolves.toMatchObject({ ok: false, status: 0 });
    await expect(reportOutcome({ key: 'k', outcome: 'done', success: true }, { url: 'http://127.0.0.1:9', attempts: 1, timeoutMs: 200 })).resolves.toMatchObject({ ok: false, status: 0 });
  });
});

describe('readConfig', () => {
  it('defaults to every provider and the http instrumentation', () => {
    expect(readConfig({})).toEqual({ instrumentations: ['bedrock', 'openai', 'anthropic', 'pg'], httpInstrumentation: true });
  });

  it('reads the variables', () => {
    expect(readConfig({ TOKENLEDGER_INSTRUMENTATIONS: 'none', TOKENLEDGER_HTTP_INSTRUMENTATION: 'FALSE' })).toEqual({
      instrumentations: [],
      httpInstrumentation: false,
    });
    expect(readConfig({ TOKENLEDGER_INSTRUMENTATIONS: ' Bedrock,bedrock ' }).instrumentations).toEqual(['bedrock']);
  });

  it.each([
    ['TOKENLEDGER_INSTRUMENTATIONS', 'bedrock,palm'],
    ['TOKENLEDGER_HTTP_INSTRUMENTATION', 'yes'],
  ])('fails naming %s for %j', (variable, value) => {
    expect(() => readConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [variable]: value })).toThrow(`${variable}=${JSON.stringify(value)} is invalid`);
  });
});
