// kafkajs 2.2.4 against a real keel, driven by test_kafkajs.py:
//   node kafkajs_flows.js BOOTSTRAP PREFIX OUT_JSON
// Runs the admin and producer flows, checks what kafkajs itself can check, and writes every
// message it produced (base64) with the offsets the broker acknowledged to OUT_JSON, so the
// Python side reads them back with confluent-kafka and compares byte for byte.
// kafkajs is found through NODE_PATH (installed under the build tree, never in the repo).
//
// Consumer groups: two kafkajs consumers share a topic (JoinGroup v5 with MEMBER_ID_REQUIRED,
// SyncGroup, Heartbeat, OffsetCommit/Fetch, LeaveGroup), then a restarted consumer resumes
// after the committed offsets; admin listGroups/describeGroups/fetchOffsets/deleteGroups.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const { Kafka, CompressionTypes, ConfigResourceTypes, logLevel, Partitioners } =
  require('kafkajs');

const [bootstrap, prefix, outPath] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: 'keel-it-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING,
  connectionTimeout: 5000, requestTimeout: 15000, retry: { retries: 3, initialRetryTime: 200 },
});

const checks = [];
function check(cond, what, detail) {
  const text = detail === undefined ? null : String(detail);
  checks.push({ ok: !!cond, what, detail: text && text.length > 400 ? text.slice(0, 400) + '...' : text });
  if (!cond) throw new Error(`check failed: ${what}${detail === undefined ? '' : ': ' + detail}`);
}
function errorTypes(e) {
  const out = [];
  const walk = (x) => {
    if (!x) return;
    if (x.type) out.push(x.type);
    if (Array.isArray(x.errors)) x.errors.forEach(walk);
    if (x.originalError) walk(x.originalError);
    if (x.cause && x.cause !== x) walk(x.cause);  // KafkaJSNumberOfRetriesExceeded
  };
  walk(e);
  return out;
}
async function expectError(promise, type, what) {
  try {
    await promise;
  } catch (e) {
    check(errorTypes(e).includes(type), what, `${errorTypes(e)} ${e.message}`);
    return;
  }
  check(false, what, 'no error');
}
const b64 = (b) => (b === null || b === undefined ? null : Buffer.from(b).toString('base64'));

// Deterministic pseudo-random bytes so a failure reproduces.
let seed = 12345;
function rand(n) {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}
function bytes(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rand(256);
  return b;
}

