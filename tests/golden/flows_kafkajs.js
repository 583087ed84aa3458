// kafkajs 2.2.4 flows for capture.sh: node flows_kafkajs.js BOOTSTRAP FLOW
// FLOW is none|gzip (producer), idempotent, group (produce, then consume in
// group golden-group) or admin.  kafkajs is found through NODE_PATH (it is
// installed outside the repository, see capture.sh).
const { Kafka, CompressionTypes, logLevel } = require('kafkajs');

const [bootstrap, flow] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'golden-kafkajs', brokers: [bootstrap],
                          logLevel: logLevel.WARN, retry: { retries: 2 } });
// The fixed messages every producer flow sends (see README.md).
const messages = [
  { key: 'k1', value: 'v1', headers: { h1: 'x' }, partition: 0 },
  { key: 'k2', value: 'value-two', headers: { h1: 'x' }, partition: 0 },
  { key: 'k3', value: null, headers: { h1: 'x' }, partition: 0 },
  { key: 'k4', value: '0123456789'.repeat(20), headers: { h1: 'x' }, partition: 0 },
];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function produce(topic, compression, opts = {}) {
  const p = kafka.producer(opts);
  await p.connect();
  await p.send({ topic, compression, messages });
  return p;
}

async function main() {
  if (flow === 'none' || flow === 'gzip') {
    const codec = flow === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    await (await produce('golden-' + flow, codec)).disconnect();
  } else if (flow === 'idempotent') {
    const p = await produce('golden-idempotent', CompressionTypes.None,
                            { idempotent: true, maxInFlightRequests: 1 });
    await p.send({ topic: 'golden-idempotent', messages: [
      { key: 'k5', value: 'v5', headers: { h1: 'x' }, partition: 0 },
      { key: 'k6', value: 'v6', headers: { h1: 'x' }, partition: 0 }] });
    await p.disconnect();
  } else if (flow === 'group') {
    await (await produce('golden-none', CompressionTypes.None)).disconnect();
    const c = kafka.consumer({ groupId: 'golden-group', heartbeatInterval: 300 });
    await c.connect();
    await c.subscribe({ topic: 'golden-none', fromBeginning: true });
    let got = 0;
    await c.run({ eachMessage: async () => { got += 1; } });
    for (let i = 0; i < 40 && got < messages.length; i++) await sleep(500);
    await sleep(1500);  // let a Heartbeat and the auto-commit go out
    await c.disconnect();  // LeaveGroup
    if (got < messages.length) throw new Error('consumed only ' + got);
  } else if (flow === 'admin') {
    const a = kafka.admin();
    await a.connect();
    await a.createTopics({ timeout: 5000, topics: [{
      topic: 'golden-admin', numPartitions: 3, replicationFactor: 1,
      configEntries: [{ name: 'retention.ms', value: '60000' }] }] });
    await a.deleteTopics({ topics: ['golden-admin'], timeout: 5000 });
    await a.disconnect();
  } else {
    throw new Error('unknown flow ' + flow);
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
