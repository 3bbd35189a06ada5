import { WebPubSubArgumentError } from './client.errors.js';
import { ClientMessages } from './client.messages.js';

/** The service's hub-name pattern (REST spec, api-version 2024-12-01). */
export const HUB_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;
export const MAX_GROUP_NAME_LENGTH = 1024;
export const MAX_MESSAGE_TTL_SECONDS = 300;
export const MAX_PAGE_SIZE = 200;
export const MAX_INT32 = 2_147_483_647;

export type Permission = 'joinLeaveGroup' | 'sendToGroup';
export const PERMISSIONS: readonly Permission[] = ['joinLeaveGroup', 'sendToGroup'];

export function assertHub(hub: unknown): asserts hub is string {
  if (typeof hub !== 'string' || !HUB_NAME_PATTERN.test(hub)) {
    throw new WebPubSubArgumentError('hub', ClientMessages.hubInvalid(hub));
  }
}

/** The service's rule for group names: 1 to 1024 characters, not only whitespace (the emulator applies it too). */
export function isGroupName(group: unknown): group is string {
  return typeof group === 'string' && group.length > 0 && group.length <= MAX_GROUP_NAME_LENGTH && group.trim() !== '';
}

export function assertGroup(group: unknown, argument = 'group'): asserts group is string {
  if (!isGroupName(group)) {
    throw new WebPubSubArgumentError(argument, ClientMessages.groupInvalid(argument, group));
  }
}

/** userId and connectionId only need to be non-empty strings (REST spec `minLength: 1`). */
export function assertId(value: unknown, argument: 'userId' | 'connectionId'): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new WebPubSubArgumentError(argument, ClientMessages.idEmpty(argument, value));
  }
}

export function assertIntegerInRange(value: unknown, argument: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new WebPubSubArgumentError(argument, ClientMessages.integerOutOfRange(argument, value, min, max));
  }
}

export function assertOptionalInteger(value: unknown, argument: string, min: number, max: number): void {
  if (value !== undefined) assertIntegerInRange(value, argument, min, max);
}

export function assertPermission(permission: unknown): asserts permission is Permission {
  if (!PERMISSIONS.includes(permission as Permission)) {
    throw new WebPubSubArgumentError('permission', ClientMessages.permissionInvalid(permission));
  }
}

export function assertOptionalString(value: unknown, argument: string): void {
  if (value !== undefined && typeof value !== 'string') {
    throw new WebPubSubArgumentError(argument, ClientMessages.optionalStringInvalid(argument));
  }
}

export function assertOptionalStringList(value: unknown, argument: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw new WebPubSubArgumentError(argument, ClientMessages.stringListInvalid(argument));
  }
}

export function assertGroupList(groups: unknown, argument: string, operation: string): asserts groups is string[] {
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new WebPubSubArgumentError(argument, ClientMessages.groupsRequired(operation));
  }
  groups.forEach((group, index) => assertGroup(group, `${argument}[${index}]`));
}

export function assertFilter(filter: unknown, operation: string): asserts filter is string {
  if (typeof filter !== 'string' || filter.trim() === '') {
    throw new WebPubSubArgumentError('filter', ClientMessages.filterRequired(operation));
  }
}

export function assertMessageTtl(value: unknown): void {
  assertOptionalInteger(value, 'messageTtlSeconds', 0, MAX_MESSAGE_TTL_SECONDS);
}
