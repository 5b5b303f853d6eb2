// The `tokenledger` subcommands: register new ones here.
import { runAcceleratorAgent } from '@tokenledger/accelerators';
import { runBatchImport } from '@tokenledger/instrumentation-bedrock';
import { outcome } from './outcome.ts';
import { prices } from './prices.ts';
import { report } from './report.ts';
import { traces } from './traces.ts';
import type { Command } from './types.ts';

export type { Command } from './types.ts';

export const commands: Record<string, Command> = {
  report,
  outcome,
  traces,
  prices,
  batch: {
    summary: 'batch import <output.jsonl>: priced spans for a Bedrock batch job\'s output records (batch prices)',
    run: (args) => runBatchImport(args),
  },
  'accelerator-agent': {
    summary: 'read neuron-monitor or nvidia-smi and export accelerator metrics over OTLP to the collector',
    run: (args) => runAcceleratorAgent(args),
  },
};
