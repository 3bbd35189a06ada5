import {
  isDotSegment,
  isGroupName,
  isHubName,
  isId,
  isPermission,
  MAX_MESSAGE_TTL_SECONDS,
  type Permission,
} from '../protocol/rules.js';
import { WebPubSubArgumentError } from './client.errors.js';
import { ClientMessages } from './client.messages.js';

/*
 * Argument checks before any network call: the service's rules (protocol/rules.ts) turned into
 * WebPubSubArgumentError with a message that says how to fix the call.
 */
export { MAX_INT32, MAX_PAGE_SIZE, MAX_MESSAGE_TTL_SECONDS, type Permission } from '../protocol/rules.js';

export function assertHub(hub: unknown): asserts hub is string {
  if (!isHubName(hub)) {
    throw new WebPubSubArgumentError('hub', ClientMessages.hubInvalid(hub));
  }
}

export function assertGroup(group: unknown, argument = 'group'): asserts group is string {
  assertNotDotSegment(group, argument);
  if (!isGroupName(group)) {
    throw new WebPubSubArgumentError(argument, ClientMessages.groupInvalid(argument, group));
  }
}

export function assertId(value: unknown, argument: 'userId' | 'connectionId'): asserts value is string {
  assertNotDotSegment(value, argument);
  if (!isId(value)) {
    throw new WebPubSubArgumentError(argument, ClientMessages.idEmpty(argument, value));
  }
}

/** `.` and `..` get their own message: the reason is not the one the name rules give. */
function assertNotDotSegment(value: unknown, argument: string): void {
  if (typeof value === 'string' && isDotSegment(value)) {
    throw new WebPubSubArgumentError(argument, ClientMessages.dotSegmentName(argument, value));
  }
}

/** A userId or connectionId that may be left out (token options, query values). */
export function assertOptionalName(value: unknown, argument: string): void {
  assertOptionalString(value, argument);
  assertNotDotSegment(value, argument);
}

/** A list of group names or connection ids that may be left out: each item is a name too. */
export function assertOptionalNameList(value: unknown, argument: string): void {
  assertOptionalStringList(value, argument);
  (value as string[] | undefined)?.forEach((item, index) => assertNotDotSegment(item, `${argument}[${index}]`));
}

export function assertIntegerInRange(
  value: unknown,
  argument: string,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new WebPubSubArgumentError(argument, ClientMessages.integerOutOfRange(argument, value, min, max));
  }
}

export function assertOptionalInteger(value: unknown, argument: string, min: number, max: number): void {
  if (value !== undefined) assertIntegerInRange(value, argument, min, max);
}

export function assertPermission(permission: unknown): asserts permission is Permission {
  if (!isPermission(permission)) {
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
