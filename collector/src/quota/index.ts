// Quota pressure (Bedrock tokens per minute against the configured quotas) and throttles, from accepted spans.
import type { ComponentFactory } from '../components/types.ts';
import { QuotaPressure } from './pressure.ts';

export { QuotaPressure } from './pressure.ts';

/** Always on: throttles and quota tokens are counted for every model; the ratio needs TOKENLEDGER_QUOTAS. */
export const quotaComponent: ComponentFactory = ({ config, book, clock, registry, publishSignals }) =>
  new QuotaPressure({ config: config.quota, book, clock, registry, publish: publishSignals });
