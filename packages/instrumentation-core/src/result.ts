import type { Usage } from '@tokenledger/pricing';

/** What one call returned that the span records, whatever the API shape. */
export interface CallResult {
  responseId?: string;
  responseModel?: string;
  finishReasons?: string[];
  usage?: Usage;
  /** OpenAI `service_tier` (`default`, `flex`, `priority`, `scale`, `auto`). */
  serviceTier?: string;
}
