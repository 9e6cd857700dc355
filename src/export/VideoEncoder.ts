import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { VlaError } from '../errors';

/** Codecs a dataset's videos can use: AV1 (LeRobot's default, via SVT-AV1) or H.264 (plays everywhere). */
export type VideoCodec = 'av1' | 'h264';

/** ffmpeg encoders per codec, in order of preference. */
const ENCODERS: Record<VideoCodec, readonly string[]> = { av1: ['libsvtav1', 'libaom-av1'], h264: ['libx264'] };

/** Encoder options as LeRobot encodes its videos: a key frame every 2 frames (cheap random access), crf 30. */
const ENCODER_ARGS: Record<string, readonly string[]> = {
  libsvtav1: ['-g', '2', '-crf', '30', '-preset', '12'],
  'libaom-av1': ['-g', '2', '-crf', '30', '-cpu-used', '8', '-row-mt', '1'],
  libx264: ['-g', '2', '-crf', '23', '-preset', 'veryfast'],
};

export const FFMPEG_HINT = 'install ffmpeg (Debian: apt-get install ffmpeg, as scripts/setup.sh does) or put it on PATH';

let available: Set<string> | undefined;

/** The encoders this machine's ffmpeg offers (asked once per process). Throws RUN_FAILED when there is no ffmpeg. */
export function ffmpegEncoders(): ReadonlySet<string> {
  if (available !== undefined) return available;
  const out = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  if (out.error !== undefined || out.status !== 0) {
    throw new VlaError('RUN_FAILED', `ffmpeg could not be run (${out.error?.message ?? `exit ${out.status}`})`, { hint: FFMPEG_HINT });
  }
  available = new Set(
    out.stdout
      .split('\n')
      .map((l) => /^\s*V\S*\s+(\S+)/.exec(l)?.[1])
      .filter((e): e is string => e !== undefined),
  );
  return available;
}

/** SVT-AV1 refuses frames smaller than this on either side, px; libaom-av1 takes them. */
const SVT_AV1_MIN_SIZE_PX = 64;

/** The ffmpeg encoder for `codec` at this frame size, or ARGUMENT_INVALID naming what this ffmpeg lacks and what to use instead. */
export function encoderFor(codec: VideoCodec, widthPx: number, heightPx: number): string {
  const encoders = ffmpegEncoders();
  const small = Math.min(widthPx, heightPx) < SVT_AV1_MIN_SIZE_PX;
  const found = ENCODERS[codec].find((e) => encoders.has(e) && !(small && e === 'libsvtav1'));
  if (found === undefined) {
    throw new VlaError('ARGUMENT_INVALID', `this ffmpeg has no ${codec} encoder (looked for ${ENCODERS[codec].join(', ')})`, {
      path: '--video-codec',
      hint:
        codec === 'av1'
          ? "use --video-codec h264, or install an ffmpeg built with libsvtav1 (Debian 12's has it)"
          : 'install an ffmpeg built with libx264',
    });
  }
  return found;
}

export interface VideoEncoderOptions {
  file: string;
  widthPx: number;
  heightPx: number;
  fps: number;
  codec: VideoCodec;
}

/**
 * One mp4 file written by ffmpeg from packed rgb24 frames on its standard input, encoded yuv420p at a constant
 * frame rate: frame k is shown at k / fps, exactly one video frame per frame written.
 */
export class VideoEncoder {
  readonly encoder: string;
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly frameBytes: number;
  private readonly exited: Promise<number | null>;
  private stderrTail = '';
  private failure: Error | undefined;
  private frameCount = 0;

  constructor(readonly options: VideoEncoderOptions) {
    const { widthPx, heightPx, fps } = options;
    if (widthPx % 2 !== 0 || heightPx % 2 !== 0) {
      throw new VlaError('IMAGE_INVALID', `frames of ${widthPx}x${heightPx} px cannot be encoded as yuv420p video (odd size)`, {
        hint: 'record the camera at an even width and height',
      });
    }
    this.encoder = encoderFor(options.codec, widthPx, heightPx);
    this.frameBytes = widthPx * heightPx * 3;
    const args = [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
      ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${widthPx}x${heightPx}`, '-framerate', String(fps), '-i', 'pipe:0'],
      ...['-c:v', this.encoder, ...ENCODER_ARGS[this.encoder]!, '-pix_fmt', 'yuv420p', '-r', String(fps), '-an', options.file],
    ];
    this.process = spawn('ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
    });
    this.process.stdout.resume();
    this.process.stdin.on('error', (err) => {
      this.failure ??= err;
    });
    this.exited = new Promise((resolve) => {
      this.process.on('error', (err) => {
        this.failure ??= err;
        resolve(null);
      });
      this.process.on('close', (code) => resolve(code));
    });
  }

  get frames(): number {
    return this.frameCount;
  }

  /** Queues one frame (packed rgb24, width x height x 3 bytes); resolves when ffmpeg has room for more. */
  async write(rgb: Uint8Array): Promise<void> {
    if (rgb.length !== this.frameBytes)
      throw new RangeError(
        `a frame has ${rgb.length} bytes, ${this.options.widthPx}x${this.options.heightPx} rgb24 has ${this.frameBytes}`,
      );
    if (this.failure !== undefined) throw this.error();
    this.frameCount++;
    if (!this.process.stdin.write(rgb)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.process.stdin.off('drain', done);
          this.process.off('close', done);
          resolve();
        };
        this.process.stdin.on('drain', done);
        this.process.on('close', done);
      });
    }
    if (this.failure !== undefined) throw this.error();
  }

  /** Ends the stream and waits for ffmpeg to finish the file. */
  async close(): Promise<void> {
    this.process.stdin.end();
    const code = await this.exited;
    if (code !== 0 || this.failure !== undefined) throw this.error(code);
  }

  /** Stops ffmpeg without finishing the file. */
  async abort(): Promise<void> {
    this.process.stdin.destroy();
    this.process.kill('SIGKILL');
    await this.exited;
  }

  private error(code?: number | null): VlaError {
    const detail = this.stderrTail.trim().split('\n').slice(-3).join(' | ') || this.failure?.message || `exit ${code}`;
    return new VlaError('RUN_FAILED', `ffmpeg (${this.encoder}) failed writing ${this.options.file}: ${detail}`, {
      file: this.options.file,
      hint: FFMPEG_HINT,
    });
  }
}
