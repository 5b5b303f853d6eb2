#!/usr/bin/env node
// tokenledger <command>: dispatches to the commands of ./commands/index.ts.
import { commands } from './commands/index.ts';

const [name, ...args] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (!command) {
  const list = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(20)} ${c.summary}`).join('\n');
  console.error(`${name === undefined || name === '--help' ? '' : `unknown command: ${name}\n`}usage: tokenledger <command> [options]\n\n${list}`);
  process.exit(name === '--help' ? 0 : 2);
}
process.exitCode = await command.run(args);
