/** The hub the chat uses (event handlers are declared for it, so it is fixed here). */
export const CHAT_HUB = 'chat';

/** Room names: short, lower-case, URL-safe (they are Web PubSub group names). */
export const ROOM_PATTERN = /^[a-z0-9-]{1,32}$/;

/** What a refused room name is told, by the REST routes and the gateway alike. */
export const ROOM_NAME_RULE = 'A room name is 1-32 lower-case letters, digits or dashes, e.g. "lobby".';

/** What a user may call themselves. */
export const USER_NAME_PATTERN = /^[\p{L}\p{N} _-]{1,32}$/u;

export const MAX_MESSAGE_LENGTH = 500;
