import { clientPath, clientTokenClaims, type WebPubSubClientProtocol } from '../protocol/client-token.js';
import { JWT_FIXED_HEADER, signJwt } from '../protocol/jwt.js';
import { WebPubSubArgumentError } from './client.errors.js';
import { ClientMessages } from './client.messages.js';
import type { OperationOptions } from './client.options.js';

export { CLIENT_PROTOCOLS, clientPath, type WebPubSubClientProtocol } from '../protocol/client-token.js';

/** Options of `getClientAccessToken`: the token's claims, its lifetime and the client endpoint. */
export interface GenerateClientTokenOptions extends OperationOptions {
  /** The user the connection belongs to (the token's `sub`). */
  userId?: string;
  /** e.g. `webpubsub.joinLeaveGroup`, `webpubsub.sendToGroup.room1`. */
  roles?: string[];
  /** Groups the connection joins as soon as it connects. */
  groups?: string[];
  /** Token lifetime in minutes; 60 when omitted. */
  expirationTimeInMinutes?: number;
  /** Which client endpoint the URL points at. */
  clientProtocol?: WebPubSubClientProtocol;
  /**
   * Extra JWT header fields of a token signed with the access key, e.g. `{ kid: 'key1' }` (the Python
   * SDK's `jwt_headers`). `alg` and `typ` stay HS256/JWT. Not available with a TokenCredential, where
   * the service signs the token.
   */
  jwtHeaders?: Record<string, unknown>;
}

export interface ClientTokenResponse {
  token: string;
  /** The client endpoint without the token, e.g. `wss://<name>.webpubsub.azure.com/client/hubs/chat`. */
  baseUrl: string;
  /** `baseUrl` with `?access_token=<token>`: hand this to the client. Treat it as a secret. */
  url: string;
}

/** Signs a client access token locally with the access key, as the official SDK does. */
export function signClientAccessToken(
  endpoint: string,
  hub: string,
  key: string,
  options: GenerateClientTokenOptions,
): string {
  const { userId, roles, groups, expirationTimeInMinutes, clientProtocol: protocol, jwtHeaders } = options;
  return signJwt(
    clientTokenClaims({ endpoint, hub, protocol, userId, roles, groups, expirationTimeInMinutes }),
    key,
    jwtHeaders,
  );
}

/** `jwtHeaders` must be a plain object that leaves `alg` and `typ` as they are. */
export function assertJwtHeaders(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WebPubSubArgumentError('jwtHeaders', ClientMessages.jwtHeadersInvalid());
  }
  for (const [name, fixed] of Object.entries(JWT_FIXED_HEADER)) {
    const given = (value as Record<string, unknown>)[name];
    if (given !== undefined && given !== fixed) {
      throw new WebPubSubArgumentError(`jwtHeaders.${name}`, ClientMessages.jwtHeaderFixed(name, fixed));
    }
  }
}

export function toClientTokenResponse(
  endpoint: string,
  hub: string,
  token: string,
  protocol?: WebPubSubClientProtocol,
): ClientTokenResponse {
  const baseUrl = endpoint.replace(/^http(s?):\/\//i, 'ws$1://') + clientPath(hub, protocol);
  return { token, baseUrl, url: `${baseUrl}?access_token=${encodeURIComponent(token)}` };
}
