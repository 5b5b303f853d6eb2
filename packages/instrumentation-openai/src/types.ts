import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { SelfHostedEndpoint } from '@tokenledger/instrumentation-core';

export interface OpenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Ask for provider-reported usage on streamed chat completions by adding
   * `stream_options: {include_usage: true}` when the caller did not set it. The extra usage-only chunk
   * this makes the server send is consumed by the instrumentation, never shown to the app.
   * Default true; env `TOKENLEDGER_OPENAI_STREAM_USAGE=false` turns it off.
   */
  requestStreamUsage?: boolean;
  /**
   * OpenAI-compatible self-hosted servers (vLLM, TGI, LMI…) reached with a custom `baseURL`: calls whose
   * base URL starts with an entry's `url` get its provider, route and instance type, and are priced as
   * `self_hosted` from the instances' hourly price. Default: env `TOKENLEDGER_SELF_HOSTED_ENDPOINTS`, a JSON
   * array of `{url, provider, model?, route?, instanceType?, instances?, concurrency?, hourlyUsd?}`.
   */
  selfHostedEndpoints?: SelfHostedEndpoint[];
}

/** Configuration of the plain-`fetch` instrumentation for self-hosted OpenAI-compatible servers. */
export interface SelfHostedFetchConfig extends InstrumentationConfig {
  /** The servers to watch. Default: env `TOKENLEDGER_SELF_HOSTED_ENDPOINTS`; with none it subscribes to nothing. */
  selfHostedEndpoints?: SelfHostedEndpoint[];
}
