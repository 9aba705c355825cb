import { Counter, Gauge, type Registry } from 'prom-client';
import { BROKER_EVENTS, subscribeBrokerEvent, type Broker } from '../../broker/index.js';
import { errorName } from '../../protocol/errors.js';
import { ApiLatencyHistogram, ApiStats } from './request-stats.js';

/**
 * Series only a Samsa broker in this process can give: connections, requests by API with their
 * latency, bytes in and out, error codes answered, and records and bytes produced and fetched per
 * partition, counted from the broker's diagnostics-channel events (which cost nothing until this
 * subscribes). Partition sizes and offsets are read from its store at scrape time.
 *
 * The event handlers run for every request, produce and fetch, so they only add to plain numbers
 * (ApiStats, PartitionCounts); prom-client's metrics read those totals when scraped (`collect`),
 * instead of hashing label values on every event.
 */
interface PartitionCounts {
  producedRecords: number;
  producedBytes: number;
  fetchedBytes: number;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class BrokerMetrics {
  private readonly unsubscribe: Array<() => void> = [];

  constructor(registry: Registry, broker: Broker) {
    const mine = (e: { nodeId: number; port: number }) => e.nodeId === broker.config.nodeId && e.port === broker.port;
    const connections = new Gauge({ name: 'samsa_broker_connections', help: 'Open client connections', registers: [registry] });
    const opened = new Counter({ name: 'samsa_broker_connections_opened_total', help: 'Client connections accepted', registers: [registry] });
    const closed = new Counter({ name: 'samsa_broker_connections_closed_total', help: 'Client connections closed, by reason', labelNames: ['reason'], registers: [registry] });
    const byApi = new Map<string, ApiStats>();
    const byPartition = new Map<string, PartitionCounts[]>();
    /** A counter labelled by API whose value is read from each API's stats at scrape time. */
    const apiCounter = (name: string, help: string, read: (s: ApiStats) => number) => new Counter({
      name, help, labelNames: ['api'], registers: [registry],
      collect() {
        this.reset();
        for (const [api, s] of byApi) this.inc({ api }, read(s));
      },
    });
    apiCounter('samsa_broker_requests_total', 'Requests answered, by API', (s) => s.requests);
    new ApiLatencyHistogram(
      'samsa_broker_request_duration_seconds',
      'Time from a request\'s arrival to its answer, by API (includes the waits of long-poll Fetch and JoinGroup)',
      LATENCY_BUCKETS, byApi, registry,
    );
    apiCounter('samsa_broker_request_bytes_total', 'Bytes received in requests, by API', (s) => s.bytesIn);
    apiCounter('samsa_broker_response_bytes_total', 'Bytes sent in responses, by API', (s) => s.bytesOut);
    new Counter({
      name: 'samsa_broker_errors_total', help: 'Error codes in responses (top level, per topic or partition), by API and error', labelNames: ['api', 'error'], registers: [registry],
      collect() {
        this.reset();
        for (const [api, s] of byApi) for (const [code, n] of s.errors) this.inc({ api, error: errorName(code) }, n);
      },
    });
    /** A counter labelled by topic and partition whose value is read from the partition counts at scrape time. */
    const partitionCounter = (name: string, help: string, read: (c: PartitionCounts) => number) => new Counter({
      name, help, labelNames: ['topic', 'partition'], registers: [registry],
      collect() {
        this.reset();
        for (const [topic, list] of byPartition) {
          list.forEach((c, partition) => this.inc({ topic, partition: String(partition) }, read(c)));
        }
      },
    });
    partitionCounter('samsa_broker_topic_partition_produced_records_total', 'Records appended by Produce', (c) => c.producedRecords);
    partitionCounter('samsa_broker_topic_partition_produced_bytes_total', 'Record batch bytes appended by Produce', (c) => c.producedBytes);
    partitionCounter('samsa_broker_topic_partition_fetched_bytes_total', 'Record bytes returned by Fetch', (c) => c.fetchedBytes);
    const store = broker.context.store;
    new Gauge({
      name: 'samsa_broker_topic_partition_size_bytes',
      help: 'Bytes held by the partition\'s segments',
      labelNames: ['topic', 'partition'],
      registers: [registry],
      collect() {
        this.reset();
        for (const t of store.listTopics()) {
          for (let p = 0; p < t.partitions; p++) {
            const log = store.partition(t.name, p);
            if (log !== undefined) this.set({ topic: t.name, partition: String(p) }, log.sizeBytes);
          }
        }
      },
    });
    const partitionCounts = (topic: string, partition: number): PartitionCounts => {
      let list = byPartition.get(topic);
      if (list === undefined) byPartition.set(topic, (list = []));
      return (list[partition] ??= { producedRecords: 0, producedBytes: 0, fetchedBytes: 0 });
    };
    // Connections opened before we listened are not known: only those seen opening are counted down.
    const open = new Set<number>();
    this.unsubscribe.push(
      subscribeBrokerEvent(BROKER_EVENTS.connectionOpened, (e) => {
        if (!mine(e)) return;
        open.add(e.connectionId);
        connections.set(open.size);
        opened.inc();
      }),
      subscribeBrokerEvent(BROKER_EVENTS.connectionClosed, (e) => {
        if (!mine(e)) return;
        open.delete(e.connectionId);
        connections.set(open.size);
        closed.inc({ reason: e.reason });
      }),
      subscribeBrokerEvent(BROKER_EVENTS.requestCompleted, (e) => {
        if (!mine(e)) return;
        let s = byApi.get(e.api);
        if (s === undefined) byApi.set(e.api, (s = new ApiStats(LATENCY_BUCKETS)));
        s.requests++;
        s.observe(e.durationMs / 1000);
        s.bytesIn += e.requestBytes;
        s.bytesOut += e.responseBytes;
        for (const code of e.errorCodes) s.errors.set(code, (s.errors.get(code) ?? 0) + 1);
      }),
      subscribeBrokerEvent(BROKER_EVENTS.recordsAppended, (e) => {
        if (!mine(e)) return;
        const c = partitionCounts(e.topic, e.partition);
        c.producedRecords += e.records;
        c.producedBytes += e.bytes;
      }),
      subscribeBrokerEvent(BROKER_EVENTS.recordsFetched, (e) => {
        if (mine(e)) partitionCounts(e.topic, e.partition).fetchedBytes += e.bytes;
      }),
    );
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }
}
