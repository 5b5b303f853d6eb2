// Public API of @tokenledger/pricing.
export { CATALOG_VERSION } from './catalog.ts';
export { PriceBook, defaultPriceBook, resetDefaultPriceBook, type Resolved, type Explanation } from './price-book.ts';
export { PriceFileError } from './errors.ts';
export { normaliseModelId, parseModelId, type ParsedModelId } from './model-id.ts';
export { estimateTokens, approximateTokens } from './estimate.ts';
export { costAttributes } from './cost.ts';
export { crossCheck, judge, readExceptions, describe as describeDifference, entryKey, CATALOG_EXCEPTIONS_URL, type CrossCheckRow, type Exception, type Verdict } from './cross-check.ts';
export { maintainedSource, MAINTAINED_PACKAGE } from './maintained.ts';
export type { ModelPrice, InstancePrice, ProvisionedPrice, LongContextPrice, Usage, CostBreakdown, CostOptions } from './types.ts';
