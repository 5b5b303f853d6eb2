/** Self-hosted capacity settings of the collector (see config.ts for the environment). */
export interface CapacityConfig {
  /** Width of the settlement intervals. Env TOKENLEDGER_CAPACITY_INTERVAL_MS, default 60000. */
  intervalMs: number;
  /** An interval is settled this long after it ends, so spans exported late still count in it. Env TOKENLEDGER_CAPACITY_LAG_MS, default 15000. */
  lagMs: number;
  /**
   * Instances always charged, busy or idle. Env TOKENLEDGER_CAPACITY_INSTANCES, a JSON array of
   * `{"id": "i-…", "type": "inf2.xlarge", "hourly_usd": 0.7582}` (`hourly_usd` optional: the price book's). Default none.
   */
  instances: CapacityInstance[];
  /** The Bedrock model the self-hosted tokens are compared with (on-demand price). Env TOKENLEDGER_CAPACITY_BEDROCK_MODEL, default none. */
  bedrockModel?: string;
}

export interface CapacityInstance {
  id: string;
  type: string;
  /** Overrides the price book's instance-hour price. */
  hourlyUsd?: number;
}

/** One request served on an instance in an interval. */
export interface ServedRequest {
  /** The model it ran (the attributed cost is reported per model). */
  model: string;
  /** All its tokens (input, cache read and write, output): the weight of its share. */
  tokens: number;
  /** Its usage priced at the comparable Bedrock model, when one is configured and priced. */
  bedrockUsd?: number;
}

/** What one instance's capacity cost in one interval, and how it splits. */
export interface Settlement {
  capacityUsd: number;
  /** Part attributed to the requests served: capacityUsd × utilisation when any request was served, else 0. */
  attributedUsd: number;
  /** capacityUsd − attributedUsd. */
  idleUsd: number;
  /** 0–1. */
  utilization: number;
  /** attributedUsd split over the requests by tokens, in their order. */
  shares: number[];
}

/** What an open interval is fed: a request served (on an instance, or spread over those of its type), or a utilisation sample. */
export type Observation =
  | { type: string; id?: string; atMs: number; request: ServedRequest; /** From the span's accelerator snapshot. */ utilization?: number }
  | { type: string; id: string; atMs: number; ratio: number };

/** An observation and the start of the open interval it went to. */
export interface JournalEntry {
  slotMs: number;
  observation: Observation;
}
