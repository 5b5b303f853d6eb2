// What a failed PutMetricData means for the data it carried.

/** `invalid`: CloudWatch refused the data (never retried: bisected down to the bad datum). Everything else is retried. */
export type SendResult = 'ok' | 'throttled' | 'server_error' | 'timeout' | 'network' | 'invalid' | 'other';

const INVALID_CODES = new Set([
  'InvalidParameterValue', 'InvalidParameterValueException', 'InvalidParameterCombination',
  'InvalidParameterCombinationException', 'MissingParameter', 'MissingRequiredParameterException',
]);
const THROTTLING_CODES = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);
/** Socket errors that leave a request sent whole unanswered: CloudWatch may have recorded it. */
const AMBIGUOUS_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

interface SdkError {
  name?: string;
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** `fullySent`: the request's last byte left the process; only then can a timeout or reset be ambiguous. */
export function classify(err: unknown, fullySent: boolean): { result: SendResult; ambiguous: boolean; code: string } {
  const e = (err ?? {}) as SdkError;
  const code = e.Code ?? e.code ?? e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  if (INVALID_CODES.has(code) || status === 413) return { result: 'invalid', ambiguous: false, code };
  if (THROTTLING_CODES.has(code) || status === 429) return { result: 'throttled', ambiguous: false, code };
  if (status !== undefined && status >= 500) return { result: 'server_error', ambiguous: false, code };
  if (e.name === 'TimeoutError') return { result: 'timeout', ambiguous: fullySent, code };
  if (e.code !== undefined && AMBIGUOUS_SOCKET_CODES.has(e.code)) return { result: 'network', ambiguous: fullySent, code };
  if (e.code?.startsWith('E')) return { result: 'network', ambiguous: false, code };
  return { result: 'other', ambiguous: false, code };
}
