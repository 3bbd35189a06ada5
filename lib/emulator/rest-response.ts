import { EmulatorMessages } from './emulator.messages.js';
import { parseODataFilter, type FilterPredicate } from './odata-filter.js';
import { isDotSegment, isGroupName, isHubName, isId } from '../protocol/rules.js';

export interface RestResult {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Thrown inside an operation to answer with the service's error shape. */
export class RestFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The service's error body (`code`, `message`, …) plus `x-ms-error-code`. */
export function errorResult(status: number, code: string, message: string, includeBody = true): RestResult {
  return {
    status,
    headers: { 'x-ms-error-code': code, ...(includeBody ? { 'content-type': 'application/json; charset=utf-8' } : {}) },
    body: includeBody ? JSON.stringify({ code, message, target: null, details: null, inner: null }) : undefined,
  };
}

export const badRequest = (message: string) => new RestFailure(400, 'Error.BadRequest', message);

export function checkHub(hub: string): void {
  if (!isHubName(hub)) throw badRequest(EmulatorMessages.invalidHub(hub));
}

export function checkGroup(group: string): void {
  if (isDotSegment(group)) throw badRequest(EmulatorMessages.dotName('group name'));
  if (!isGroupName(group)) throw badRequest(EmulatorMessages.invalidGroup());
}

export function checkId(value: string, name: string): void {
  if (isDotSegment(value)) throw badRequest(EmulatorMessages.dotName(name));
  if (!isId(value)) throw badRequest(EmulatorMessages.invalidId(name));
}

export function parseInteger(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^-?\d+$/.test(value) || number < min || number > max) {
    throw badRequest(
      name === 'messageTtlSeconds'
        ? EmulatorMessages.invalidTtl(value)
        : EmulatorMessages.invalidInteger(name, value, min, max),
    );
  }
  return number;
}

/** Parses and dry-runs a filter so type errors surface as 400 rather than at delivery time. */
export function parseFilter(filter: string | undefined): FilterPredicate | undefined {
  if (filter === undefined) return undefined;
  try {
    const predicate = parseODataFilter(filter);
    predicate({ userId: 'u', connectionId: 'c', protocol: '', groups: ['g'] });
    predicate({ userId: null, connectionId: 'c', protocol: '', groups: [] });
    return predicate;
  } catch (error) {
    throw badRequest(EmulatorMessages.invalidFilter((error as Error).message));
  }
}
