/**
 * metrics.json as its readers see it (the CLI summary, report.html, tests): the figures evaluateCommands writes
 * plus what runEval adds (success, time base, replay facts). One declaration, so that a renamed field is a
 * type error in every reader rather than a silent `undefined` in one of them.
 */
export interface EvalMetrics {
  success: boolean;
  failure_reasons?: string[];
  bag: string;
  policy: string;
  embodiment: string;
  dimensions: string[];
  per_dimension: { name: string; topic: string; mse: number | null; l1: number | null; max_abs: number | null; count: number }[];
  mean_mse: number | null;
  mean_l1: number | null;
  commands: {
    topic: string;
    dimensions: string[];
    predicted: number;
    recorded: number;
    compared: number;
    skipped_in_gaps: number;
    skipped_in_observation_gaps: number;
    skipped_outside_recording: number;
    max_gap_s: number | null;
  }[];
  token_accuracy: number | null;
  tokens_compared: number;
  token_accuracy_note?: string;
  safety_interventions: {
    total: number;
    by_limit: Record<string, number>;
    by_target: Record<string, number>;
    outside_recorded_commands: number;
  };
  gaps: { topic: string; start_s: number; end_s: number; duration_s: number }[];
  replay: {
    duration_s: number;
    start_s: number | null;
    episodes: number;
    instructions: string[];
    ticks: number;
    chunks: number;
    inference_failures: number;
  } & Record<string, unknown>;
  time_base: { option: string; used: string; reason: string };
}
