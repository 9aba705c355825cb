/**
 * A spinner on stderr for anything that waits: shown only on a TTY and only once the wait passed
 * `delayMs` (default one second), so quick commands and piped output never see it. The line is
 * cleared before anything else is printed.
 */
export class Progress {
  private static readonly FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  private text = '';
  private frame = 0;
  private shown = false;
  private delayTimer: NodeJS.Timeout | null = null;
  private frameTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly enabled: boolean,
    private readonly delayMs = 1000,
  ) {}

  /** Starts (or retitles) the spinner; it appears after `delayMs` if still running. */
  start(text: string): void {
    this.text = text;
    if (!this.enabled) return;
    if (this.shown) return this.draw();
    if (this.delayTimer !== null) return;
    this.delayTimer = setTimeout(() => {
      this.delayTimer = null;
      this.shown = true;
      this.draw();
      this.frameTimer = setInterval(() => this.draw(), 100);
      this.frameTimer.unref();
    }, this.delayMs);
    this.delayTimer.unref();
  }

  update(text: string): void {
    this.text = text;
    if (this.shown) this.draw();
  }

  /** Removes the spinner line (call before printing results). */
  stop(): void {
    if (this.delayTimer !== null) clearTimeout(this.delayTimer);
    if (this.frameTimer !== null) clearInterval(this.frameTimer);
    this.delayTimer = null;
    this.frameTimer = null;
    if (this.shown) this.stream.write('\r\u001b[2K');
    this.shown = false;
  }

  /** Runs `work` with the spinner titled `text`, stopping it however `work` ends. */
  async during<T>(text: string, work: () => Promise<T>): Promise<T> {
    this.start(text);
    try {
      return await work();
    } finally {
      this.stop();
    }
  }

  private draw(): void {
    const f = Progress.FRAMES[this.frame++ % Progress.FRAMES.length];
    this.stream.write(`\r\u001b[2K${f} ${this.text}`);
  }
}
