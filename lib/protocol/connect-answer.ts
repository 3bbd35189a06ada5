import { isGroupName, isId, MAX_GROUP_NAME_LENGTH } from './rules.js';

/** An MQTT user property (a name/value pair of a CONNECT, CONNACK or DISCONNECT packet). */
export interface MqttUserProperty {
  name: string;
  value: string;
}

/**
 * What an `@OnConnect` handler may return to shape the connection (or nothing to accept it as is):
 * the body of the connect event's response, which the emulator reads with the same type.
 */
export interface ConnectResponse {
  userId?: string;
  groups?: string[];
  roles?: string[];
  /** One of the subprotocols the client offered. */
  subprotocol?: string;
  /** MQTT clients only: user properties sent back in the CONNACK packet. */
  mqtt?: { userProperties?: MqttUserProperty[] };
}

/** Which field of a connect answer the service cannot use, and what it needs there. */
export interface ConnectAnswerProblem {
  field: 'userId' | 'groups' | 'roles' | 'subprotocol' | 'mqtt' | '(the answer)';
  expected: string;
}

/**
 * Checks a connect handler's answer as the service checks token claims: a string userId, valid
 * group names, string roles, a string subprotocol, MQTT user properties as name/value strings.
 * An absent or null field leaves the connection's own (and an empty userId keeps the token's). The emulator fails such a connect with 500, as the
 * service does; the app's event route refuses to send it.
 */
export function connectAnswerProblem(answer: unknown): ConnectAnswerProblem | undefined {
  if (answer === null || answer === undefined) return undefined;
  if (typeof answer !== 'object' || Array.isArray(answer))
    return { field: '(the answer)', expected: 'an object such as { userId, groups, roles }' };
  const { userId, groups, roles, subprotocol, mqtt } = answer as Record<string, unknown>;
  if (!isAbsent(userId) && !(userId === '' || isId(userId)))
    return { field: 'userId', expected: 'a string other than "." and ".."' };
  if (!isListOf(groups, isGroupName))
    return {
      field: 'groups',
      expected: `a list of group names (1 to ${MAX_GROUP_NAME_LENGTH} characters, not only whitespace, not "." or "..")`,
    };
  if (!isListOf(roles, (role) => typeof role === 'string'))
    return { field: 'roles', expected: 'a list of role names such as "webpubsub.sendToGroup"' };
  if (!isAbsent(subprotocol) && typeof subprotocol !== 'string')
    return { field: 'subprotocol', expected: 'one of the subprotocols the client offered' };
  if (!isAbsent(mqtt) && !isMqttAnswer(mqtt))
    return {
      field: 'mqtt',
      expected: 'an object such as { userProperties: [{ name, value }] } with string names and values',
    };
  return undefined;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function isListOf(value: unknown, check: (item: unknown) => boolean): boolean {
  return isAbsent(value) || (Array.isArray(value) && value.every(check));
}

function isMqttAnswer(value: unknown): boolean {
  if (typeof value !== 'object' || Array.isArray(value)) return false;
  const isProperty = (item: unknown) =>
    typeof item === 'object' &&
    item !== null &&
    typeof (item as Record<string, unknown>).name === 'string' &&
    typeof (item as Record<string, unknown>).value === 'string';
  return isListOf((value as Record<string, unknown>).userProperties, isProperty);
}
