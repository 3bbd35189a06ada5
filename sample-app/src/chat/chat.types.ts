/** Everything the page receives over its WebSocket has a `kind`. */
export interface ChatMessage {
  kind: 'message';
  room: string;
  from: string;
  text: string;
  sentAt: string;
}

/** Sent to a room when someone's connection is ready. */
export interface JoinedNotice {
  kind: 'joined';
  room: string;
  user: string;
}

/** The answer to the page's `hello` event, sent to that connection only. */
export interface Welcome {
  kind: 'welcome';
  room: string;
  user: string;
  text: string;
}

/** The signed-in user, as `ChatUserGuard` puts it on the request. */
export interface ChatUser {
  name: string;
}
