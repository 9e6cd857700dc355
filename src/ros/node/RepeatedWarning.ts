/**
 * A warning that can repeat at the loop's rate (an inference failing ten times a second while a policy server is
 * down) reaches the node's log once when it first appears, then as a count at most every `intervalS`, and with
 * its final count when it changes or the run ends: the log stays readable and no occurrence goes uncounted.
 */
export class RepeatedWarning {
  private message: string | undefined;
  private unlogged = 0;
  private lastLoggedS = 0;
  private sinceS = 0;

  constructor(
    private readonly log: (line: string) => void,
    private readonly intervalS = 5,
    private readonly nowS: () => number = () => performance.now() / 1000,
  ) {}

  warn(message: string): void {
    const now = this.nowS();
    if (message !== this.message) {
      this.flush();
      this.message = message;
      this.lastLoggedS = now;
      this.sinceS = now;
      this.log(message);
      return;
    }
    this.unlogged += 1;
    if (now - this.lastLoggedS >= this.intervalS) this.logCount(now);
  }

  /** Logs the count of repeats not yet logged (call when the run ends); the next warning starts afresh. */
  flush(): void {
    if (this.unlogged > 0) this.logCount(this.nowS());
    this.message = undefined;
  }

  private logCount(now: number): void {
    const times = this.unlogged === 1 ? 'once more' : `${this.unlogged} more times`;
    this.log(`${this.message} (${times} in the last ${(now - this.sinceS).toFixed(1)} s)`);
    this.unlogged = 0;
    this.lastLoggedS = now;
    this.sinceS = now;
  }
}
