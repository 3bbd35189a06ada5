import { nowInSeconds, signJwt } from './jwt.js';

export type WebPubSubClientProtocol = 'default' | 'mqtt' | 'socketio';
export const CLIENT_PROTOCOLS: readonly WebPubSubClientProtocol[] = ['default', 'mqtt', 'socketio'];

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

export function clientPath(hub: string, protocol: WebPubSubClientProtocol = 'default'): string {
  if (protocol === 'mqtt') return `/clients/mqtt/hubs/${hub}`;
  if (protocol === 'socketio') return `/clients/socketio/hubs/${hub}`;
  return `/client/hubs/${hub}`;
}

/** Signs a client access token locally with the access key, as the official SDK does. */
export function signClientAccessToken(endpoint: string, hub: string, key: string, options: GenerateClientTokenOptions): string {
  const iat = nowInSeconds();
  const minutes = options.expirationTimeInMinutes ?? 60;
  const claims: Record<string, unknown> = {
    iat,
    exp: iat + minutes * 60,
    aud: `${endpoint}${clientPath(hub, options.clientProtocol)}`,
  };
  if (options.roles) claims.role = options.roles;
  if (options.groups) claims['webpubsub.group'] = options.groups;
  if (options.userId) claims.sub = options.userId;
  return signJwt(claims, key);
}

export function toClientTokenResponse(endpoint: string, hub: string, token: string, protocol?: WebPubSubClientProtocol): ClientTokenResponse {
  const baseUrl = endpoint.replace(/^http(s?):\/\//i, 'ws$1://') + clientPath(hub, protocol);
  return { token, baseUrl, url: `${baseUrl}?access_token=${encodeURIComponent(token)}` };
}
