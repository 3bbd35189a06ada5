import { readConnectionString, readEndpoint, type ConnectionStringProblem } from '../protocol/connection-string.js';
import { WebPubSubArgumentError } from './client.errors.js';
import { ClientMessages } from './client.messages.js';

export { formatConnectionString } from '../protocol/connection-string.js';

export interface ParsedConnectionString {
  /** Service URL without a trailing slash, with `Port=` merged in, e.g. `http://localhost:8080`. */
  endpoint: string;
  accessKey: string;
}

/**
 * Parses `Endpoint=...;AccessKey=...;Version=1.0;[Port=...;]` as the official SDKs do (the rules are
 * in protocol/connection-string.ts) and throws WebPubSubArgumentError when it cannot. Errors never
 * include the key.
 */
export function parseConnectionString(connectionString: unknown): ParsedConnectionString {
  const result = readConnectionString(connectionString);
  if (!result.ok) throw new WebPubSubArgumentError('connectionString', problemMessage(result.problem));
  return { endpoint: result.endpoint, accessKey: result.accessKey };
}

/** Validates an endpoint URL given directly and returns it without trailing slashes. */
export function normalizeEndpoint(endpoint: unknown, name = 'endpoint'): string {
  const url = readEndpoint(endpoint);
  if (url === undefined) throw new WebPubSubArgumentError(name, ClientMessages.endpointInvalid(name, endpoint));
  return url;
}

function problemMessage(problem: ConnectionStringProblem): string {
  switch (problem.kind) {
    case 'not-string':
      return ClientMessages.connectionStringNotString();
    case 'missing-part':
      return ClientMessages.connectionStringMissingPart(problem.part);
    case 'bad-endpoint':
      return ClientMessages.connectionStringBadEndpoint(problem.endpoint);
    case 'bad-port':
      return ClientMessages.connectionStringBadPort(problem.port);
  }
}
