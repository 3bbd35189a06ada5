/**
 * Metadata keys of @nestjs/websockets' decorators, the same strings in Nest 10, 11 and 12. Read by
 * value so the gateway entry needs no runtime import of @nestjs/websockets (an optional peer).
 */
export const GATEWAY_METADATA = 'websockets:is_gateway';
export const GATEWAY_OPTIONS = 'websockets:gateway_options';
export const PORT_METADATA = 'port';
export const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';
export const MESSAGE_METADATA = 'message';

/** How many connections' socket objects one process keeps per hub by default (least recently used go first; `maxSockets`). */
export const MAX_SOCKETS_PER_HUB = 10_000;

/**
 * The most characters a gateway broadcast puts in a request's query (filter and excluded ids). The
 * service documents no URL limit; 8 KB request lines are a common front-end default (ASP.NET Core's),
 * path and api-version included, and Node (the emulator) takes 16 KB of headers in all.
 */
export const MAX_QUERY_CHARS = 6000;
