import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LabChildMessage, LabConsumerConfig, LabParentMessage } from './ipc.js';

const CONSUMER_MAIN = fileURLToPath(new URL('./consumer-process.js', import.meta.url));

/** Every consumer process still running, so that none outlives the lab (a frozen one would never see the IPC channel close). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every consumer process the lab started (on exit, or on Ctrl-C). */
export function killAllMembers(): void {
  for (const p of live) p.kill('SIGKILL');
  live.clear();
}

/**
 * The lab's handle on one consumer process: forks it, relays what it reports, and does to it what
 * a scenario needs (start, clean stop, SIGKILL, SIGSTOP/SIGCONT).
 */
export class MemberProcess {
  private readonly proc: ChildProcess;
  readonly exited: Promise<void>;
  private readonly waiters: Array<{ ev: LabChildMessage['ev']; resolve: (m: LabChildMessage) => void }> = [];
  private failure: string | null = null;
  exitedAtMs = NaN;

  constructor(
    readonly cfg: LabConsumerConfig,
    /** A name unique in the run (a restarted member's new process gets `name#2`). */
    readonly processName: string,
    private readonly onMessage: (member: MemberProcess, m: LabChildMessage) => void,
  ) {
    this.proc = fork(CONSUMER_MAIN, [JSON.stringify(cfg)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    live.add(this.proc);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', killAllMembers);
    }
    // A send to a process that just died fails with EPIPE; its exit is what counts.
    this.proc.on('error', () => {});
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', () => {
        live.delete(this.proc);
        this.exitedAtMs = performance.timeOrigin + performance.now();
        resolve();
      }),
    );
    this.proc.on('message', (m: LabChildMessage) => {
      if (m.ev === 'error') this.failure = m.message;
      this.onMessage(this, m);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (this.waiters[i]!.ev === m.ev) this.waiters.splice(i, 1)[0]!.resolve(m);
      }
    });
  }

  get name(): string {
    return this.cfg.name;
  }

  get error(): string | null {
    return this.failure;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  waitFor<E extends LabChildMessage['ev']>(ev: E, timeoutMs = 30_000): Promise<Extract<LabChildMessage, { ev: E }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.processName}: no '${ev}' within ${timeoutMs} ms${this.failure ? `: ${this.failure}` : ''}`)), timeoutMs);
      this.waiters.push({
        ev,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<LabChildMessage, { ev: E }>);
        },
      });
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${this.processName} exited before '${ev}'${this.failure ? `: ${this.failure}` : ''}`));
      });
    });
  }

  send(m: LabParentMessage): void {
    if (this.proc.connected) this.proc.send(m, (err) => void err);
  }

  start(): void {
    this.send({ cmd: 'start' });
  }

  /** A clean shutdown (the client commits and, if dynamic, leaves the group); SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.alive) return;
    this.send({ cmd: 'stop' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** A crash: no commit, no LeaveGroup; the coordinator finds out when the session times out. */
  kill(): void {
    if (this.alive) this.proc.kill('SIGKILL');
  }

  /** The whole process stops (a long GC pause, a VM stall): no heartbeats, no processing. */
  freeze(): void {
    if (this.alive) this.proc.kill('SIGSTOP');
  }

  thaw(): void {
    if (this.alive) this.proc.kill('SIGCONT');
  }
}