async function main() {
  const topicA = `${prefix}-a`;
  const topicB = `${prefix}-b`;
  const admin = kafka.admin();
  await admin.connect();

  // ---- createTopics / listTopics / metadata
  const created = await admin.createTopics({
    waitForLeaders: true, timeout: 10000,
    topics: [{ topic: topicA, numPartitions: 3, replicationFactor: 1,
               configEntries: [{ name: 'retention.ms', value: '90000' }] }],
  });
  check(created === true, 'createTopics returns true for a new topic', created);
  const again = await admin.createTopics({ topics: [{ topic: topicA, numPartitions: 3 }] });
  check(again === false, 'createTopics returns false for an existing topic', again);
  await expectError(admin.createTopics({ topics: [{ topic: `${prefix}-rf`, numPartitions: 1,
                                                    replicationFactor: 3 }] }),
                    'INVALID_REPLICATION_FACTOR', 'replication factor 3 on one broker');
  const topics = await admin.listTopics();
  check(topics.includes(topicA), 'listTopics has the new topic', topics);
  const md = await admin.fetchTopicMetadata({ topics: [topicA] });
  const parts = md.topics[0].partitions;
  check(parts.length === 3, 'metadata: 3 partitions', parts.length);
  check(parts.every((p) => p.leader === 1 && p.partitionErrorCode === 0),
        'metadata: every partition led by node 1', JSON.stringify(parts));
  const cluster = await admin.describeCluster();
  check(cluster.brokers.length === 1 && cluster.brokers[0].nodeId === 1 &&
        cluster.controller === 1, 'describeCluster: one broker, node 1 is the controller',
        JSON.stringify(cluster));

  // ---- producer: partition 0 plain with explicit timestamps, 1 gzip, 2 acks=1
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner,
                                    allowAutoTopicCreation: false });
  await producer.connect();
  const sent = [];
  const baseTs = Date.now() - 100000;
  const perPartition = 1500;
  for (let p = 0; p < 3; p++) {
    for (let chunk = 0; chunk < perPartition / 300; chunk++) {
      const messages = [];
      for (let i = 0; i < 300; i++) {
        const n = chunk * 300 + i;
        const m = {
          partition: p,
          key: rand(20) === 0 ? null : bytes(rand(30)),
          value: rand(25) === 0 ? null : bytes(rand(300)),
          headers: rand(3) === 0 ? { h1: bytes(rand(10)), 'x-index': Buffer.from(String(n)) }
                                 : undefined,
        };
        if (p === 0) m.timestamp = String(baseTs + n);
        messages.push(m);
      }
      const result = await producer.send({
        topic: topicA, messages,
        acks: p === 2 ? 1 : -1,
        compression: p === 1 ? CompressionTypes.GZIP : CompressionTypes.None,
      });
      check(result.length === 1 && result[0].errorCode === 0, 'send result', JSON.stringify(result));
      const base = Number(result[0].baseOffset);
      check(base === chunk * 300, `partition ${p} chunk ${chunk} base offset`, base);
      messages.forEach((m, i) => sent.push({
        partition: p, offset: base + i, key: b64(m.key), value: b64(m.value),
        headers: m.headers ? Object.entries(m.headers).map(([k, v]) => [k, b64(v)]) : null,
        timestamp: m.timestamp ? Number(m.timestamp) : null,
      }));
    }
  }
  await producer.disconnect();

  // ---- offsets
  const offsets = await admin.fetchTopicOffsets(topicA);
  for (const o of offsets) {
    check(o.high === String(perPartition) && o.low === '0',
          `fetchTopicOffsets partition ${o.partition}`, JSON.stringify(o));
  }
  const byTime = await admin.fetchTopicOffsetsByTimestamp(topicA, baseTs + 700);
  const p0 = byTime.find((o) => o.partition === 0);
  check(p0 && p0.offset === '700', 'fetchTopicOffsetsByTimestamp partition 0', JSON.stringify(byTime));

  // ---- configs
  const describe = async () => {
    const r = await admin.describeConfigs({ includeSynonyms: false, resources: [
      { type: ConfigResourceTypes.TOPIC, name: topicA }] });
    check(r.resources[0].errorCode === 0, 'describeConfigs error code', JSON.stringify(r.resources[0]));
    return Object.fromEntries(r.resources[0].configEntries.map((e) => [e.configName, e]));
  };
  let cfg = await describe();
  check(cfg['retention.ms'] && cfg['retention.ms'].configValue === '90000',
        'describeConfigs retention.ms', JSON.stringify(cfg['retention.ms']));
  check(cfg['cleanup.policy'] && cfg['cleanup.policy'].configValue === 'delete',
        'describeConfigs cleanup.policy default', JSON.stringify(cfg['cleanup.policy']));
  await admin.alterConfigs({ validateOnly: false, resources: [{
    type: ConfigResourceTypes.TOPIC, name: topicA,
    configEntries: [{ name: 'retention.ms', value: '1000000' }] }] });
  cfg = await describe();
  check(cfg['retention.ms'].configValue === '1000000', 'alterConfigs took effect',
        JSON.stringify(cfg['retention.ms']));

  // ---- createPartitions
  await admin.createPartitions({ timeout: 10000, topicPartitions: [{ topic: topicA, count: 5 }] });
  const md5 = await admin.fetchTopicMetadata({ topics: [topicA] });
  check(md5.topics[0].partitions.length === 5, 'createPartitions: 5 partitions',
        md5.topics[0].partitions.length);

  // ---- delete
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: topicB, numPartitions: 2 }] });
  await admin.deleteTopics({ topics: [topicB], timeout: 10000 });
  let gone = false;
  for (let i = 0; i < 50 && !gone; i++) {
    gone = !(await admin.listTopics()).includes(topicB);
    if (!gone) await new Promise((r) => setTimeout(r, 200));
  }
  check(gone, 'deleteTopics removed the topic');
  await expectError(admin.deleteTopics({ topics: [`${prefix}-missing`], timeout: 5000 }),
                    'UNKNOWN_TOPIC_OR_PARTITION', 'deleting an unknown topic');

  await groupFlows(admin, `${prefix}-c`, `${prefix}-group`);
  await admin.disconnect();

  fs.writeFileSync(outPath, JSON.stringify({ topic: topicA, checks, sent }));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function groupFlows(admin, topic, groupId) {
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 4 }] });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner,
                                    allowAutoTopicCreation: false });
  await producer.connect();
  const produce = async (tag, n) => {
    const values = [];
    for (let p = 0; p < 4; p++) {
      const messages = [];
      for (let i = 0; i < n; i++) {
        values.push(`${tag}-${p}-${i}`);
        messages.push({ partition: p, value: `${tag}-${p}-${i}` });
      }
      await producer.send({ topic, messages });
    }
    return values;
  };
  const seen = [];
  const start = async (who) => {
    const c = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500,
                               rebalanceTimeout: 10000, maxWaitTimeInMs: 200 });
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({ autoCommitThreshold: 1, eachMessage: async ({ partition, message }) => {
      seen.push({ who, partition, value: message.value.toString() });
    } });
    return c;
  };
  const waitFor = async (pred, ms, what) => {
    for (let i = 0; i < ms / 100; i++) {
      if (pred()) return;
      await sleep(100);
    }
    check(false, what, `seen ${seen.length}`);
  };
  const all = (values) => () => values.every((v) => seen.some((s) => s.value === v));

  const first = await produce('first', 25);
  const c1 = await start('c1');
  const c2 = await start('c2');
  await waitFor(all(first), 60000, 'the kafkajs group consumed everything');
  await sleep(1000);
  const counts = {};
  seen.forEach((s) => { counts[s.value] = (counts[s.value] || 0) + 1; });
  check(Object.values(counts).every((n) => n === 1), 'each message consumed once by the group',
        JSON.stringify(Object.entries(counts).filter(([, n]) => n > 1)));
  await c1.disconnect();
  await c2.disconnect();
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  check(committed[0].partitions.length === 4 &&
        committed[0].partitions.every((p) => p.offset === '25'),
        'fetchOffsets: everything committed', JSON.stringify(committed));

  // A new consumer of the group resumes after the committed offsets.
  const second = await produce('second', 5);
  const before = seen.length;
  const c3 = await start('c3');
  await waitFor(all(second), 60000, 'the restarted kafkajs consumer got the new messages');
  await sleep(500);
  const again = seen.slice(before).map((s) => s.value).sort();
  check(JSON.stringify(again) === JSON.stringify([...second].sort()),
        'the restarted consumer read only what was not committed', again.length);
  const live = await admin.describeGroups([groupId]);
  check(live.groups[0].state === 'Stable' && live.groups[0].members.length === 1,
        'describeGroups: one stable member', JSON.stringify(live.groups[0].state));
  await c3.disconnect();
  await producer.disconnect();

  const listed = await admin.listGroups();
  check(listed.groups.some((g) => g.groupId === groupId && g.protocolType === 'consumer'),
        'listGroups has the group', JSON.stringify(listed));
  await admin.deleteGroups([groupId]);
  const after = await admin.listGroups();
  check(!after.groups.some((g) => g.groupId === groupId), 'deleteGroups removed the group',
        JSON.stringify(after));
}

const overall = setTimeout(() => { console.error('kafkajs flows: overall timeout'); process.exit(3); },
                           140000);
main().then(() => { clearTimeout(overall); process.exit(0); },
            (e) => {
              console.error(e && e.stack ? e.stack : e);
              console.error('checks so far:', JSON.stringify(checks));
              process.exit(1);
            });
