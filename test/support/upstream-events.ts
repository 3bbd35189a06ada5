import { createHmac } from 'node:crypto';

/*
 * Upstream events as Web PubSub sends them to an app, built here independently of lib (so a test
 * that forges or checks one is not checking lib against itself).
 */

/** hex(HMAC-SHA256(key, connectionId)): the value of one `sha256=` entry of ce-signature. */
export function signatureHex(key: string, connectionId: string): string {
  return createHmac('sha256', key).update(connectionId).digest('hex');
}

/** The ce-signature header the service sends for `connectionId` when it holds `key`. */
export function ceSignature(key: string, connectionId: string): string {
  return `sha256=${signatureHex(key, connectionId)}`;
}

/** Who an event comes from, and what signs it. */
export interface UpstreamEventSource {
  hub: string;
  connectionId: string;
  userId?: string;
  /** The access key that signs ce-signature. */
  key: string;
  /** WebHook-Request-Origin: the service's host. */
  origin: string;
}

const SYSTEM_EVENTS = ['connect', 'connected', 'disconnected'];

/**
 * The headers of a well-formed, correctly signed event (CloudEvents binary mode), a system event for
 * connect/connected/disconnected and a user event otherwise. `overrides` replace headers; an
 * `undefined` one removes the header.
 */
export function upstreamEventHeaders(
  event: string,
  source: UpstreamEventSource,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  const headers: Record<string, string | undefined> = {
    'ce-specversion': '1.0',
    'ce-awpsversion': '1.0',
    'ce-type': `azure.webpubsub.${SYSTEM_EVENTS.includes(event) ? 'sys' : 'user'}.${event}`,
    'ce-source': `/hubs/${source.hub}/client/${source.connectionId}`,
    'ce-id': '0',
    'ce-hub': source.hub,
    'ce-connectionId': source.connectionId,
    'ce-userId': source.userId,
    'ce-eventName': event,
    'ce-signature': ceSignature(source.key, source.connectionId),
    'webhook-request-origin': source.origin,
    'content-type': 'application/json; charset=utf-8',
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
