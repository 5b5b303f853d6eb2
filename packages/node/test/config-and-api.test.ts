// The API without an SDK (what an app sees with OTEL_SDK_DISABLED=true) and config validation.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig, recordOutcome, setRoute, withAttribution, withRetry } from '../src/index.ts';

describe('API without an SDK', () => {
  it('runs the work, returns its result, passes its errors through, and does nothing else', () => {
    expect(withAttribution({ tenant: 't' }, () => withRetry({ attempt: 2, reason: 'timeout' }, () => 7))).toBe(7);
    expect(() => setRoute('rag', 'why')).not.toThrow();
    expect(() => recordOutcome('done', true)).not.toThrow();
    expect(() => withAttribution({ tenant: 't' }, () => {
      throw new RangeError('app error');
    })).toThrow(RangeError);
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
