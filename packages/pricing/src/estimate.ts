// Token estimation for providers that report no usage. gpt-tokenizer is loaded on first use only:
// its BPE ranks are large, and a process that never estimates must not pay for them.
import { createRequire } from 'node:module';

type CountTokens = (text: string, options: { disallowedSpecial: Set<string> }) => number;

const requireCjs = createRequire(import.meta.url);
let countTokens: CountTokens | undefined;
// Special-token text (e.g. `<|endoftext|>`) in user input is counted as plain text, never rejected.
const NO_SPECIAL = { disallowedSpecial: new Set<string>() };

/** Tokens of `text` in the o200k_base encoding (GPT-4o family); an estimate for other models. */
export function estimateTokens(text: string): number {
  if (text === '') return 0;
  countTokens ??= (requireCjs('gpt-tokenizer/encoding/o200k_base') as { countTokens: CountTokens }).countTokens;
  return countTokens(text, NO_SPECIAL);
}

/** ceil(chars / 4): the usual characters-per-token rule, for hot paths where a tokenizer is too slow. */
export function approximateTokens(chars: number): number {
  return chars > 0 ? Math.ceil(chars / 4) : 0;
}
