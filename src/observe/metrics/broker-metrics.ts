import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BROKER_EVENTS, subscribeBrokerEvent, type Broker } from '../../broker/index.js';
import { errorName } from '../../protocol/errors.js';

/**
 * Series only a Samsa broker in this process can give: connections, requests by API with their
 * latency, bytes in and out, error codes answered, and records and bytes produced and fetched per
 * partition, counted from the broker's diagnostics-channel events (which cost nothing until this
 * subscribes). Partition sizes and offsets are read from its store at scrape time.
 *
 * The event handlers run for every request, produce and fetch, so they keep prom-client's
 * labelled children (one per API, per API and error, per partition) instead of passing a label
 * object on each call: prom-client would otherwise hash the labels into a key every time.
 */
type CounterChild = ReturnType<Counter['labels']>;

interface ApiChildren {
  readonly requests: CounterChild;
  readonly latency: ReturnType<Histogram['labels']>;
  readonly bytesIn: CounterChild;
  readonly bytesOut: CounterChild;
  readonly errors: Map<number, CounterChild>;
}

interface PartitionChildren {
  readonly producedRecords: CounterChild;
  readonly producedBytes: CounterChild;
  readonly fetchedBytes: CounterChild;
}

export class BrokerMetrics {
  private readonly unsubscribe: Array<() => void> = [];

  constructor(registry: Registry, broker: Broker) {
    const mine = (e: { nodeId: number; port: number }) => e.nodeId === broker.config.nodeId && e.port === broker.port;
    const connections = new Gauge({ name: 'samsa_broker_connections', help: 'Open client connections', registers: [registry] });
    const opened = new Counter({ name: 'samsa_broker_connections_opened_total', help: 'Client connections accepted', registers: [registry] });
    const closed = new Counter({ name: 'samsa_broker_connections_closed_total', help: 'Client connections closed, by reason', labelNames: ['reason'], registers: [registry] });
    const requests = new Counter({ name: 'samsa_broker_requests_total', help: 'Requests answered, by API', labelNames: ['api'], registers: [registry] });
    const latency = new Histogram({
      name: 'samsa_broker_request_duration_seconds',
      help: 'Time from a request\'s arrival to its answer, by API (includes the waits of long-poll Fetch and JoinGroup)',
      labelNames: ['api'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    const bytesIn = new Counter({ name: 'samsa_broker_request_bytes_total', help: 'Bytes received in requests, by API', labelNames: ['api'], registers: [registry] });
    const bytesOut = new Counter({ name: 'samsa_broker_response_bytes_total', help: 'Bytes sent in responses, by API', labelNames: ['api'], registers: [registry] });
    const errors = new Counter({ name: 'samsa_broker_errors_total', help: 'Error codes in responses (top level, per topic or partition), by API and error', labelNames: ['api', 'error'], registers: [registry] });
    const producedRecords = new Counter({ name: 'samsa_broker_topic_partition_produced_records_total', help: 'Records appended by Produce', labelNames: ['topic', 'partition'], registers: [registry] });
    const producedBytes = new Counter({ name: 'samsa_broker_topic_partition_produced_bytes_total', help: 'Record batch bytes appended by Produce', labelNames: ['topic', 'partition'], registers: [registry] });
    const fetchedBytes = new Counter({ name: 'samsa_broker_topic_partition_fetched_bytes_total', help: 'Record bytes returned by Fetch', labelNames: ['topic', 'partition'], registers: [registry] });
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
    const byApi = new Map<string, ApiChildren>();
    const byPartition = new Map<string, PartitionChildren[]>();
    const partitionChildren = (topic: string, partition: number): PartitionChildren => {
      let list = byPartition.get(topic);
      if (list === undefined) byPartition.set(topic, (list = []));
      let c = list[partition];
      if (c === undefined) {
        const p = String(partition);
        c = list[partition] = { producedRecords: producedRecords.labels(topic, p), producedBytes: producedBytes.labels(topic, p), fetchedBytes: fetchedBytes.labels(topic, p) };
      }
      return c;
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
        let c = byApi.get(e.api);
        if (c === undefined) {
          c = { requests: requests.labels(e.api), latency: latency.labels(e.api), bytesIn: bytesIn.labels(e.api), bytesOut: bytesOut.labels(e.api), errors: new Map() };
          byApi.set(e.api, c);
        }
        c.requests.inc();
        c.latency.observe(e.durationMs / 1000);
        c.bytesIn.inc(e.requestBytes);
        if (e.responseBytes > 0) c.bytesOut.inc(e.responseBytes);
        for (const code of e.errorCodes) {
          let counter = c.errors.get(code);
          if (counter === undefined) c.errors.set(code, (counter = errors.labels(e.api, errorName(code))));
          counter.inc();
        }
      }),
      subscribeBrokerEvent(BROKER_EVENTS.recordsAppended, (e) => {
        if (!mine(e)) return;
        const c = partitionChildren(e.topic, e.partition);
        c.producedRecords.inc(e.records);
        c.producedBytes.inc(e.bytes);
      }),
      subscribeBrokerEvent(BROKER_EVENTS.recordsFetched, (e) => {
        if (mine(e)) partitionChildren(e.topic, e.partition).fetchedBytes.inc(e.bytes);
      }),
    );
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }
}
