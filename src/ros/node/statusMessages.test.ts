import { emptyEpisodeStats } from '../../control/EpisodeStats';
import { type StatusSnapshot, statusToDiagnostics, statusToMsg } from './statusMessages';

const base: StatusSnapshot = {
  stampS: 5,
  nodeName: 'vla_bridge',
  lifecycle: 'active',
  mode: 'running',
  reason: '',
  embodiment: 'franka_panda',
  policy: 'openpi_sim_panda',
  instruction: 'reach the red cube',
  dryRun: false,
  estopped: false,
  commandRateHz: 100,
  policyRateHz: 10,
  stats: {
    ticks: 10,
    overruns: 0,
    chunks: 2,
    safetyInterventions: 0,
    episode: emptyEpisodeStats(),
    holding: false,
    waitingFor: [],
    lateness: { p50S: 0, p99S: 0, maxS: 0, ticks: 0 },
    clockStalls: 0,
  },
};

describe('~/status of a served policy', () => {
  it('carries the round trip and server timing p50/p99 in seconds, and the connection counts', () => {
    const msg = statusToMsg({
      ...base,
      stats: {
        ...base.stats!,
        policyServer: {
          url: 'ws://127.0.0.1:8000',
          requests: 12,
          replies: 10,
          failures: 2,
          reconnects: 1,
          abandoned: 0,
          requestBytes: 150717,
          replyBytes: 400,
          roundTripMs: { p50: 120, p99: 230, max: 240 },
          serverInferMs: { p50: 100, p99: 180, max: 190 },
        },
      },
    });
    expect(msg).toMatchObject({
      policy_server: 'ws://127.0.0.1:8000',
      policy_round_trip_p50_s: 0.12,
      policy_round_trip_p99_s: 0.23,
      policy_server_infer_p50_s: 0.1,
      policy_server_infer_p99_s: 0.18,
      policy_server_failures: 2,
      policy_server_reconnects: 1,
    });
    const values = new Map(
      statusToDiagnostics({
        ...base,
        stats: {
          ...base.stats!,
          policyServer: {
            url: 'ws://h:1',
            requests: 1,
            replies: 1,
            failures: 0,
            reconnects: 0,
            abandoned: 0,
            requestBytes: 1,
            replyBytes: 1,
            roundTripMs: { p50: 5, p99: 7, max: 7 },
          },
        },
      }).status[0]!.values.map((v) => [v.key, v.value]),
    );
    expect(values.get('policy_round_trip_p99_s')).toBe('0.007');
    expect(values.get('policy_server_infer_p50_s')).toBe('');
  });

  it('a local policy: empty URL, NaN latencies', () => {
    const msg = statusToMsg(base);
    expect(msg.policy_server).toBe('');
    expect(msg.policy_round_trip_p50_s).toBeNaN();
    expect(msg.policy_server_failures).toBe(0);
  });
});
