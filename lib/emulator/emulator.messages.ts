/** The emulator's error and log texts, in one place. None may include a key or a token. */
export const EmulatorMessages = {
  invalidOption: (option: string, expected: string) => `Invalid emulator option \`${option}\`: it must be ${expected}.`,
  unauthorized: (reason: string) =>
    `Unauthorized: the access token is ${reason}. Sign it with the emulator's access key (use its connection string).`,
  missingToken: () =>
    'Unauthorized: no access token. Send Authorization: Bearer <token> (REST) or ?access_token=<token> (clients).',
  invalidHub: (hub: string) =>
    `Invalid hub name "${hub}": it must start with a letter and contain only letters, digits and _ \` , . [ ] (1-128 characters).`,
  invalidGroup: () => 'Invalid group name: it must be 1 to 1024 characters and not only whitespace.',
  invalidId: (name: string) => `Invalid ${name}: it must not be empty.`,
  dotName: (what: string) =>
    `Invalid ${what}: it must not be "." or ".." (URLs treat them as path segments). Choose another name.`,
  malformedHub: () =>
    'Invalid hub name: the path is not valid percent-encoding. Encode the hub name with encodeURIComponent.',
  invalidTtl: (value: string) => `Invalid messageTtlSeconds "${value}": it must be a whole number from 0 to 300.`,
  invalidFilter: (reason: string) => `Invalid filter: ${reason}`,
  invalidInteger: (name: string, value: string, min: number, max: number) =>
    `Invalid ${name} "${value}": it must be a whole number from ${min} to ${max}.`,
  invalidPermission: (permission: string) => `Invalid permission "${permission}": use joinLeaveGroup or sendToGroup.`,
  invalidContentType: (contentType: string) =>
    `Unsupported Content-Type "${contentType}": use application/json, text/plain or application/octet-stream.`,
  invalidJsonBody: () => 'The body is not valid JSON.',
  invalidGroupsBody: () => 'The body must be a JSON object: {"groups": ["<group>", ...], "filter": "<OData filter>"}.',
  bodyTooLarge: (limit: number) => `The body is larger than ${limit} bytes.`,
  invalidClientType: (value: string) => `The value '${value}' is not valid.`,
  missingApiVersion: () => 'The api-version query parameter is required, e.g. api-version=2024-12-01.',
  unsupportedApiVersion: (value: string) =>
    `The api-version "${value}" is not supported. Use one of: 2021-10-01, 2022-11-01, 2023-07-01, 2024-01-01, 2024-12-01.`,
  notFound: () => 'No such operation. See the Web PubSub REST API (api-version 2024-12-01).',
  connectionNotExisted: (id: string) => `Connection '${id}' does not exist.`,
  userNotExisted: (id: string) => `User '${id}' has no connections.`,
  groupNotExisted: (group: string) => `Group '${group}' has no connections.`,
  permissionNotExisted: () => 'The connection does not have the permission.',
  injectedFault: (status: number) => `Injected fault: HTTP ${status}.`,
  protobufUnsupported: () =>
    'The protobuf subprotocols are not supported by the emulator. Use json.webpubsub.azure.v1 or json.reliable.webpubsub.azure.v1.',
  invalidInitialGroup: () => 'Invalid webpubsub.group claim: every group must be a valid group name.',
  recoveryFailed: () =>
    'Connection recovery failed: the connection is unknown, expired or the reconnection token is wrong.',
  leftDuringConnect: () => 'The client closed the connection before the connect event handler answered.',
  invalidConnectAnswer: (reason: string) =>
    `The connect event handler's answer is invalid: ${reason}. Answer with {"userId": "<id>", "groups": ["<group>"], "roles": ["<role>"], "subprotocol": "<offered>"} (each optional), or with no body.`,
  connectRejected: (status: number) => `The connect event handler rejected the client with HTTP ${status}.`,
  abuseProtectionFailed: (url: string, reason: string) =>
    `Upstream ${url} failed the abuse-protection handshake (${reason}). It must answer OPTIONS with WebHook-Allowed-Origin: * or the emulator's host.`,
  upstreamFailed: (event: string, url: string, reason: string) =>
    `Upstream ${event} event to ${url} failed: ${reason}.`,
  upstreamAnswerRefused: (url: string, reason: string) => `Upstream answer from ${url} refused: ${reason}`,
  upstreamFailedForClient: (event: string, reason: string) =>
    `The event handler of "${event}" failed: ${reason}. The emulator's log names the handler; check that it is running and answers 2xx.`,
  controlCharacterInName: (what: string) =>
    `Invalid ${what}: it contains a control character (U+0000-U+001F or U+007F-U+009F), which no upstream header can carry. Use printable characters.`,
  slowClient: (limitBytes: number) =>
    `Slow client: more than ${limitBytes} bytes waited to be sent to it, so the connection is closed. Read messages as they arrive, or raise clientBufferLimitBytes.`,
  internalError: () => 'The emulator failed to handle the message. Its log says why.',
  noEventHandler: (event: string) => `No event handler is configured for user event "${event}".`,
  invalidPatternRole: (connectionId: string, role: string, reason: string) =>
    `Connection ${connectionId}: role "${role}" grants nothing, as ${reason}. Write the pattern with ? (one character but "."), * (a run without "."), ** (any run), \\ escaping only \\, * and ?, and at most five *.`,
  forbidden: (action: string, group: string) => `The connection has no permission to ${action} group '${group}'.`,
  duplicateAck: (ackId: number) => `Message with ack-id: ${ackId} has been processed.`,
  notSupported: (type: string) => `Message type "${type}" is not supported by the emulator.`,
  invalidMessage: (reason: string) => `Invalid message: ${reason}`,
  replayBufferFull: (messages: number, mebibytes: number) =>
    `The reliable replay buffer is full (${messages} unacknowledged messages or ${mebibytes} MiB), so the connection is closed. Acknowledge messages with sequenceAck as they arrive.`,
} as const;

/** The CLI's refusals of its arguments, each naming the flag and what to pass. */
export const CliMessages = {
  badPort: (value: string) =>
    `--port "${value}" is not a port number: use decimal digits from 0 to 65535 (0 picks a free port), e.g. --port 8080.`,
  badHub: (hub: string) =>
    `--hub "${hub}" is not a hub name the service accepts: it must start with a letter and contain only letters, digits and _ \` , . [ ] (1-128 characters), e.g. --hub chat.`,
  badHandlerUrl: (url: string, reason: string) =>
    `--event-handler "${url}" is refused: ${reason}. Use an http:// or https:// URL, e.g. http://localhost:3000/eventhandler/{event}.`,
  tunnelHandlerUrl: (url: string) =>
    `--event-handler "${url}" is refused: tunnel: URLs are served by the service with the awps-tunnel tool, not by the emulator. Point the emulator straight at your app, e.g. http://localhost:3000/eventhandler/{event}.`,
  badCount: (option: string, value: string) =>
    `--${option} "${value}" is not a whole number of at least 1: use decimal digits, e.g. --${option} 64.`,
  handlerWithoutHub: () => '--event-handler needs at least one --hub <name> it applies to, e.g. --hub chat.',
  unknownEvents: (option: string, unknown: string[], known: readonly string[]) =>
    `--${option}: unknown event "${unknown.join('", "')}". Use a comma-separated list of ${known.join(', ')}.`,
} as const;
