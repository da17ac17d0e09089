/**
 * Whether an AWS SDK error is passing trouble (throttling, a service hiccup, the network) rather
 * than a fault retrying will not fix (access denied, a bad request, a bad ciphertext). The SDK has
 * already retried it a few times by the time we see it.
 */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
  'InternalServerError',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  const details = error as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: unknown };
  if ((details.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  if (details.$retryable !== undefined) return true;
  return typeof details.code === 'string' && TRANSIENT_NETWORK_CODES.has(details.code);
}
