import { nowInSeconds, type JwtClaims } from './jwt.js';

/** The client endpoints a token can be made for; each has its own path, and so its own `aud`. */
export type WebPubSubClientProtocol = 'default' | 'mqtt' | 'socketio';
export const CLIENT_PROTOCOLS: readonly WebPubSubClientProtocol[] = ['default', 'mqtt', 'socketio'];

/** The path of a hub's client endpoint below the service URL. */
export function clientPath(hub: string, protocol: WebPubSubClientProtocol = 'default'): string {
  if (protocol === 'mqtt') return `/clients/mqtt/hubs/${hub}`;
  if (protocol === 'socketio') return `/clients/socketio/hubs/${hub}`;
  return `/client/hubs/${hub}`;
}

export interface ClientTokenClaimsInput {
  /** Service URL without a trailing slash. */
  endpoint: string;
  hub: string;
  protocol?: WebPubSubClientProtocol;
  /** The token's `sub`; an empty string is left out, as the official SDK does. */
  userId?: string;
  /** `role`: kept when given, even empty, as the official SDK does. */
  roles?: readonly string[];
  /** `webpubsub.group`: groups joined on connect; kept when given, even empty. */
  groups?: readonly string[];
  /** 60 when omitted. */
  expirationTimeInMinutes?: number;
}

/**
 * The claims of a client access token, the same whether the client signs it locally with the key
 * or the service (here: the emulator) answers `:generateToken`: the audience is the client URL.
 */
export function clientTokenClaims(input: ClientTokenClaimsInput): JwtClaims {
  const iat = nowInSeconds();
  const claims: JwtClaims = {
    iat,
    exp: iat + (input.expirationTimeInMinutes ?? 60) * 60,
    aud: `${input.endpoint}${clientPath(input.hub, input.protocol)}`,
  };
  if (input.roles) claims.role = [...input.roles];
  if (input.groups) claims['webpubsub.group'] = [...input.groups];
  if (input.userId) claims.sub = input.userId;
  return claims;
}
