/*
 * How the service names an upstream event in its CloudEvents headers: `ce-type` says whether it is
 * a system event (connect, connected, disconnected), a group presence event (joined, left) or a
 * user event, `ce-source` which connection it came from.
 */

export type UpstreamEventKind = 'system' | 'group' | 'user';

const TYPE_SEGMENT: Record<UpstreamEventKind, string> = { system: 'sys', group: 'gp', user: 'user' };

/** `azure.webpubsub.sys.<name>`, `azure.webpubsub.gp.<name>` or `azure.webpubsub.user.<name>`. */
export function upstreamEventType(kind: UpstreamEventKind, name: string): string {
  return `azure.webpubsub.${TYPE_SEGMENT[kind]}.${name}`;
}

/** `ce-source`: `/hubs/<hub>/client/<connectionId>`. */
export function upstreamEventSource(hub: string, connectionId: string): string {
  return `/hubs/${hub}/client/${connectionId}`;
}
