import { silentLogger } from '../../src/common/logger.js';
import { runScenario, startLabBroker, type LabKnobs, type LabRunResult } from '../../src/lab/index.js';
import type { Broker } from '../../src/broker/index.js';

/** One embedded broker for a file's scenarios; each run gets its own topic and group. */
export async function labBroker(): Promise<{ broker: Broker; run: (scenario: string, flags?: Partial<LabKnobs>) => Promise<LabRunResult[]> }> {
  const broker = await startLabBroker(silentLogger);
  const target = { bootstrapServers: `${broker.host}:${broker.port}`, inProcessBroker: true };
  return { broker, run: (scenario, flags = {}) => runScenario(scenario, target, { short: true, flags }) };
}

/** The broker timeline's cause kinds of one run, in order. */
export function causeKinds(r: LabRunResult): string[] {
  return r.brokerTimeline.flatMap((e) => e.causes.map((c) => c.kind));
}

/** What a failed assertion prints: the run's numbers and timeline. */
export function explain(r: LabRunResult): string {
  const events = r.events.map((e) => `${(e.atMs / 1000).toFixed(2)} ${e.source} ${e.member ?? ''} ${e.text}`).join('\n');
  return `${r.scenario} / ${r.variant}: produced ${r.produced} processed ${r.processed} duplicates ${r.duplicates} lost ${r.lost} rebalances ${r.rebalances} (broker ${r.brokerRebalances}) pause ${r.maxPartitionPauseMs} staying ${r.stayingPauseMs}\n${events}`;
}
