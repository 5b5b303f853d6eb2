import { ENV_HTTP_INSTRUMENTATION, ENV_INSTRUMENTATIONS, PROVIDERS } from './types.ts';
import type { Provider, TokenLedgerNodeConfig } from './types.ts';

/** A TOKENLEDGER_* variable with an unusable value; the message names the variable. */
export class ConfigError extends Error {
  constructor(variable: string, value: string, expected: string) {
    super(`${variable}=${JSON.stringify(value)} is invalid: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the preload's configuration; throws ConfigError on the first bad variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): TokenLedgerNodeConfig {
  return {
    instrumentations: readProviders(env[ENV_INSTRUMENTATIONS]),
    httpInstrumentation: readBoolean(ENV_HTTP_INSTRUMENTATION, env[ENV_HTTP_INSTRUMENTATION], true),
  };
}

function readProviders(raw: string | undefined): Provider[] {
  if (raw === undefined || raw.trim() === '') return [...PROVIDERS];
  const names = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (names.length === 1 && names[0] === 'none') return [];
  for (const name of names) {
    if (!(PROVIDERS as readonly string[]).includes(name)) {
      throw new ConfigError(ENV_INSTRUMENTATIONS, raw, `a comma-separated list of ${PROVIDERS.join(', ')}, or none`);
    }
  }
  return [...new Set(names)] as Provider[];
}

function readBoolean(variable: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(variable, raw, 'true or false');
}
