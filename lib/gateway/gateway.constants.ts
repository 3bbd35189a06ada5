/**
 * Metadata keys of @nestjs/websockets' decorators, the same strings in Nest 10, 11 and 12. Read by
 * value so the gateway entry needs no runtime import of @nestjs/websockets (an optional peer).
 */
export const GATEWAY_METADATA = 'websockets:is_gateway';
export const GATEWAY_OPTIONS = 'websockets:gateway_options';
export const PORT_METADATA = 'port';
export const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';
export const MESSAGE_METADATA = 'message';

/** How many connections' socket objects one process keeps per hub (least recently used go first). */
export const MAX_SOCKETS_PER_HUB = 10_000;
