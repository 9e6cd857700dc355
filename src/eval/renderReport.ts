import type { CommandStream } from './CommandStream';
import { type EvalResult, seconds } from './evaluateCommands';
import { escapeXml, svgLinePlot } from './svgLinePlot';

const PREDICTED_COLOR = '#1f77b4';
const RECORDED_COLOR = '#d62728';

function num(v: unknown): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(6))) : v === null || v === undefined ? '–' : escapeXml(String(v));
}

function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const head = headers.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${num(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * report.html of an evaluation: the summary, per-dimension errors, the gaps, and one plot per dimension of
 * predicted against recorded commands over bag time, gaps shaded. One self-contained file (inline CSS and
 * SVG, no scripts, no external assets), identical for identical inputs.
 */
export function renderReport(result: EvalResult, predicted: CommandStream, recorded: CommandStream, unit: (dimension: string) => string = () => 'rad'): string {
  const m = result.metrics as {
    bag: string;
    policy: string;
    embodiment: string;
    commands: Record<string, number | null>;
    per_dimension: { name: string; mse: number | null; l1: number | null; max_abs: number | null; count: number }[];
    mean_mse: number | null;
    mean_l1: number | null;
    token_accuracy: number | null;
    safety_interventions: { total: number; by_limit: Record<string, number> };
    inference_latency_ms: Record<string, number | null>;
  };
  const times = [...predicted.samples, ...recorded.samples].map((s) => s.tNs);
  const t0 = times.length === 0 ? 0n : times.reduce((a, b) => (b < a ? b : a));
  const x = (tNs: bigint): number => seconds(tNs - t0);
  const maxGapS = result.maxGapNs === undefined ? undefined : seconds(result.maxGapNs);
  const shaded = result.gaps.filter((g) => g.topic === 'recorded commands').map((g) => [x(g.startNs), x(g.endNs)] as const);
  const plots = predicted.names.map((name, i) =>
    svgLinePlot({
      title: name,
      xLabel: 'bag time (s)',
      yLabel: unit(name),
      shaded,
      series: [
        { label: 'recorded', color: RECORDED_COLOR, points: recorded.samples.map((s) => [x(s.tNs), s.values[i]!] as const), breakAboveDx: maxGapS },
        { label: 'predicted', color: PREDICTED_COLOR, points: predicted.samples.map((s) => [x(s.tNs), s.values[i]!] as const), dashed: true },
      ],
    }),
  );
  const summary: [string, unknown][] = [
    ['bag', m.bag],
    ['policy', m.policy],
    ['embodiment', m.embodiment],
    ['predicted commands', m.commands.predicted],
    ['recorded commands', m.commands.recorded],
    ['compared', m.commands.compared],
    ['skipped in gaps', m.commands.skipped_in_gaps],
    ['skipped outside the recording', m.commands.skipped_outside_recording],
    ['mean MSE', m.mean_mse],
    ['mean L1', m.mean_l1],
    ['token accuracy', m.token_accuracy],
    ['safety interventions', m.safety_interventions.total],
    ['inference latency p50 / p99 (ms)', `${num(m.inference_latency_ms.p50)} / ${num(m.inference_latency_ms.p99)}`],
  ];
  const gapRows = result.gaps.map((g) => [g.topic, x(g.startNs), x(g.endNs), seconds(g.endNs - g.startNs)]);
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
.plots svg { display: block; margin: 8px 0; }
</style>
</head>
<body>
<h1>Offline evaluation</h1>
${table(['', 'value'], summary)}
<h2>Errors per dimension (predicted − recorded)</h2>
${table(['dimension', 'MSE', 'L1', 'max |error|', 'pairs'], m.per_dimension.map((d) => [d.name, d.mse, d.l1, d.max_abs, d.count]))}
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
