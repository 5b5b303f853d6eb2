// What every `tokenledger` command does with its arguments first: parse them, answer --help, refuse bad ones.
import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * The parsed arguments, or the command's exit code: 2 with the message and usage on stderr when they are
 * bad, 0 with the usage on stdout for `--help` (which `config.options` must declare).
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return 0;
  }
  return parsed;
}
