#!/usr/bin/env node
// tokenledger <command>: dispatches to the commands of ./commands/index.ts.
import { commands } from './commands/index.ts';

const [name, ...args] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (!command) {
  const list = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(20)} ${c.summary}`).join('\n');
  const usage = `usage: tokenledger <command> [options]  (tokenledger <command> --help)\n\n${list}`;
  if (name === '--help' || name === 'help') {
    console.log(usage);
    process.exit(0);
  }
  console.error(`${name === undefined ? '' : `unknown command: ${name}\n`}${usage}`);
  process.exit(2);
}
process.exitCode = await command.run(args);
