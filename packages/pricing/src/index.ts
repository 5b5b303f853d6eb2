// Public API of @tokenledger/pricing. Implemented in catalog.ts, price-book.ts, cost.ts, model-id.ts, estimate.ts.
export type { ModelPrice, InstancePrice, Usage, CostBreakdown, CostOptions } from './types.ts';
