import { RestError } from '@azure/core-rest-pipeline';

/**
 * Thrown when bad input is caught before any network call. `argument` names the offending
 * argument or option, so callers and tests can tell cases apart without parsing the message.
 */
export class WebPubSubArgumentError extends TypeError {
  override readonly name = 'WebPubSubArgumentError';

  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the service said when an operation failed. */
export interface WebPubSubErrorDetails {
  /** The service error code, from the body's `code` or the `x-ms-error-code` header. */
  code?: string;
  /** The `x-ms-request-id` response header, for support requests. */
  requestId?: string;
  /** The operation that failed, e.g. `sendToAll`. */
  operation: string;
  /** The parsed error body, when the service sent one. */
  body?: unknown;
}

/**
 * The one error the REST client throws for an HTTP answer it did not expect. It extends
 * core-rest-pipeline's `RestError`, so code written for `@azure/web-pubsub` (`isRestError(e)`,
 * `e.statusCode`, `e.code`) keeps working. It carries no request, so no header or token of ours can
 * leak through it.
 */
export class WebPubSubRestError extends RestError {
  override readonly name = 'WebPubSubRestError';
  /** The HTTP status the service answered with. */
  readonly status: number;
  readonly requestId?: string;
  readonly operation: string;
  readonly body?: unknown;

  constructor(status: number, message: string, details: WebPubSubErrorDetails) {
    super(message, { statusCode: status, code: details.code });
    // RestError's constructor resets the prototype to RestError's; restore ours so instanceof works.
    Object.setPrototypeOf(this, new.target.prototype);
    this.status = status;
    this.requestId = details.requestId;
    this.operation = details.operation;
    this.body = details.body;
  }
}
