import { daemonAddress, lambdaTraceHeader, parseTraceHeader, type SegmentSender, Subsegment, udpSender } from './xray.ts';

/**
 * The one X-Ray tracer: each AWS SDK call and each Graph call is a subsegment of the function's
 * segment (xray.ts), active only inside Lambda with tracing on. AWS SDK clients are wrapped where
 * they are made (aws-clients.ts and the wiring modules); Graph calls get a subsegment each in
 * graph-telemetry.ts.
 *
 * Outgoing HTTP is not traced on its own on purpose: a recorded URL would carry what Graph URLs
 * carry in their query string (the token being checked, our app token, appsecret_proof). No
 * handler result, error stack or request parameter is recorded either: answers hold session
 * tokens, parameters hold token hashes.
 *
 * Switched off as Powertools Tracer is (the same settings, so runbooks carry over): outside Lambda
 * (`AWS_EXECUTION_ENV` unset), under SAM local or the Amplify mock, or with
 * `POWERTOOLS_TRACE_ENABLED=false`.
 */
export function tracingEnabledIn(env: NodeJS.ProcessEnv): boolean {
  const executionEnv = env.AWS_EXECUTION_ENV ?? '';
  if (executionEnv === '' || executionEnv === 'AWS_Lambda_amplify-mock' || (env.AWS_SAM_LOCAL ?? '') !== '') return false;
  return env.POWERTOOLS_TRACE_ENABLED?.trim().toLowerCase() !== 'false';
}

/** Throttling errors AWS answers with a status other than 429 (DynamoDB's is a 400), by the names the SDK's retry logic knows them by. */
const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
]);

type SdkMetadata = { httpStatusCode?: number; requestId?: string; attempts?: number };
type SdkMiddlewareArgs = { input?: Record<string, unknown>; request?: { headers?: Record<string, string> } };
type SdkHandler = (args: SdkMiddlewareArgs) => Promise<{ output?: { $metadata?: SdkMetadata }; response?: { headers?: Record<string, string> } }>;
type SdkContext = { clientName?: string; commandName?: string };
/** The parts of an AWS SDK v3 client the tracer uses. */
type SdkClient = {
  config: { region: () => Promise<string> | string };
  middlewareStack: {
    remove: (name: string) => boolean;
    add: (middleware: (next: SdkHandler, context: SdkContext) => SdkHandler, options: { step: 'build'; name: string }) => void;
  };
};

const MIDDLEWARE_NAME = 'SessionGuardXRay';

export class Tracer {
  readonly #enabled: boolean;
  readonly #env: NodeJS.ProcessEnv;
  readonly #send: SegmentSender;

  constructor(options: { env?: NodeJS.ProcessEnv; send?: SegmentSender } = {}) {
    this.#env = options.env ?? process.env;
    this.#enabled = tracingEnabledIn(this.#env);
    this.#send = options.send ?? udpSender(daemonAddress(this.#env.AWS_XRAY_DAEMON_ADDRESS));
  }

  isTracingEnabled(): boolean {
    return this.#enabled;
  }

  /**
   * A subsegment of this invocation's segment, or nothing when tracing is off or Lambda gave no
   * segment to add to. Read per call: Lambda sets a new trace header for every invocation.
   */
  startSubsegment(name: string): Subsegment | undefined {
    if (!this.#enabled) return undefined;
    const trace = parseTraceHeader(lambdaTraceHeader(this.#env));
    return trace ? new Subsegment(name, trace, this.#send) : undefined;
  }

  /**
   * Makes each call of an AWS SDK v3 client a subsegment named for the service (`DynamoDB`), with
   * the operation, region, request id, retries and table name, the HTTP status, and X-Ray's
   * flags; the request carries the trace header so AWS links the call. Calling it twice on one
   * client leaves one middleware. Unchanged when tracing is off.
   */
  captureAWSv3Client<T>(client: T): T {
    if (!this.#enabled) return client;
    const sdk = client as unknown as SdkClient;
    sdk.middlewareStack.remove(MIDDLEWARE_NAME);
    sdk.middlewareStack.add((next, context) => async (args) => {
      const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
      const subsegment = this.startSubsegment(service);
      if (!subsegment) return next(args);
      subsegment.set('namespace', 'aws');
      if (args.request?.headers) args.request.headers['X-Amzn-Trace-Id'] = subsegment.traceHeader();
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      const tableName = typeof args.input?.TableName === 'string' ? args.input.TableName : undefined;
      const record = async (metadata: SdkMetadata | undefined, contentLength?: string, throttled = false) => {
        subsegment.set('aws', {
          operation,
          region: await sdk.config.region(),
          ...(metadata?.requestId ? { request_id: metadata.requestId } : {}),
          retries: Math.max(0, (metadata?.attempts ?? 1) - 1),
          ...(tableName ? { table_name: tableName } : {}),
        });
        const status = metadata?.httpStatusCode;
        if (status !== undefined) {
          subsegment.set('http', { response: { status, ...(contentLength !== undefined && /^\d+$/.test(contentLength) ? { content_length: Number(contentLength) } : {}) } });
        }
        subsegment.flagStatus(status, throttled);
      };
      try {
        const result = await next(args);
        await record(result.output?.$metadata, result.response?.headers?.['content-length']);
        return result;
      } catch (error) {
        const failure = error as Error & { $metadata?: SdkMetadata };
        await record(failure.$metadata, undefined, THROTTLING_ERRORS.has(failure.name)).catch(() => undefined);
        subsegment.addError(failure, failure.$metadata !== undefined);
        throw error;
      } finally {
        subsegment.close();
      }
    }, { step: 'build', name: MIDDLEWARE_NAME });
    return client;
  }
}

export const tracer = new Tracer();

/** An AWS SDK v3 client whose calls are X-Ray subsegments (unchanged outside Lambda). */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}
