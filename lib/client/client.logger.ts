import { createClientLogger } from '@azure/logger';

/**
 * The client's Azure SDK logger (`azure:nestjs-web-pubsub:*`), enabled like any Azure SDK's with
 * `AZURE_LOG_LEVEL=info` or `setLogLevel('info')` from `@azure/logger`. core-rest-pipeline's log policy
 * writes each attempt here with authorization headers and query values redacted.
 */
export const clientLogger = createClientLogger('nestjs-web-pubsub');
