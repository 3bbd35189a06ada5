/* global process */
/**
 * Jest's globalSetup: one id for the whole jest run, which every worker inherits, so a spec that
 * builds dist/ (test/support/prebuilt.ts) knows whether this run has built it already.
 */
export default function setRunId() {
  process.env.NESTJS_WEB_PUBSUB_TEST_RUN = `${process.pid}-${Date.now()}`;
}
