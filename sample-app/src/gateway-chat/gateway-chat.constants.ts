/**
 * The hub of the gateway version of the chat. Its own hub, so its events reach the gateway and the
 * `chat` hub's reach ChatEvents. Hub names are letters, digits and `_` (no `-`).
 */
export const GATEWAY_CHAT_HUB = 'gateway_chat';
