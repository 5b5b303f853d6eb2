#!/usr/bin/env node
// tokenledger-collector: OTLP receiver + durable trace store + roll-up + metrics/API, configured by TOKENLEDGER_* variables.
import type { AddressInfo } from 'node:net';
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { PriceFileError } from '@tokenledger/pricing';
import { Collector } from '../collector.ts';
import { configFromEnv } from '../config/env.ts';
import { startOtlpReceiver } from '../receiver/index.ts';

/** SIGTERM must end the process within this, flushed or not (the store keeps what was acknowledged). */
const SHUTDOWN_LIMIT_MS = 25_000;

diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

let collector: Collector;
try {
  // Every variable read and checked first (a bad one exits 2 naming it), then the store and the add-ons.
  collector = new Collector({ config: configFromEnv() });
} catch (err) {
  const variable = err instanceof PriceFileError ? 'TOKENLEDGER_PRICES_FILE: ' : '';
  console.error(`tokenledger-collector: ${variable}${(err as Error).message}`);
  process.exit(2);
}

let bound: Awaited<ReturnType<Collector['listen']>>;
try {
  bound = await collector.listen(startOtlpReceiver);
} catch (err) {
  // A port in use, or the shared store unreachable: said plainly, and a supervisor restarts us.
  console.error(`tokenledger-collector: ${(err as Error).message}`);
  process.exit(1);
}
const { http, otlp } = bound;
console.log(`tokenledger-collector listening otlp=${url(otlp)} http=${url(http)} data=${collector.config.dataDir}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`tokenledger-collector: stopping (${signal}): no new spans; committing what was accepted`);
    setTimeout(() => {
      console.error('tokenledger-collector: shutdown took too long; the store keeps what was acknowledged');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    collector.close().then(
      () => {
        console.log('tokenledger-collector: stopped');
        process.exit(0);
      },
      (err: unknown) => {
        console.error('tokenledger-collector: shutdown failed', err);
        process.exit(1);
      },
    );
  });
}

function url(a: AddressInfo | string | undefined): string {
  if (a === undefined || typeof a === 'string') return String(a);
  return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}
