const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * SIGINT and SIGTERM for the node's whole life: the first asks for the controlled stop (`first` resolves);
 * every later one (a second Ctrl-C, launch's SIGINT-then-SIGTERM escalation) is acknowledged and ignored, so
 * nothing kills the process in the middle of the stop. The stop has its own time limit; `close()` hands the
 * signals back to Node's defaults.
 */
export class StopSignals {
  readonly first: Promise<NodeJS.Signals>;
  private received: NodeJS.Signals | undefined;
  private readonly handler: (signal: NodeJS.Signals) => void;

  constructor(log?: (line: string) => void) {
    let resolve!: (signal: NodeJS.Signals) => void;
    this.first = new Promise((r) => (resolve = r));
    this.handler = (signal) => {
      if (this.received === undefined) {
        this.received = signal;
        resolve(signal);
        return;
      }
      log?.(`vla_bridge: ${signal} received; already stopping (the controlled stop finishes first)`);
    };
    for (const signal of SIGNALS) process.on(signal, this.handler);
  }

  close(): void {
    for (const signal of SIGNALS) process.off(signal, this.handler);
  }
}
