/*
 * What the service accepts as names, ids, permissions and numbers (REST spec, api-version
 * 2024-12-01). Predicates only: the client turns a `false` into its argument error before any
 * network call, the emulator into the service's 400.
 */

/** Hub names: a letter, then up to 127 letters, digits or `` _`,.[] ``. */
export const HUB_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;
export const MAX_GROUP_NAME_LENGTH = 1024;
export const MAX_MESSAGE_TTL_SECONDS = 300;
/** The largest `maxpagesize` of listConnectionsInGroup. */
export const MAX_PAGE_SIZE = 200;
/** Integer query parameters (`top`, `minutesToExpire`) are int32 on the service. */
export const MAX_INT32 = 2_147_483_647;

export type Permission = 'joinLeaveGroup' | 'sendToGroup';
export const PERMISSIONS: readonly Permission[] = ['joinLeaveGroup', 'sendToGroup'];

export function isHubName(hub: unknown): hub is string {
  return typeof hub === 'string' && HUB_NAME_PATTERN.test(hub);
}

/**
 * `.` and `..` as a name: in a REST path they are dot segments, which URL parsing removes, so
 * `/groups/../:send` would reach the hub's `/:send`. Refused wherever a name goes into a path.
 */
export function isDotSegment(name: string): boolean {
  return name === '.' || name === '..';
}

/** Group names: 1 to 1024 characters, not only whitespace, not `.` or `..`. */
export function isGroupName(group: unknown): group is string {
  return (
    typeof group === 'string' &&
    group.length > 0 &&
    group.length <= MAX_GROUP_NAME_LENGTH &&
    group.trim() !== '' &&
    !isDotSegment(group)
  );
}

/** userId and connectionId: non-empty strings (`minLength: 1`), not `.` or `..`. */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && !isDotSegment(value);
}

export function isPermission(value: unknown): value is Permission {
  return PERMISSIONS.includes(value as Permission);
}
