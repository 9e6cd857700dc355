/** A line chart as inline SVG text: no scripts, no external assets, deterministic output. */

export interface PlotSeries {
  label: string;
  color: string;
  /** [x, y] in data units, sorted by x. NaN y breaks the line. */
  points: readonly (readonly [number, number])[];
  /** Break the line where consecutive x are farther apart than this (a gap is drawn as a gap). */
  breakAboveDx?: number;
  dashed?: boolean;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly PlotSeries[];
  /** x ranges shaded as gaps in the data. */
  shaded?: readonly (readonly [number, number])[];
  width?: number;
  height?: number;
  /** Points kept per series at most (evenly strided). */
  maxPoints?: number;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** About five round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  // From an integer count of steps, so that zero is exactly 0 (summing steps gives -2.8e-17).
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

function label(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e4 || a < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

export function svgLinePlot(o: PlotOptions): string {
  const width = o.width ?? 720;
  const height = o.height ?? 240;
  const m = { left: 64, right: 16, top: 28, bottom: 40 };
  const maxPoints = o.maxPoints ?? 3000;
  // A loop, not Math.min(...points): an hour at 100 Hz is more arguments than a call can take.
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const s of o.series) {
    for (const [x, y] of s.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x0 === Infinity) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * (width - m.left - m.right);
  const sy = (y: number): number => height - m.bottom - ((y - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(o.title)}">`,
  );
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  for (const [a, b] of o.shaded ?? []) {
    const xa = sx(Math.max(a, x0));
    const xb = sx(Math.min(b, x1));
    if (xb > xa)
      parts.push(
        `<rect class="gap" x="${fmt(xa)}" y="${m.top}" width="${fmt(xb - xa)}" height="${height - m.top - m.bottom}" fill="#f4c7c3" opacity="0.6"/>`,
      );
  }
  for (const t of ticks(y0, y1)) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${fmt(sy(t))}" y2="${fmt(sy(t))}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${m.left - 6}" y="${fmt(sy(t) + 4)}" font-size="11" text-anchor="end" fill="#444">${label(t)}</text>`);
  }
  for (const t of ticks(x0, x1)) {
    parts.push(`<text x="${fmt(sx(t))}" y="${height - m.bottom + 16}" font-size="11" text-anchor="middle" fill="#444">${label(t)}</text>`);
  }
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${width - m.left - m.right}" height="${height - m.top - m.bottom}" fill="none" stroke="#888"/>`,
  );
  for (const s of o.series) {
    const stride = Math.max(1, Math.ceil(s.points.length / maxPoints));
    let path = '';
    let prevX: number | undefined;
    for (let i = 0; i < s.points.length; i += stride) {
      const [x, y] = s.points[i]!;
      const broken = prevX === undefined || !Number.isFinite(y) || (s.breakAboveDx !== undefined && x - prevX > s.breakAboveDx * stride);
      if (!Number.isFinite(y)) {
        prevX = undefined;
        continue;
      }
      path += `${broken ? 'M' : 'L'}${fmt(sx(x))},${fmt(sy(y))}`;
      prevX = x;
    }
    if (path !== '')
      parts.push(
        `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.5"${s.dashed === true ? ' stroke-dasharray="5,3"' : ''}>` +
          `<title>${escapeXml(s.label)}</title></path>`,
      );
  }
  parts.push(`<text x="${m.left}" y="18" font-size="13" font-weight="bold" fill="#222">${escapeXml(o.title)}</text>`);
  o.series.forEach((s, i) => {
    const x = width - m.right - 150 * (o.series.length - i);
    parts.push(
      `<line x1="${x}" x2="${x + 20}" y1="14" y2="14" stroke="${s.color}" ` +
        `stroke-width="2"${s.dashed === true ? ' stroke-dasharray="5,3"' : ''}/><text ` +
        `x="${x + 24}" y="18" font-size="11" fill="#222">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push(
    `<text x="${fmt((m.left + width - m.right) / 2)}" y="${height - 6}" font-size="11" text-anchor="middle" fill="#444">${escapeXml(o.xLabel)}</text>`,
  );
  parts.push(
    `<text x="14" y="${fmt((m.top + height - m.bottom) / 2)}" font-size="11" text-anchor="middle" ` +
      `fill="#444" transform="rotate(-90 14 ${fmt((m.top + height - m.bottom) / 2)})">${escapeXml(o.yLabel)}</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}
