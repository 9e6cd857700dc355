import type { CommandStream } from './CommandStream';
import { type EvalResult, seconds } from './evaluateCommands';
import { escapeXml, svgLinePlot } from './svgLinePlot';
import type { EvalMetrics } from './EvalMetrics';

const PREDICTED_COLOR = '#1f77b4';
const RECORDED_COLOR = '#d62728';

/** The streams of one command topic, as plotted. */
export interface ReportChannel {
  topic: string;
  predicted: CommandStream;
  recorded: CommandStream;
  /** Unit of each dimension (default rad). */
  units?: readonly string[];
}

export interface ReportOptions {
  /** Why the run is not a success: shown first, above everything else. */
  failure?: readonly string[];
  /** Lines shown under the summary (where the wall-clock figures are, how the replay ran). */
  notes?: readonly string[];
}

function num(v: unknown): string {
  return typeof v === 'number'
    ? String(Number(v.toPrecision(6)))
    : v === null || v === undefined
      ? '–'
      : escapeXml(typeof v === 'object' ? JSON.stringify(v) : String(v));
}

function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const head = headers.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${num(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** `modelled_latency_s` -> `modelled latency (s)`. */
function label(key: string): string {
  return key.replace(/_s$/, ' (s)').replace(/_/g, ' ');
}

function earliest(channels: readonly ReportChannel[]): bigint {
  let t0: bigint | undefined;
  for (const c of channels) {
    for (const s of [c.predicted.samples[0], c.recorded.samples[0]]) if (s !== undefined && (t0 === undefined || s.tNs < t0)) t0 = s.tNs;
  }
  return t0 ?? 0n;
}

/**
 * report.html of an evaluation: the summary, per-dimension errors, the gaps, and one plot per dimension of
 * predicted against recorded commands over bag time (seconds from the first command), gaps shaded: those of
 * the dimension's command topic and those of the observation topics. One self-contained file (inline CSS and
 * SVG, no scripts, no external assets), identical for identical inputs.
 */
export function renderReport(result: EvalResult, channels: readonly ReportChannel[], options: ReportOptions = {}): string {
  const m = result.metrics as unknown as EvalMetrics;
  const t0 = earliest(channels);
  const x = (tNs: bigint): number => seconds(tNs - t0);
  const commandTopics = new Set(channels.map((c) => c.topic));
  const observationShading = result.gaps.filter((g) => !commandTopics.has(g.topic)).map((g) => [x(g.startNs), x(g.endNs)] as const);
  const plots: string[] = [];
  for (const channel of channels) {
    const maxGapNs = result.channels.find((c) => c.topic === channel.topic)?.maxGapNs;
    const maxGapS = maxGapNs === undefined ? undefined : seconds(maxGapNs);
    const shaded = [
      ...result.gaps.filter((g) => g.topic === channel.topic).map((g) => [x(g.startNs), x(g.endNs)] as const),
      ...observationShading,
    ];
    channel.predicted.names.forEach((name, i) => {
      plots.push(
        svgLinePlot({
          title: name,
          xLabel: 'bag time (s)',
          yLabel: channel.units?.[i] ?? 'rad',
          shaded,
          series: [
            {
              label: 'recorded',
              color: RECORDED_COLOR,
              points: channel.recorded.samples.map((s) => [x(s.tNs), s.values[i]!] as const),
              breakAboveDx: maxGapS,
            },
            {
              label: 'predicted',
              color: PREDICTED_COLOR,
              points: channel.predicted.samples.map((s) => [x(s.tNs), s.values[i]!] as const),
              dashed: true,
            },
          ],
        }),
      );
    });
  }
  const summary: [string, unknown][] = [
    ['bag', m.bag],
    ['policy', m.policy],
    ['embodiment', m.embodiment],
    ['mean MSE', m.mean_mse],
    ['mean L1', m.mean_l1],
    ['token accuracy', m.token_accuracy ?? m.token_accuracy_note ?? null],
    ['safety interventions', m.safety_interventions.total],
    ...Object.entries(m.replay ?? {}).map(([k, v]): [string, unknown] => [label(k), Array.isArray(v) ? v.join(' | ') : v]),
  ];
  const commandRows = m.commands.map((c) => [
    c.topic,
    c.predicted,
    c.recorded,
    c.compared,
    c.skipped_in_gaps,
    c.skipped_in_observation_gaps,
    c.skipped_outside_recording,
  ]);
  const gapRows = result.gaps.map((g) => [g.topic, x(g.startNs), x(g.endNs), seconds(g.endNs - g.startNs)]);
  const notes = (options.notes ?? []).map((n) => `<p class="note">${escapeXml(n)}</p>`).join('\n');
  const failure =
    options.failure === undefined || options.failure.length === 0
      ? ''
      : `<div class="failed"><strong>Not a success: the policy was not ` +
        `evaluated.</strong><ul>\n${options.failure.map((r) => `<li>${escapeXml(r)}</li>`).join('\n')}\n</ul><p>The errors ` +
        `below compare the recorded commands with an arm that did not follow the policy.</p></div>\n`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>vla-bridge evaluation: ${escapeXml(m.policy)} on ${escapeXml(m.bag)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 20px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; font-size: 13px; }
th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
.note { font-size: 13px; color: #555; }
.failed { border: 2px solid #c00; background: #fff0f0; color: #900; padding: 8px 14px; margin: 8px 0 16px; }
.plots svg { display: block; margin: 8px 0; }
</style>
</head>
<body>
<h1>Offline evaluation</h1>
${failure}${table(['', 'value'], summary)}
${notes}
<h2>Commands compared</h2>
${table(['topic', 'predicted', 'recorded', 'compared', 'in recorded gaps', 'in observation gaps', 'outside the recording'], commandRows)}
<h2>Errors per dimension (predicted − recorded)</h2>
${table(
  ['dimension', 'topic', 'MSE', 'L1', 'max |error|', 'pairs'],
  m.per_dimension.map((d) => [d.name, d.topic, d.mse, d.l1, d.max_abs, d.count]),
)}
<h2>Safety interventions by limit</h2>
${table(['limit', 'count'], Object.entries(m.safety_interventions.by_limit))}
<h2>Gaps (not compared, not interpolated)</h2>
${gapRows.length === 0 ? '<p>None.</p>' : table(['topic', 'from (s)', 'to (s)', 'duration (s)'], gapRows)}
<h2>Predicted and recorded commands</h2>
<div class="plots">
${plots.join('\n')}
</div>
</body>
</html>
`;
}
