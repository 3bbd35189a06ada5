/** The broadcast feature's log and error texts; none includes a key or a token. */
export const BroadcastMessages = {
  failed: (route: string, target: string, reason: string) => `Broadcast of ${route} to ${target} failed: ${reason}`,
  responseFailed: () =>
    'The request succeeded, but broadcasting its result through Azure Web PubSub failed. The server log says why; try again later.',
  streamSkipped: (route: string) =>
    `${route} returns a stream or a StreamableFile, which is never broadcast. Remove the broadcast decorator, or return the data itself.`,
  invalidMode: (option: string, value: unknown, expected: string) =>
    `Broadcast decorator option \`${option}\` ${JSON.stringify(value)} is invalid. Use ${expected}.`,
  targetInvalid: (what: string) => `the ${what} resolver returned no usable value (expected a non-empty string)`,
} as const;
