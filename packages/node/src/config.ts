import { diag } from '@opentelemetry/api';
import {
  DEFAULT_COLLECTOR_URL, ENV_AUTH_TOKEN, ENV_BUDGET_CACHE_MS, ENV_BUDGET_FAIL_CLOSED, ENV_BUDGET_TIMEOUT_MS, ENV_COLLECTOR_URL,
  ENV_HTTP_INSTRUMENTATION, ENV_INSTRUMENTATIONS, PROVIDERS,
} from './types.ts';
import type { BudgetGuardConfig, Provider, TokenLedgerNodeConfig } from './types.ts';

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

const GUARD_DEFAULTS: BudgetGuardConfig = { url: DEFAULT_COLLECTOR_URL, failClosed: false, cacheMs: 15_000, timeoutMs: 1_000 };

/**
 * The budget guard's configuration from TOKENLEDGER_COLLECTOR_URL, TOKENLEDGER_AUTH_TOKEN and TOKENLEDGER_BUDGET_*. The guard runs inside the app's requests, so a
 * bad value is reported to diag (naming the variable) and its default used: it never throws.
 */
export function readBudgetGuardConfig(env: NodeJS.ProcessEnv = process.env): BudgetGuardConfig {
  const cfg: BudgetGuardConfig = { ...GUARD_DEFAULTS };
  const read = <T>(name: string, parse: (raw: string) => T, apply: (v: T) => void) => {
    const raw = env[name]?.trim();
    if (!raw) return;
    try {
      apply(parse(raw));
    } catch (err) {
      diag.error(`tokenledger: ${(err as Error).message}; using the default`);
    }
  };
  read(ENV_COLLECTOR_URL, (raw) => {
    if (!/^https?:\/\/[^/]+/.test(raw)) throw new ConfigError(ENV_COLLECTOR_URL, raw, 'an http(s):// URL');
    return raw;
  }, (v) => (cfg.url = v));
  read(ENV_AUTH_TOKEN, (raw) => raw, (v) => (cfg.authToken = v));
  read(ENV_BUDGET_FAIL_CLOSED, (raw) => readBoolean(ENV_BUDGET_FAIL_CLOSED, raw, false), (v) => (cfg.failClosed = v));
  read(ENV_BUDGET_CACHE_MS, (raw) => readMs(ENV_BUDGET_CACHE_MS, raw, 0), (v) => (cfg.cacheMs = v));
  read(ENV_BUDGET_TIMEOUT_MS, (raw) => readMs(ENV_BUDGET_TIMEOUT_MS, raw, 1), (v) => (cfg.timeoutMs = v));
  return cfg;
}

function readMs(variable: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min) throw new ConfigError(variable, raw, `a whole number of ms ≥ ${min}`);
  return n;
}
