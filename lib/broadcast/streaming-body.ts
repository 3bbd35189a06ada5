import { StreamableFile } from '@nestjs/common';

/**
 * Results Nest streams rather than serialises (files, Node and web streams, async iterables): they
 * are never broadcast. Nest's own check is internal, so this mirrors it.
 */
export function isStreamingResult(value: unknown): boolean {
  if (value instanceof StreamableFile) return true;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { pipe?: unknown; getReader?: unknown; then?: unknown; [Symbol.asyncIterator]?: unknown };
  if (typeof candidate.pipe === 'function' || typeof candidate.getReader === 'function') return true;
  // Like Nest, by tag rather than instanceof: a Response of another realm or of undici's package counts too.
  if (Object.prototype.toString.call(value) === '[object Response]') return true;
  return typeof candidate[Symbol.asyncIterator] === 'function' && typeof candidate.then !== 'function';
}
