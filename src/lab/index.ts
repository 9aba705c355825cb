import { startBroker, type Broker } from '../broker/index.js';
import type { Logger } from '../common/logger.js';
import { runLabVariant, type LabTarget, type RunVariantOptions } from './runner.js';
import { findScenario, planRuns, scenarioNames, type LabScenario } from './scenarios.js';
import type { LabKnobs, LabRunResult } from './types.js';

export { findScenario, planRuns, scenarioNames, defaultHeartbeatMs, BASE_KNOBS, type LabScenario, type LabStep, type LabVariant } from './scenarios.js';
export { killAllMembers } from './members.js';
export { runLabVariant, type LabTarget, type RunVariantOptions } from './runner.js';
export { renderScenario, renderRun, summaryRows } from './render-text.js';
export { renderHtmlReport } from './render-report.js';
export { DeliveryLog, longestGap, type HandledBatch } from './delivery-log.js';
export type { LabKnobs, LabRunResult, LabEvent, MemberStats, PartitionStats, CommitMode, Strategy } from './types.js';

/**
 * A broker for the lab in this process: in memory, session timeouts down to 1 s allowed (the
 * short scenarios use them), and no initial rebalance delay so the first members settle at once
 * (the delay only matters for a group's very first join, which the lab does not measure).
 */
export function startLabBroker(logger?: Logger): Promise<Broker> {
  return startBroker({
    port: 0,
    host: '127.0.0.1',
    memory: true,
    groupMinSessionTimeoutMs: 1000,
    groupInitialRebalanceDelayMs: 0,
    ...(logger !== undefined ? { logger } : {}),
  });
}

export interface ScenarioRunOptions extends RunVariantOptions {
  /** Knobs set by the user; setting the compared one runs that variant only. */
  flags?: Partial<LabKnobs>;
  short?: boolean;
  /** Called before each variant starts. */
  onVariant?: (label: string, knobs: LabKnobs) => void;
}

/** Runs every variant of a scenario, one after the other, against the same cluster. */
export async function runScenario(s: LabScenario | string, target: LabTarget, o: ScenarioRunOptions = {}): Promise<LabRunResult[]> {
  const scenario = typeof s === 'string' ? findScenario(s) : s;
  if (scenario === undefined) throw new Error(`unknown scenario "${String(s)}" (one of ${scenarioNames().join(', ')})`);
  const results: LabRunResult[] = [];
  for (const run of planRuns(scenario, o.flags ?? {}, o.short ?? false)) {
    o.onVariant?.(run.label, run.knobs);
    results.push(await runLabVariant(scenario, run.label, run.knobs, target, o));
  }
  return results;
}
