// The `tokenledger` subcommands: register new ones here (batch import, accelerator-agent, …).
import { report } from './report.ts';
import type { Command } from './types.ts';

export type { Command } from './types.ts';

export const commands: Record<string, Command> = {
  report,
};
