// MQTT.js over WebSocket (or TCP with an mqtt:// url), driven by MqttJsWebSocketTests and, for the stream mode, by
// the multi-node failover tests. Prints one JSON object per line on stdout:
//   {"event":"connected","protocolVersion":5}
//   {"event":"subscribed","granted":[2]}
//   {"event":"message","topic":"...","payload":"...","qos":1,"retain":false}
//   {"event":"published","topic":"...","qos":2}
//   {"event":"done"} (exit code 0) or {"event":"error","message":"..."} (exit code 1)
//
// Modes:
//   roundtrip  publish a retained message to <topic>/retained, subscribe to <topic>/# (QoS 2), publish
//              "q0"/"q1"/"q2" with QoS 0/1/2 to <topic>/q0.. and wait until all four arrived
//   subscribe  subscribe to <topic> (QoS 2) and print --count messages
//   publish    publish --payload to <topic> with --qos (and --retain)
//   stream     publish --count QoS 1 messages "0", "1", ... at --rate per second to <topic>/<n % --topics>, without
//              waiting for acknowledgements (as MQTT.js does: it does not count the server's Receive Maximum);
//              prints {"event":"progress","acked":N} every 100 acknowledgements, {"event":"disconnect",
//              "reasonCode":X} if the broker disconnects it, and at the end {"event":"streamed","acked":[...],
//              "failed":[...]}
//
// node ws-client.mjs --url ws://127.0.0.1:9001/mqtt --protocol-version 5 --mode roundtrip --topic e2e/x
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    'protocol-version': { type: 'string', default: '4' },
    mode: { type: 'string', default: 'roundtrip' },
    topic: { type: 'string' },
    payload: { type: 'string', default: '' },
    qos: { type: 'string', default: '0' },
    retain: { type: 'boolean', default: false },
    count: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '15' },
    rate: { type: 'string', default: '200' },
    topics: { type: 'string', default: '1' },
  },
});

const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

function fail(message) {
  print({ event: 'error', message: String(message) });
  process.exit(1);
}

if (!args.url || !args.topic) {
  fail('--url and --topic are required');
}

// The whole run is bounded so a broker that never answers fails the test instead of hanging it.
setTimeout(() => fail(`timed out after ${args.timeout}s`), Number(args.timeout) * 1000).unref();

const protocolVersion = Number(args['protocol-version']);
let client;
try {
  client = await mqtt.connectAsync(args.url, {
    protocolVersion,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
} catch (error) {
  fail(`connect failed: ${error?.message ?? error}`);
}
print({ event: 'connected', protocolVersion });
client.on('error', (error) => fail(error.message));

function printMessage(topic, payload, packet) {
  print({ event: 'message', topic, payload: payload.toString('utf8'), qos: packet.qos, retain: packet.retain });
}

async function subscribe(filter) {
  const granted = await client.subscribeAsync(filter, { qos: 2 });
  print({ event: 'subscribed', granted: granted.map((g) => g.qos) });
}

async function publish(topic, payload, qos, retain) {
  await client.publishAsync(topic, payload, { qos, retain });
  print({ event: 'published', topic, qos });
}

async function roundTrip(base) {
  const received = [];
  const allArrived = new Promise((resolve) => {
    client.on('message', (topic, payload, packet) => {
      printMessage(topic, payload, packet);
      received.push(topic);
      if (received.length === 4) {
        resolve();
      }
    });
  });

  await publish(`${base}/retained`, 'kept', 1, true);
  await subscribe(`${base}/#`);
  for (const qos of [0, 1, 2]) {
    await publish(`${base}/q${qos}`, `q${qos}`, qos, false);
  }

  await allArrived;
}

async function receive(filter, count) {
  let seen = 0;
  const enough = new Promise((resolve) => {
    client.on('message', (topic, payload, packet) => {
      printMessage(topic, payload, packet);
      seen += 1;
      if (seen === count) {
        resolve();
      }
    });
  });
  await subscribe(filter);
  await enough;
}

async function stream(base, count, rate, topics) {
  const acked = [];
  const failed = [];
  client.on('disconnect', (packet) => {
    print({ event: 'disconnect', reasonCode: packet.reasonCode });
  });
  const sends = [];
  const started = Date.now();
  for (let n = 0; n < count; n += 1) {
    // Open loop at a steady rate: message n is due at n / rate seconds.
    const due = started + (n * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) {
      await new Promise((resolve) => { setTimeout(resolve, wait); });
    }

    sends.push(client.publishAsync(`${base}/${n % topics}`, String(n), { qos: 1 }).then(
      () => {
        acked.push(n);
        if (acked.length % 100 === 0) {
          print({ event: 'progress', acked: acked.length });
        }
      },
      (error) => { failed.push({ n, error: String(error?.message ?? error) }); },
    ));
  }

  await Promise.all(sends);
  print({ event: 'streamed', acked, failed });
}

try {
  switch (args.mode) {
    case 'roundtrip':
      await roundTrip(args.topic);
      break;
    case 'subscribe':
      await receive(args.topic, Number(args.count));
      break;
    case 'publish':
      await publish(args.topic, args.payload, Number(args.qos), args.retain);
      break;
    case 'stream':
      await stream(args.topic, Number(args.count), Number(args.rate), Number(args.topics));
      break;
    default:
      fail(`unknown mode ${args.mode}`);
  }

  await client.endAsync();
  print({ event: 'done' });
  process.exit(0);
} catch (error) {
  fail(error?.message ?? error);
}
