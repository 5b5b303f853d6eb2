// The models the demo's routes use (Bedrock ids with inference-profile prefixes, as applications send them).
export const MODELS = {
  classifier: 'us.amazon.nova-micro-v1:0',
  embedder: 'amazon.titan-embed-text-v2:0',
  answerer: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
  drafter: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
  /** The EU profile of the drafter: not enabled for this account, so EU tenants fall back. */
  drafterEu: 'eu.anthropic.claude-sonnet-4-20250514-v1:0',
  drafterFallback: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  /** The foundation model of the refunds agent (a Bedrock agent: its model calls are reported in its trace). */
  refundAgent: 'anthropic.claude-3-5-haiku-20241022-v1:0',
};

/** The Bedrock agent that handles refunds. */
export const REFUND_AGENT_ID = 'REFUNDS01';
