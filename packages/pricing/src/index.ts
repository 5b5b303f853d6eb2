// Public API of @tokenledger/pricing.
export { CATALOG_VERSION } from './catalog.ts';
export { PriceBook, defaultPriceBook, resetDefaultPriceBook } from './price-book.ts';
export { PriceFileError } from './errors.ts';
export { normaliseModelId, parseModelId, type ParsedModelId } from './model-id.ts';
export { estimateTokens, approximateTokens } from './estimate.ts';
export { costAttributes } from './cost.ts';
export type { ModelPrice, InstancePrice, ProvisionedPrice, LongContextPrice, Usage, CostBreakdown, CostOptions } from './types.ts';
