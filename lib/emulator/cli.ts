#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { GROUP_PRESENCE_EVENT_NAMES, type EventHandlerSettings, type SystemEventName } from './emulator.options.js';
import { WebPubSubEmulator } from './emulator.js';
import { isHubName } from '../protocol/rules.js';
import { CliMessages } from './emulator.messages.js';
import { redactUrl } from './upstream-request.js';

const SYSTEM_EVENTS: readonly SystemEventName[] = ['connect', 'connected', 'disconnected'];

const USAGE = `Usage: web-pubsub-emulator [options]

A local Azure Web PubSub-compatible server (REST API, client WebSockets, upstream events).

Options:
  --port <n>                 Port to listen on (default 8080; 0 picks a free one)
  --host <address>           Address to bind (default 127.0.0.1, loopback only)
  --hub <name>               A hub the event handler applies to (repeatable)
  --event-handler <url>      Upstream URL template, e.g. http://localhost:3000/eventhandler/{event}
  --user-events <pattern>    User events sent upstream: * or a comma-separated list (default *)
  --system-events <list>     connect,connected,disconnected (default: all three)
  --group-events <list>      Group presence events sent upstream: joined,left (default: none)
  --access-key <key>         Access key (default: a random one, printed in the connection string)
  --client-buffer-limit <n>  Bytes waiting for one client before it is closed as too slow (default 16777216)
  --upstream-concurrency <n> Upstream requests in flight at most (default 64)
  --verbose                  Log upstream and client errors
  --help                     Show this help
`;

/** A comma-separated list of event names for `--<option>`, each one of `known`. */
function eventList<T extends string>(option: string, value: string, known: readonly T[]): T[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean) as T[];
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(CliMessages.unknownEvents(option, unknown, known));
  return names;
}

/** Decimal digits only: Number() would read `0x50` as 80 and `''` as 0 (a random port). */
function portOf(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new Error(CliMessages.badPort(value));
  return port;
}

/** A whole number of at least 1 for `--<option>`, in decimal digits; undefined when not given. */
function countOf(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value) || Number(value) < 1) throw new Error(CliMessages.badCount(option, value));
  return Number(value);
}

/** An http(s) URL the emulator can POST to; `{hub}` and `{event}` may appear anywhere in it. */
function checkHandlerUrl(template: string): void {
  let url: URL;
  try {
    url = new URL(template);
  } catch {
    throw new Error(CliMessages.badHandlerUrl(template, 'it is not a URL'));
  }
  if (url.protocol === 'tunnel:') throw new Error(CliMessages.tunnelHandlerUrl(template));
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(CliMessages.badHandlerUrl(template, `the emulator cannot send events to a ${url.protocol} URL`));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      hub: { type: 'string', multiple: true, default: [] },
      'event-handler': { type: 'string', multiple: true, default: [] },
      'user-events': { type: 'string', default: '*' },
      'system-events': { type: 'string', default: 'connect,connected,disconnected' },
      'group-events': { type: 'string', default: '' },
      'access-key': { type: 'string' },
      'client-buffer-limit': { type: 'string' },
      'upstream-concurrency': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = portOf(values.port);
  for (const hub of values.hub) if (!isHubName(hub)) throw new Error(CliMessages.badHub(hub));
  for (const url of values['event-handler']) checkHandlerUrl(url);
  if (values['event-handler'].length > 0 && values.hub.length === 0) throw new Error(CliMessages.handlerWithoutHub());
  const systemEvents = eventList('system-events', values['system-events'], SYSTEM_EVENTS);
  const groupEvents = eventList('group-events', values['group-events'], GROUP_PRESENCE_EVENT_NAMES);
  const handlers: EventHandlerSettings[] = values['event-handler'].map((urlTemplate) => ({
    urlTemplate,
    userEventPattern: values['user-events'],
    systemEvents,
    ...(groupEvents.length > 0 ? { groupPresenceEvents: { eventNames: groupEvents } } : {}),
  }));
  const emulator = await WebPubSubEmulator.start({
    port,
    host: values.host,
    accessKey: values['access-key'],
    clientBufferLimitBytes: countOf('client-buffer-limit', values['client-buffer-limit']),
    upstreamConcurrency: countOf('upstream-concurrency', values['upstream-concurrency']),
    hubs: Object.fromEntries(values.hub.map((hub) => [hub, { eventHandlers: handlers }])),
    logger: values.verbose
      ? {
          log: (message) => console.log(message),
          warn: (message) => console.warn(message),
          error: (message) => console.error(message),
        }
      : { log: () => undefined, warn: () => undefined, error: (message) => console.error(message) },
  });
  console.log(`Web PubSub emulator listening on ${emulator.endpoint}`);
  for (const hub of values.hub)
    console.log(`  hub ${hub}: events to ${values['event-handler'].map(redactUrl).join(', ') || '(no event handler)'}`);
  console.log(`Connection string: ${emulator.connectionString}`);
  const stop = () => {
    emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`web-pubsub-emulator: ${error.message}`);
  process.exit(1);
});
