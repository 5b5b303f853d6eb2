/** An observation as CloudWatch takes it: one contribution to a datapoint, summed (`sum`) or one value of a distribution (`dist`). */
export interface CloudWatchObservation {
  metric: string;
  unit: StandardUnit;
  /** Dimension name/value pairs, sorted by name. */
  dims: [string, string][];
  /** JSON of `dims`, computed once: the outbox column and the grouping key. */
  dimsJson: string;
  kind: 'sum' | 'dist';
  value: number;
  /** How many times `value` was observed (dist); 1 for sums. */
  count: number;
}

export type StandardUnit = 'None' | 'Count' | 'Seconds' | 'Percent';
