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
