/*
 * How the service names an upstream event in its CloudEvents headers: `ce-type` says whether it is
 * a system event (connect, connected, disconnected) or a user event, `ce-source` which connection
 * it came from.
 */

export type UpstreamEventKind = 'system' | 'user';

/** `azure.webpubsub.sys.<name>` for system events, `azure.webpubsub.user.<name>` for user events. */
export function upstreamEventType(kind: UpstreamEventKind, name: string): string {
  return `azure.webpubsub.${kind === 'system' ? 'sys' : 'user'}.${name}`;
}

/** `ce-source`: `/hubs/<hub>/client/<connectionId>`. */
export function upstreamEventSource(hub: string, connectionId: string): string {
  return `/hubs/${hub}/client/${connectionId}`;
}
