import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { type BagInfo, BagReader } from '../../bag/BagReader';
import { isServiceEventTopic } from '../../bag/rosTypeName';
import { nsToSeconds } from '../../time/rosTime';
import { type CliContext, logLine, writeJson, writeLine } from '../CliContext';

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `2020-04-02T22:23:55.112411371Z (1585866235.112411371)`: UTC, to the nanosecond. */
function formatStamp(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const sub = (ns % 1_000_000_000n).toString().padStart(9, '0');
  const iso = new Date(Number(ms)).toISOString().replace(/\.\d{3}Z$/, `.${sub}Z`);
  return `${iso} (${ns / 1_000_000_000n}.${sub})`;
}

/** The DESIGN §3 JSON shape, with file, time and encoding details added. */
export function bagInfoJson(info: BagInfo, sizeBytes: number, warnings: readonly string[]): Record<string, unknown> {
  return {
    path: info.path,
    storage: info.storage,
    compression: info.compression ?? null,
    duration_s: nsToSeconds(info.durationNs),
    start_s: info.startNs === undefined ? null : nsToSeconds(info.startNs),
    end_s: info.endNs === undefined ? null : nsToSeconds(info.endNs),
    messages: info.messageCount,
    size_bytes: sizeBytes,
    files: info.files.map((f) => ({ path: f.path, storage: f.storage, messages: f.messageCount })),
    topics: info.topics.map((t) => ({ name: t.name, type: t.type, count: t.count, serialization_format: t.serializationFormat })),
    warnings,
  };
}

function printText(ctx: CliContext, info: BagInfo, sizeBytes: number): void {
  const WIDTH = 21;
  const label = (name: string): string => `${name}:`.padEnd(WIDTH);
  const topics = info.topics.filter((t) => !isServiceEventTopic(t.name, t.type));
  const services = info.topics.filter((t) => isServiceEventTopic(t.name, t.type));
  writeLine(ctx, `${label('Files')}${info.files.map((f) => basename(f.path)).join(`\n${' '.repeat(WIDTH)}`)}`);
  writeLine(ctx, `${label('Bag size')}${formatBytes(sizeBytes)}`);
  writeLine(ctx, `${label('Storage id')}${info.storage}`);
  if (info.compression !== undefined) writeLine(ctx, `${label('Compression')}${info.compression.format} (${info.compression.mode})`);
  writeLine(ctx, `${label('Duration')}${nsToSeconds(info.durationNs).toFixed(9)}s`);
  if (info.startNs !== undefined && info.endNs !== undefined) {
    writeLine(ctx, `${label('Start')}${formatStamp(info.startNs)}`);
    writeLine(ctx, `${label('End')}${formatStamp(info.endNs)}`);
  }
  writeLine(ctx, `${label('Messages')}${info.messageCount}`);
  const lines = topics.map(
    (t) => `Topic: ${t.name} | Type: ${t.type} | Count: ${t.count} | Serialization Format: ${t.serializationFormat}`,
  );
  writeLine(ctx, `${label('Topic information')}${lines.join(`\n${' '.repeat(WIDTH)}`)}`);
  if (services.length > 0) {
    writeLine(ctx, `${label('Services')}${services.length}`);
    const serviceLines = services.map((t) => {
      const service = t.name.slice(0, -'/_service_event'.length);
      const type = t.type.slice(0, -'_Event'.length);
      return `Service: ${service} | Type: ${type} | Event Count: ${t.count} | Serialization Format: ${t.serializationFormat}`;
    });
    writeLine(ctx, `${label('Service information')}${serviceLines.join(`\n${' '.repeat(WIDTH)}`)}`);
  }
}

export function registerBagInfo(program: Command, ctx: CliContext): void {
  program
    .command('bag-info')
    .description('like `ros2 bag info`: storage, duration, and per topic its type and message count (MCAP and sqlite3 bags, no ROS needed)')
    .argument(
      '<path>',
      'a bag folder (metadata.yaml + .mcap/.db3 files, split bags too, rosbag2 zstd compression too), its metadata.yaml, or one .mcap, .db3 or .zstd file',
    )
    .option('--json', 'machine-readable output on stdout')
    .option('--no-verify', "trust the file's index instead of reading every record (faster on large bags; does not detect damaged chunks)")
    .action(async (path: string, opts: { json?: boolean; verify: boolean }) => {
      const reader = await BagReader.open(resolve(ctx.cwd, path));
      try {
        const info = await reader.info({ verify: opts.verify });
        const sizeBytes = reader.files.reduce((n, f) => n + statSync(f.path).size, 0);
        for (const w of reader.warnings) logLine(ctx, `warning: ${w}`);
        if (opts.json === true) writeJson(ctx, bagInfoJson(info, sizeBytes, reader.warnings));
        else printText(ctx, info, sizeBytes);
      } finally {
        await reader.close();
      }
    });
}
