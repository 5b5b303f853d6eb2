// How Bedrock counts a call against a tokens-per-minute quota. AWS, "How tokens are counted in Amazon Bedrock"
// (docs.aws.amazon.com/bedrock/latest/userguide/quotas-token-burndown.html) and "Token burndown rate for
// Anthropic Claude 4 models" (…/quotas.html): once a call ends, it has used InputTokenCount +
// CacheWriteInputTokens + OutputTokenCount × the model's burndown rate; cache reads do not count. The rate is
// 5 for output tokens of the Anthropic models that page lists (Claude Opus 4, Sonnet 4, …), 1 for all others.

/** Anthropic Claude models of the 4 generation and later (Opus, Sonnet, Haiku), and Claude 3.7 Sonnet. */
const FIVE_X = /anthropic\.claude-(?:(?:opus|sonnet|haiku)-(?:[4-9]|\d{2,})(?:\D|$)|3-7-sonnet)/;

/** The documented output burndown rate of a Bedrock model id (bare, with an inference-profile prefix, or an ARN). */
export function outputBurndownRate(model: string): number {
  return FIVE_X.test(model.toLowerCase()) ? 5 : 1;
}

/** Tokens a call counts against the quota: uncached input + cache write + output × `rate`. */
export function quotaTokens(tokens: readonly [number, number, number, number], rate: number): number {
  const [input, , cacheWrite, output] = tokens;
  return input + cacheWrite + output * rate;
}
