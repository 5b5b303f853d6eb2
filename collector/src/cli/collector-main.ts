#!/usr/bin/env node
// tokenledger-collector: OTLP receiver + durable trace store + roll-up + metrics/API, configured by TOKENLEDGER_* variables.
import type { AddressInfo } from 'node:net';
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { PriceFileError } from '@tokenledger/pricing';
import { attachBudgets, type Budgets } from '../budgets/index.ts';
import { cloudWatchOutputs } from '../cloudwatch/index.ts';
import { Collector } from '../collector.ts';
import { configFromEnv } from '../config/env.ts';
import { startOtlpReceiver } from '../receiver/index.ts';

/** SIGTERM must end the process within this, flushed or not (the store keeps what was acknowledged). */
const SHUTDOWN_LIMIT_MS = 25_000;

diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

let collector: Collector;
let outputs: ReturnType<typeof cloudWatchOutputs>;
let budgets: Budgets;
try {
  outputs = cloudWatchOutputs();
  collector = new Collector({ config: configFromEnv(), onCommit: (r) => outputs.onCommit(r), onFinalised: (r) => outputs.onFinalised(r) });
  outputs.attach(collector);
  budgets = attachBudgets(collector);
} catch (err) {
  const variable = err instanceof PriceFileError ? 'TOKENLEDGER_PRICES_FILE: ' : '';
  console.error(`tokenledger-collector: ${variable}${(err as Error).message}`);
  process.exit(2);
}

const { http, otlp } = await collector.listen(startOtlpReceiver, () => process.exit(1));
console.log(`tokenledger-collector listening otlp=${url(otlp)} http=${url(http)} data=${collector.config.dataDir}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      console.error('tokenledger-collector: shutdown took too long; the store keeps what was acknowledged');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    budgets.stop();
    outputs.stopSending().then(() => collector.close()).then(() => outputs.close()).then(
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
