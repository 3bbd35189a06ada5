import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCore } from './emulator-core.js';
import { EmulatorMessages } from './emulator.messages.js';
import type { FaultInjector } from './fault-injector.js';
import { checkRestToken } from './rest-auth.js';
import { operations } from './rest-operations.js';
import type { OperationContext } from './rest-operations.parts.js';
import { checkHub, errorResult, RestFailure, type RestResult } from './rest-response.js';
import { parseQuery, type QueryPairs } from '../protocol/query.js';

const SUPPORTED_API_VERSIONS = new Set(['2021-10-01', '2022-11-01', '2023-07-01', '2024-01-01', '2024-12-01']);
/** Bodies above 1 MiB are refused; reading stops a little past the limit. */
export const MAX_REST_BODY_BYTES = 1024 * 1024;

/** One REST call as the emulator served it, for tests to inspect. */
export interface RestCallRecord {
  method: string;
  path: string;
  operation: string;
  status: number;
}

/**
 * The data-plane REST API: authentication, api-version, routing to the 25 operations, and the
 * service's status codes and error bodies. Faults injected by tests apply before anything else.
 */
export class RestApi {
  readonly calls: RestCallRecord[] = [];

  constructor(
    private readonly core: EmulatorCore,
    private readonly faults: FaultInjector,
  ) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const questionMark = url.indexOf('?');
    const rawPath = questionMark < 0 ? url : url.slice(0, questionMark);
    const query = groupQuery(parseQuery(questionMark < 0 ? '' : url.slice(questionMark + 1)));
    const body = await readBody(request);
    const route = operations.match(request.method ?? 'GET', rawPath);
    const operation = route?.operation ?? (rawPath === '/api/health' ? 'getServiceStatus' : 'unknown');
    const result = await this.run(request, rawPath, query, body, route, operation);
    this.calls.push({ method: request.method ?? '', path: rawPath, operation, status: result.status });
    if (this.calls.length > 20_000) this.calls.splice(0, 10_000);
    response.writeHead(result.status, result.headers);
    response.end(request.method === 'HEAD' ? undefined : result.body);
  }

  private async run(
    request: IncomingMessage,
    rawPath: string,
    query: Map<string, string[]>,
    body: Buffer | 'too-large',
    route: ReturnType<typeof operations.match>,
    operation: string,
  ): Promise<RestResult> {
    await this.faults.delay();
    const injected = this.faults.takeRestFault(operation);
    if (injected) return injected;
    if (rawPath === '/api/health') return { status: 200 };
    const isHead = request.method === 'HEAD';
    if (!route) return errorResult(404, 'Error.NotFound', EmulatorMessages.notFound(), !isHead);
    const failure = checkRestToken(request, this.core.options.keys, this.core.options.endpoint);
    if (failure) {
      const message = failure === 'missing' ? EmulatorMessages.missingToken() : EmulatorMessages.unauthorized(failure);
      return errorResult(401, 'Error.Unauthorized', message, !isHead);
    }
    try {
      const apiVersion = query.get('api-version')?.[0];
      if (!apiVersion) throw new RestFailure(400, 'Error.BadRequest', EmulatorMessages.missingApiVersion());
      if (!SUPPORTED_API_VERSIONS.has(apiVersion))
        throw new RestFailure(400, 'Error.BadRequest', EmulatorMessages.unsupportedApiVersion(apiVersion));
      checkHub(route.hub);
      if (body === 'too-large')
        throw new RestFailure(400, 'Error.BadRequest', EmulatorMessages.bodyTooLarge(MAX_REST_BODY_BYTES));
      const context: OperationContext = {
        core: this.core,
        hub: this.core.hub(route.hub),
        params: route.params,
        query,
        body,
        contentType: request.headers['content-type'],
        endpoint: this.core.options.endpoint,
      };
      return await route.run(context);
    } catch (error) {
      if (error instanceof RestFailure) return errorResult(error.status, error.code, error.message, !isHead);
      this.core.logger.error(`REST ${route.operation} failed: ${(error as Error).stack ?? error}`);
      return errorResult(500, 'Error.Internal', 'The emulator failed to process the request.', !isHead);
    }
  }
}

/** Each parameter's values in order (`b=2&b=3` gives b: ['2', '3']). */
function groupQuery(pairs: QueryPairs): Map<string, string[]> {
  const query = new Map<string, string[]>();
  for (const [name, value] of pairs) query.set(name, [...(query.get(name) ?? []), value]);
  return query;
}

/** Reads the whole body; past the limit it keeps reading (so the answer can be sent) but drops the bytes. */
function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REST_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_REST_BODY_BYTES ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
