// The producer table and the reading of a span by it (see table.ts).
export { GENAI_SEMCONV, PRODUCER_ATTRIBUTE_KEYS, PRODUCERS, type ProducerEntry } from './table.ts';
export { billedByTokens, producerOf, providerName, readSpan, type SpanReading } from './read.ts';
