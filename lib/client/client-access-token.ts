import { clientPath, clientTokenClaims, type WebPubSubClientProtocol } from '../protocol/client-token.js';
import { signJwt } from '../protocol/jwt.js';

export { CLIENT_PROTOCOLS, clientPath, type WebPubSubClientProtocol } from '../protocol/client-token.js';

export interface GenerateClientTokenOptions {
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
}

export interface ClientTokenResponse {
  token: string;
  /** The client endpoint without the token, e.g. `wss://<name>.webpubsub.azure.com/client/hubs/chat`. */
  baseUrl: string;
  /** `baseUrl` with `?access_token=<token>`: hand this to the client. Treat it as a secret. */
  url: string;
}

/** Signs a client access token locally with the access key, as the official SDK does. */
export function signClientAccessToken(endpoint: string, hub: string, key: string, options: GenerateClientTokenOptions): string {
  const { userId, roles, groups, expirationTimeInMinutes, clientProtocol: protocol } = options;
  return signJwt(clientTokenClaims({ endpoint, hub, protocol, userId, roles, groups, expirationTimeInMinutes }), key);
}

export function toClientTokenResponse(endpoint: string, hub: string, token: string, protocol?: WebPubSubClientProtocol): ClientTokenResponse {
  const baseUrl = endpoint.replace(/^http(s?):\/\//i, 'ws$1://') + clientPath(hub, protocol);
  return { token, baseUrl, url: `${baseUrl}?access_token=${encodeURIComponent(token)}` };
}
