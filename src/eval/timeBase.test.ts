import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs, tempDir } from '../../test/support/bag/writeTestBags';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { isVlaError } from '../errors';
import { BagReader } from '../bag/BagReader';
import { ObservationAssembler } from '../observation/ObservationAssembler';
import { nsToSeconds } from '../time/rosTime';
import { BagTransport } from '../transport/BagTransport';
import { runEval } from './runEval';
import { chooseTimeBase, sampleStamps, type TimeBaseOption } from './chooseTimeBase';
import { recordSimBag, type SimBag } from '../sim/recordSimBag';
import { expertFor, retimeBag, shiftedEpisodes } from '../../test/support/eval/simBags';

/**
 * Bags whose header stamps and log times disagree, in MCAP and sqlite3: a simulator recording (stamps in sim
 * time from 0 s) logged on a wall clock, one logged 2 s late, and one whose camera leaves its stamps at zero.
 */

const panda = loadEmbodiment('franka_panda');
const CAMERA = panda.config.topics.cameras[0]!.topic;
const JOINTS = panda.config.topics.joint_states;
/** A wall-clock epoch: 2023-11-14, in seconds and nanoseconds. */
const WALL_S = 1_700_000_000;
const WALL_NS = BigInt(WALL_S) * 1_000_000_000n;

let root: string;
let bag: SimBag;

beforeAll(async () => {
  root = tempDir('vla-bridge-timebase-');
  bag = await recordSimBag(panda, root, { episodes: 2, seed: 6, imageSizePx: 32, timeLimitS: 3 });
});
afterAll(removeTempDirs);

interface Metrics {
  success: boolean;
  failure_reasons?: string[];
  time_base: {
    option: string;
    used: string;
    reason: string;
    topics: { topic: string; verdict: string; median_lag_s: number | null; zero_stamps: number; judged_by_log_time: number }[];
  };
  per_dimension: { name: string; mse: number | null; count: number }[];
  replay: {
    chunks: number;
    ticks: number;
    ticks_without_state: number;
    holding_ticks: number;
    stale_holding_ticks: number;
    episodes: number;
  };
}

async function evaluate(file: string, out: string, timeBase: TimeBaseOption, episodeShiftS: number, warnings: string[] = []) {
  const result = await runEval({
    bag: file,
    bagPath: file,
    embodiment: panda,
    openPolicy: async () => expertFor(panda, shiftedEpisodes(bag, episodeShiftS)),
    outDir: join(root, out),
    timeBase,
    onWarning: (w) => warnings.push(w),
  });
  return { ...result, m: result.metrics as unknown as Metrics };
}

