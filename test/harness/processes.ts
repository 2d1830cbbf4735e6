/**
 * Child processes of the harness: each in its own process group with its
 * output in a log file, stopped in reverse start order with SIGTERM and, after
 * a grace period, SIGKILL, and watched so that no peer outlives the harness.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Runs a peer under a watchdog holding a pipe from this process: if this
 * process dies, even by SIGKILL, the pipe closes and the watchdog stops the
 * peer, so no peer outlives its harness. The watchdog exits with the peer.
 */
const WATCHDOG = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'p=$!',
  '( read -r _ <&3; kill -TERM "$p" 2>/dev/null ) &',
  'w=$!',
  'wait "$p"; s=$?',
  'kill "$w" 2>/dev/null',
  'exit "$s"',
].join('\n');

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
}

export class ProcessGroup {
  private readonly started: Started[] = [];

  constructor(private readonly logDir: string) {}

  start(name: string, bin: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Started {
    const logFile = join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn('/bin/sh', ['-c', WATCHDOG, 'watchdog', bin, ...args], {
      detached: true,
      stdio: ['pipe', fd, fd],
      env: { ...process.env, ...env },
    });
    closeSync(fd);
    const entry = { name, child, logFile };
    this.started.push(entry);
    child.on('exit', (code, signal) => {
      if (!this.stopping) process.stderr.write(`[cluster] ${name} exited (${code ?? signal}); see ${logFile}\n`);
    });
    return entry;
  }

  private stopping = false;

  /** The last lines of a process's log, for error messages. */
  tail(name: string, lines = 30): string {
    const entry = this.started.find((s) => s.name === name);
    if (!entry) return '';
    return readFileSync(entry.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  }

  async stop(name: string, graceMs = 10_000): Promise<void> {
    const index = this.started.findIndex((s) => s.name === name);
    if (index < 0) return;
    const [entry] = this.started.splice(index, 1);
    if (entry) await terminate(entry.child, graceMs);
  }

  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    while (this.started.length > 0) {
      const entry = this.started.pop();
      if (entry) await terminate(entry.child, graceMs);
    }
  }

  /** Synchronous last resort for process 'exit' handlers. */
  killAllNow(): void {
    this.stopping = true;
    for (const { child } of this.started) signalGroup(child, 'SIGKILL');
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
