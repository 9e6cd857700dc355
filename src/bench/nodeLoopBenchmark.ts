import { loadavg } from 'node:os';
import { MessageWriter } from '@foxglove/rosmsg2-serialization';
import { MessageDefinitionLibrary } from '../bag/definitions/MessageDefinitionLibrary';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { InProcessNodeHost } from '../ros/host/InProcessNodeHost';
import { pipelineBridgeFactory } from '../ros/node/PipelineBridge';
import { VlaBridgeNode } from '../ros/node/VlaBridgeNode';
import type { Clock } from '../time/Clock';
import { WallClock } from '../time/WallClock';
import { LoopbackTransport } from '../transport/LoopbackTransport';
import type { MessageOf, Publisher, TopicOptions, Transport, Unsubscribe } from '../transport/Transport';
import type { Benchmark, BenchFigure } from './BenchFigure';
import { BusyWorkerPolicy, INFERENCE_MS, PERIOD_MS } from './BusyWorkerPolicy';
import { ExactArm } from './ExactArm';
import { BENCH_HOME, type LoopRun, runBareLoop } from './loopLatencyBenchmark';
import { median, percentile } from '../stats/orderStatistics';

/**
 * A transport whose publishers serialize every message to CDR (as rcl does before handing it to the
 * middleware) with the package's message definitions, then deliver the plain object in process.
 */
class CdrSerializingTransport implements Transport {
  readonly name: string;
  readonly clock: Clock;
  messages = 0;
  bytes = 0;
  private readonly inner: Transport;
  private readonly library = new MessageDefinitionLibrary();
  private readonly writers = new Map<string, MessageWriter>();

  constructor(inner: Transport) {
    this.inner = inner;
    this.name = inner.name;
    this.clock = inner.clock;
  }

  subscribe<T extends string>(topic: string, type: T, handler: (msg: MessageOf<T>) => void, options?: TopicOptions): Unsubscribe {
    return this.inner.subscribe(topic, type, handler, options);
  }

  createPublisher<T extends string>(topic: string, type: T, options?: TopicOptions): Publisher<MessageOf<T>> {
    const inner = this.inner.createPublisher(topic, type, options);
    const writer = this.writerFor(type);
    return {
      topic: inner.topic,
      type: inner.type,
      publish: (msg) => {
        this.bytes += writer.writeMessage(msg).byteLength;
        this.messages++;
        inner.publish(msg);
      },
    };
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private writerFor(type: string): MessageWriter {
    let writer = this.writers.get(type);
    if (writer === undefined) {
      const definitions = this.library.parsed(type);
      if (definitions === undefined) throw new Error(`no message definition for ${type}`);
      this.writers.set(type, (writer = new MessageWriter(definitions)));
    }
    return writer;
  }
}

interface NodeRun extends LoopRun {
  messagesPerS: number;
  kbytesPerS: number;
}

/**
 * The node's loop: VlaBridgeNode on the in-process host, configured and activated as on a live graph, with every
 * message it publishes (commands, gripper, ~/status, /diagnostics, ~/safety_events, ~/action_chunk) serialized
 * to CDR, the same stand-in policy and test arm as the bare loop.
 */
async function runNodeLoop(durationS: number): Promise<NodeRun> {
  const embodiment = loadEmbodiment('franka_panda');
  const clock = new WallClock();
  const bus = new LoopbackTransport(clock, 'bench');
  const cdr = new CdrSerializingTransport(bus);
  // The arm is another process on a live graph: its messages do not go through the node's serializer.
  const arm = new ExactArm(bus, embodiment, BENCH_HOME);
  const policy = new BusyWorkerPolicy(embodiment.policyJointNames);
  const latenessS: number[] = [];
  let recording = false;
  let ticks = 0;
  const host = new InProcessNodeHost({
    bus: cdr,
    overrides: {
      embodiment: 'franka_panda',
      policy: policy.name,
      instruction: 'hold',
      command_rate_hz: 1000 / PERIOD_MS,
      policy_rate_hz: 10,
      watchdog_resume: 'auto',
    },
  });
  const pipeline = pipelineBridgeFactory({ loadPolicy: async () => policy });
  const node = new VlaBridgeNode({
    host,
    createBridge: (settings, listeners) =>
      pipeline(settings, {
        ...listeners,
        tick: (tick) => {
          if (recording) latenessS.push(tick.latenessS);
          listeners.tick(tick);
          // The arm's driver: a fresh joint state for the next tick, a frame every 10 ticks.
          arm.publishState(tick.tS);
          if (ticks++ % 10 === 0) arm.publishFrames(tick.tS);
        },
      }),
  });
  node.start();
  arm.publishState(clock.nowS());
  arm.publishFrames(clock.nowS());
  host.trigger('configure');
  await node.whenLoaded();
  const messages0 = cdr.messages;
  const bytes0 = cdr.bytes;
  recording = true;
  if (host.trigger('activate') !== 'active') throw new Error(`the node did not activate: ${node.snapshot().reason}`);
  const startS = clock.nowS();
  await clock.sleepUntil(startS + durationS);
  recording = false;
  const stats = node.bridge!.stats();
  const elapsedS = clock.nowS() - startS;
  const messagesPerS = (cdr.messages - messages0) / elapsedS;
  const kbytesPerS = (cdr.bytes - bytes0) / elapsedS / 1000;
  await node.dispose();
  await bus.close();
  return {
    latenessMs: latenessS.slice(1).map((s) => s * 1000),
    computeMs: [],
    overruns: stats.overruns,
    ticks: stats.ticks,
    inferences: stats.chunks,
    messagesPerS,
    kbytesPerS,
  };
}

/**
 * Lateness of the live node's loop at 100 Hz on wall time, with the node's per-tick publishing work serialized
 * to CDR, against the bare loop (control.loop_lateness_100hz's method) measured in the same run: what the node
 * adds to the loop on top of the pipeline.
 */
export const nodeLoopBenchmark: Benchmark = {
  name: 'node',
  async run({ quick }): Promise<BenchFigure[]> {
    const durationS = quick ? 3 : 30;
    const bare = await runBareLoop(durationS);
    const node = await runNodeLoop(durationS);
    const p99 = percentile(node.latenessMs, 99);
    const bareP99 = percentile(bare.latenessMs, 99);
    return [
      {
        name: 'node.loop_lateness_100hz',
        median: median(node.latenessMs),
        p99,
        unit: 'ms',
        baseline: `bare ControlLoop in the same run (p99 ${bareP99.toFixed(3)} ms)`,
        ratio: p99 / bareP99,
        method:
          `VlaBridgeNode on the in-process host, configured and activated, at 100 Hz on wall ` +
          `time for ${durationS} s, every published message serialized to CDR, a worker thread ` +
          `running a ${INFERENCE_MS} ms inference per chunk; the bare loop first, for as long; ` +
          `ratio = p99 / bare p99`,
        extra: {
          max_ms: Math.max(...node.latenessMs),
          overruns: node.overruns,
          ticks: node.ticks,
          chunks: node.inferences,
          messages_per_s: node.messagesPerS,
          cdr_kb_per_s: node.kbytesPerS,
          bare_p50_ms: median(bare.latenessMs),
          bare_max_ms: Math.max(...bare.latenessMs),
          bare_overruns: bare.overruns,
          load_avg_1m: loadavg()[0]!,
        },
      },
    ];
  },
};