describe('eval: time bases that disagree', () => {
  let original: Metrics;
  beforeAll(async () => {
    original = (await evaluate(bag.dir, 'original', 'auto', 0)).m;
  });

  it('a bag whose stamps agree with its log times is judged by header stamps, as before', () => {
    expect(original.success).toBe(true);
    expect(original.time_base).toMatchObject({
      option: 'auto',
      used: 'header',
      reason: 'header stamps agree with log times on every sensor topic',
    });
    expect(original.time_base.topics.map((t) => [t.topic, t.verdict, t.median_lag_s])).toEqual([
      [JOINTS, 'ok', 0],
      [CAMERA, 'ok', 0],
    ]);
    expect(original.replay.chunks).toBeGreaterThan(10);
  });

  it.each(['mcap', 'sqlite3'] as const)(
    'sim stamps logged on a wall clock (%s): judged by log time automatically, the same replay as the sim-time bag',
    async (storage) => {
      const file = await retimeBag(bag.dir, join(root, `wall_logged.${storage === 'mcap' ? 'mcap' : 'db3'}`), {
        storage,
        logShiftNs: WALL_NS,
      });
      const { m, verdict } = await evaluate(file, `wall_${storage}`, 'auto', WALL_S);
      // Before: every input looked 1.7e9 s old; 0 chunks, the arm held on almost every tick, and exit 0.
      expect(verdict).toEqual({ success: true, reasons: [] });
      expect(m.success).toBe(true);
      expect(m.time_base.used).toBe('log');
      expect(m.time_base.reason).toMatch(
        new RegExp(`^${JOINTS}: header stamps are 1700000000 s behind the log times .*: every input is judged by its log time$`),
      );
      expect(m.time_base.topics.map((t) => t.verdict)).toEqual(['behind', 'behind']);
      expect(m.replay.chunks).toBe(original.replay.chunks);
      expect(m.replay.stale_holding_ticks).toBe(original.replay.stale_holding_ticks);
      // The same commands, compared the same way (at epoch times a double resolves 0.24 us: one pair at a
      // recording's edge may fall on the other side).
      m.per_dimension.forEach((d, i) => {
        expect(Math.abs(d.count - original.per_dimension[i]!.count)).toBeLessThanOrEqual(1);
        expect(d.mse!).toBeCloseTo(original.per_dimension[i]!.mse!, 6);
      });
      const report = readFileSync(join(root, `wall_${storage}`, 'report.html'), 'utf8');
      expect(report).toContain('Inputs judged by their log time (time base log, chosen automatically: ');
      expect(report).not.toContain('Not a success');
    },
  );

  it('stamps 2 s behind their log times: auto refuses, naming the topic and both options; header fails honestly; log evaluates', async () => {
    const file = await retimeBag(bag.dir, join(root, 'late.mcap'), {
      storage: 'mcap',
      stampShiftNs: 1_000_000_000n,
      logShiftNs: 3_000_000_000n,
    });
    const refused = await evaluate(file, 'late_auto', 'auto', 0).catch((err: unknown) => err);
    expect(isVlaError(refused) && refused.kind).toBe('input');
    expect(isVlaError(refused) && refused.describe()).toMatch(
      new RegExp(
        `late\\.mcap: ${JOINTS}: the time base of the bag is ambiguous: ${JOINTS}: header stamps lag ` +
          `the log times by 2 s \\(median of 50 messages\\), more than the topic's timeout\\n  -> ` +
          `.*--time-base header .* or --time-base log`,
      ),
    );

    const warnings: string[] = [];
    const held = await evaluate(file, 'late_header', 'header', 0, warnings);
    expect(held.m.success).toBe(false);
    expect(held.m.replay.chunks).toBe(0);
    // Every holding tick held for stale input, and all but the first tick of each episode held.
    expect(held.m.replay.stale_holding_ticks).toBe(held.m.replay.holding_ticks);
    expect(held.m.replay.holding_ticks).toBe(held.m.replay.ticks - 2);
    expect(held.m.failure_reasons).toEqual([
      'the policy produced no action chunk (no complete, fresh observation was ever assembled, so no inference was asked for)',
      `${held.m.replay.stale_holding_ticks} of ${held.m.replay.ticks} ticks held the arm because an ` +
        `input was stale (time base: header); if the header stamps are on another clock than the ` +
        `log times, replay with --time-base log`,
    ]);
    expect(warnings).toContain(
      `${JOINTS}: messages arrive 2 s after their header.stamp, later than the topic's timeout: they ` +
        `are stale when they arrive (a slow link, or clocks that disagree by seconds)`,
    );
    const report = readFileSync(join(root, 'late_header', 'report.html'), 'utf8');
    // At the top: right under the title, before the summary table.
    expect(report).toMatch(
      /<h1>Offline evaluation<\/h1>\n<div class="failed"><strong>Not a success: the policy was not evaluated\.<\/strong><ul>\n<li>the policy produced no action chunk/,
    );

    const logged = await evaluate(file, 'late_log', 'log', 3);
    expect(logged.m.success).toBe(true);
    expect(logged.m.time_base).toMatchObject({ option: 'log', used: 'log', reason: '--time-base log' });
    expect(logged.m.replay.chunks).toBe(original.replay.chunks);
  });

  it('a camera that leaves its stamps at zero (sqlite3): auto judges by log time; header judges that camera by log time, with one warning', async () => {
    const file = await retimeBag(bag.dir, join(root, 'zero_camera.db3'), {
      storage: 'sqlite3',
      stampShiftNs: 1_000_000_000n,
      logShiftNs: 1_000_000_000n,
      zeroStampTopics: [CAMERA],
    });
    const auto = await evaluate(file, 'zero_auto', 'auto', 1);
    expect(auto.m.success).toBe(true);
    expect(auto.m.time_base.used).toBe('log');
    expect(auto.m.time_base.topics.map((t) => [t.topic, t.verdict, t.zero_stamps])).toEqual([
      [JOINTS, 'ok', 0],
      [CAMERA, 'zero', 50],
    ]);
    const warnings: string[] = [];
    const header = await evaluate(file, 'zero_header', 'header', 1, warnings);
    expect(header.m.success).toBe(true);
    // The camera's log times are its frames' true times here: both time bases replay the same.
    expect(header.m.replay.chunks).toBe(auto.m.replay.chunks);
    expect(header.m.per_dimension).toEqual(auto.m.per_dimension);
    const camera = header.m.time_base.topics.find((t) => t.topic === CAMERA)!;
    // Every frame the episodes' loops received (the pause after an episode's last command is not replayed).
    expect(camera.judged_by_log_time).toBeGreaterThan(40);
    expect(warnings.filter((w) => w.includes('header.stamp is zero'))).toEqual([
      `${CAMERA}: header.stamp is zero; freshness is judged by the time each message is received (set the stamp in the driver to use it)`,
    ]);
  });
});

