/**
 * Sets (or, with `undefined`, removes) environment variables and returns a function that puts the
 * previous values back. The module reads them when the app starts, so tests must restore them.
 */
export function setEnv(values: Record<string, string | undefined>): () => void {
  const previous = new Map(Object.keys(values).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** Removes the module's environment fallbacks, so a test sees only the options it passes. */
export function withoutWebPubSubEnv(): () => void {
  return setEnv({ WEBPUBSUB_CONNECTION_STRING: undefined, WEBPUBSUB_HUB: undefined });
}
