/** Route metadata: the broadcast targets declared on a method or a controller class. */
export const BROADCAST_TARGETS = 'webpubsub:broadcast-targets';