describe('a bag written by a real rosbag2 (sqlite3, 2019) whose cameras leave header.stamp at zero', () => {
  const LEGACY = join(__dirname, '../../test/fixtures/bags/sqlite3/legacy_images/sample.db3');
  const cameras = [
    { name: 'raw', topic: '/image', type: 'sensor_msgs/msg/Image' as const, timeoutS: 0.5 },
    { name: 'jpeg', topic: '/image/compressed', type: 'sensor_msgs/msg/CompressedImage' as const, timeoutS: 0.5 },
  ];

  it('auto judges its inputs by log time, naming the zero stamps', async () => {
    const reader = await BagReader.open(LEGACY);
    try {
      const choice = chooseTimeBase('auto', await sampleStamps(reader, cameras), LEGACY);
      expect(choice).toMatchObject({
        used: 'log',
        reason: '/image: header stamps are zero; /image/compressed: header stamps are zero: every input is judged by its log time',
      });
      expect(choice.topics.map((t) => [t.topic, t.messages, t.zeroStamps])).toEqual([
        ['/image', 1, 1],
        ['/image/compressed', 1, 1],
      ]);
    } finally {
      await reader.close();
    }
  });

  it('replayed through the assembler, its frames are fresh at their log time, with one warning per camera', async () => {
    const reader = await BagReader.open(LEGACY);
    const first = (await reader.info({ verify: false })).startNs!;
    const transport = new BagTransport({ startS: nsToSeconds(first) });
    const warnings: string[] = [];
    const assembler = new ObservationAssembler(
      transport,
      { jointStatesTopic: '/joint_states', jointNames: ['j'], jointStateTimeoutS: 0.1, cameras },
      { onStampWarning: (m) => warnings.push(m) },
    );
    const logTimesS: Record<string, number> = {};
    try {
      for await (const m of reader.messages({ topics: ['/image', '/image/compressed'] })) {
        logTimesS[m.topic] = nsToSeconds(m.logTimeNs);
        await transport.play(m.topic, m.type, nsToSeconds(m.logTimeNs), m.message);
      }
    } finally {
      await reader.close();
    }
    // Before: stamped 0 s, they were 1.55e9 s old on arrival.
    expect(assembler.latestFrame('raw')!.stampS).toBe(logTimesS['/image']);
    expect(assembler.latestFrame('jpeg')!.stampS).toBe(logTimesS['/image/compressed']);
    expect(assembler.ages(logTimesS['/image/compressed']!).cameraAgesS.jpeg).toBe(0);
    expect(warnings.map((w) => w.split(':')[0])).toEqual(['/image', '/image/compressed']);
    assembler.close();
    await transport.close();
  });
});
