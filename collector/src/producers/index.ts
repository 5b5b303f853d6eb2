// The producer table and the reading of a span by it (see table.ts).
export { PRODUCER_ATTRIBUTE_KEYS } from './table.ts';
export { billedByTokens, cost, count, producerOf, readSpan } from './read.ts';
