import type { SelfHostedEndpoint } from '@tokenledger/instrumentation-core';

export interface SageMakerConfig {
  /**
   * SageMaker endpoints: instance type and count, concurrency, model and route, for the `self_hosted`
   * price of each call (its duration's share of the instances' hourly price). Default: env
   * `TOKENLEDGER_SAGEMAKER_ENDPOINTS`, a JSON array of `{endpoint, instanceType?, instances?, concurrency?,
   * hourlyUsd?, model?, route?, provider?}`. Unlisted endpoints are recorded with tokens but `unpriced`.
   */
  endpoints?: SelfHostedEndpoint[];
}
