/*
 * `ce-connectionState`: the state a blocking event's answer sets, sent back to the app on every
 * later event of the connection, as base64 JSON in one header. The service documents no size for
 * it; every hop (the service, proxies, Node's 16 KiB limit on all headers of a request) must carry
 * it beside the other headers, so this package refuses a value over 8 KiB when it is set, and the
 * emulator refuses an answer that sets one. Past about 16 KiB a Node app answers every later event
 * of the connection with 431, `disconnected` included.
 */

/** Largest `ce-connectionState` header value (base64 characters) that is set. */
export const MAX_CONNECTION_STATE_BYTES = 8 * 1024;

/** The header value for `states`: base64 of their JSON, as @azure/web-pubsub-express writes it. */
export function encodeConnectionState(states: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(states)).toString('base64');
}

/** Why a state of `size` header bytes is refused; ends with the fix. */
export function connectionStateTooLarge(size: number): string {
  return `Connection state too large: ${size} bytes once encoded in the ce-connectionState header (base64 JSON of all states), over the limit of ${MAX_CONNECTION_STATE_BYTES} bytes; past it every later event of the connection could fail with HTTP 431. Keep large data server-side (keyed by connection id) and put only small values in the state.`;
}
