import type { RequestBodyType } from '@azure/core-rest-pipeline';
import { WebPubSubArgumentError } from './client.errors.js';
import { ClientMessages } from './client.messages.js';

/** The three body types the service accepts. */
export type MessageContentType = 'application/json' | 'text/plain' | 'application/octet-stream';
export const MESSAGE_CONTENT_TYPES: readonly MessageContentType[] = [
  'application/json',
  'text/plain',
  'application/octet-stream',
];

/** The service's per-message limit: 1 MiB. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Anything JSON.stringify can send. */
export type JSONTypes = string | number | boolean | object;

export interface MessagePayload {
  contentType: MessageContentType;
  body: RequestBodyType;
}

/**
 * Decides the content type and body of a message the way `@azure/web-pubsub` does (binary data as
 * octet-stream, `contentType: 'text/plain'` for strings as text, everything else as JSON), and
 * rejects what the service would refuse or what would be lost (undefined, BigInt, circular data,
 * bodies over 1 MiB) before anything is sent.
 */
export function toMessagePayload(message: unknown, contentType?: unknown): MessagePayload {
  if (contentType !== undefined && !MESSAGE_CONTENT_TYPES.includes(contentType as MessageContentType)) {
    throw new WebPubSubArgumentError('contentType', ClientMessages.contentTypeInvalid(contentType));
  }
  if (message === undefined) throw new WebPubSubArgumentError('message', ClientMessages.messageMissing());
  if (contentType === 'text/plain') {
    if (typeof message !== 'string')
      throw new WebPubSubArgumentError('message', ClientMessages.textNeedsString(kindOf(message)));
    return checked({ contentType, body: message }, Buffer.byteLength(message));
  }
  if (typeof message === 'function')
    return { contentType: 'application/octet-stream', body: checkedStreamFactory(message as () => unknown) };
  if (isBinaryBody(message))
    return checked({ contentType: 'application/octet-stream', body: message }, binarySize(message));
  if (contentType === 'application/octet-stream') {
    throw new WebPubSubArgumentError('message', ClientMessages.binaryNeedsBytes(kindOf(message)));
  }
  const json = stringify(message);
  return checked({ contentType: 'application/json', body: json }, Buffer.byteLength(json));
}

/** Binary bodies as the official SDK recognises them, plus Node and web streams. */
export function isBinaryBody(value: unknown): value is RequestBodyType {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return true;
  if (typeof Blob !== 'undefined' && value instanceof Blob) return true;
  const maybeStream = value as { pipe?: unknown; getReader?: unknown };
  return typeof maybeStream.pipe === 'function' || typeof maybeStream.getReader === 'function';
}

/** Size in bytes when it can be known without reading the body (not for streams). */
function binarySize(body: RequestBodyType): number | undefined {
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  if (typeof Blob !== 'undefined' && body instanceof Blob) return body.size;
  return undefined;
}

/**
 * A function is a stream factory, as in core-rest-pipeline (called when the request is sent, so a
 * retry gets a fresh stream). What it returns is checked then, before anything goes out: core would
 * otherwise fail with a bare "Unrecognized body type".
 */
function checkedStreamFactory(factory: () => unknown): () => NodeJS.ReadableStream {
  return () => {
    const stream = factory();
    const maybeStream = stream as { pipe?: unknown; getReader?: unknown } | null;
    if (typeof maybeStream?.pipe !== 'function' && typeof maybeStream?.getReader !== 'function') {
      throw new WebPubSubArgumentError('message', ClientMessages.streamFactoryInvalid(kindOf(stream)));
    }
    return stream as NodeJS.ReadableStream;
  };
}

function checked(payload: MessagePayload, bytes: number | undefined): MessagePayload {
  if (bytes !== undefined && bytes > MAX_MESSAGE_BYTES) {
    throw new WebPubSubArgumentError('message', ClientMessages.messageTooLarge(bytes, MAX_MESSAGE_BYTES));
  }
  return payload;
}

function stringify(message: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(message);
  } catch (error) {
    const reason = /BigInt/i.test(String(error))
      ? 'it contains a BigInt'
      : /circular/i.test(String(error))
        ? 'it contains a circular reference'
        : (error as Error).message;
    throw new WebPubSubArgumentError('message', ClientMessages.notSerializable(reason));
  }
  if (json === undefined)
    throw new WebPubSubArgumentError('message', ClientMessages.notSerializable(`a ${typeof message} has no JSON form`));
  return json;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' || typeof value === 'undefined' ? `an ${typeof value}` : `a ${typeof value}`;
}
