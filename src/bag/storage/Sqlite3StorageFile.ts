import { closeSync, copyFileSync, existsSync, linkSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { describeError, VlaError } from '../../errors';
import type { StoredDefinition } from '../definitions/TopicDecoder';
import { normalizeTypeName } from '../rosTypeName';
import { openFailure } from './openFailure';
import type { RawMessage, ReadFilter, StorageFile, StorageSummary, StorageTopic, SummaryOptions } from './StorageFile';

const SQLITE_MAGIC = 'SQLite format 3\0';

/** True when the database header says WAL mode (file format read and write versions both 2). */
function isWalMode(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(20);
    const n = readSync(fd, header, 0, 20, 0);
    return n === 20 && header.toString('latin1', 0, 16) === SQLITE_MAGIC && header[18] === 2 && header[19] === 2;
  } finally {
    closeSync(fd);
  }
}

/**
 * SQLite opens a WAL-mode database only with its -wal and -shm side files, and creates them next to the file
 * even read-only. To leave the bag folder untouched, such a file is read through a hard link (or a copy,
 * across file systems) in a private temporary folder, with its -wal (uncheckpointed messages) copied along.
 */
function privateView(path: string): { dbPath: string; tempDir: string } {
  const tempDir = mkdtempSync(join(tmpdir(), 'vla-bridge-db3-'));
  const dbPath = join(tempDir, basename(path));
  try {
    linkSync(path, dbPath);
  } catch {
    copyFileSync(path, dbPath);
  }
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) copyFileSync(wal, `${dbPath}-wal`);
  return { dbPath, tempDir };
}

function sqliteFailure(path: string, err: unknown): VlaError {
  if (err instanceof VlaError) return err;
  const code = (err as { code?: string }).code ?? '';
  const detail = describeError(err);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_IOERR')) {
    return new VlaError('BAG_INVALID', `the sqlite3 bag file is corrupt or truncated (${detail})`, {
      file: path,
      cause: err,
      hint: 'the recording was interrupted or the file was damaged; `sqlite3 FILE ".recover" | sqlite3 fixed.db3` keeps what is readable',
    });
  }
  return new VlaError('BAG_INVALID', `cannot read the sqlite3 bag file (${detail})`, {
    file: path,
    cause: err,
    hint: 'check that this is a rosbag2 .db3 file',
  });
}

interface TopicRow {
  id: bigint;
  name: string;
  type: string;
  serialization_format: string;
  offered_qos_profiles?: string;
}

/**
 * A rosbag2 sqlite3 file (.db3): every schema version, from 2019 bags with only `topics` and `messages` (type
 * names without `/msg/`) to Iron's with `message_definitions`, `schema` and `metadata`. Opened read-only;
 * WAL-mode files are read through a private link so no side file appears next to the bag.
 */
export class Sqlite3StorageFile implements StorageFile {
  readonly storage = 'sqlite3' as const;
  readonly topics: readonly StorageTopic[];
  private readonly topicNameById: ReadonlyMap<bigint, string>;
  private readonly topicIdByName: ReadonlyMap<string, bigint>;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    private readonly tempDir: string | undefined,
    topicRows: readonly TopicRow[],
    definitions: ReadonlyMap<string, StoredDefinition>,
  ) {
    const names = new Map<bigint, string>();
    const ids = new Map<string, bigint>();
    const topics: StorageTopic[] = [];
    for (const row of topicRows) {
      names.set(row.id, row.name);
      if (ids.has(row.name)) continue;
      ids.set(row.name, row.id);
      const topic: StorageTopic = { name: row.name, type: normalizeTypeName(row.type), serializationFormat: row.serialization_format };
      if (row.offered_qos_profiles !== undefined && row.offered_qos_profiles !== '') topic.offeredQosProfiles = row.offered_qos_profiles;
      const definition = definitions.get(row.type) ?? definitions.get(topic.type);
      if (definition !== undefined) topic.definition = definition;
      topics.push(topic);
    }
    this.topics = topics;
    this.topicNameById = names;
    this.topicIdByName = ids;
  }

  /** `path` names the file in errors and info; `source` is the file read, when that is another (a decompressed copy). */
  static async open(path: string, source = path): Promise<Sqlite3StorageFile> {
    let wal: boolean;
    try {
      if (statSync(source).size === 0) {
        throw new VlaError('BAG_INVALID', 'the sqlite3 bag file is empty (0 bytes)', {
          file: path,
          hint: 'the recording never wrote to it; record again',
        });
      }
      wal = isWalMode(source);
    } catch (err) {
      throw err instanceof VlaError ? err : openFailure(path, err);
    }
    const view = wal ? privateView(source) : undefined;
    let db: Database.Database | undefined;
    try {
      db = new Database(view?.dbPath ?? source, { readonly: true, fileMustExist: true });
      const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
      for (const required of ['topics', 'messages']) {
        if (!tables.has(required)) {
          throw new VlaError('BAG_INVALID', `the sqlite3 file has no "${required}" table, so it is not a rosbag2 bag`, {
            file: path,
            hint: 'give the path of a rosbag2 bag (a folder with metadata.yaml, or its .db3/.mcap file)',
          });
        }
      }
      const topicRows = db.prepare('SELECT * FROM topics ORDER BY id').safeIntegers(true).all() as TopicRow[];
      const definitions = new Map<string, StoredDefinition>();
      if (tables.has('message_definitions')) {
        const rows = db.prepare('SELECT topic_type, encoding, encoded_message_definition FROM message_definitions').all() as {
          topic_type: string;
          encoding: string;
          encoded_message_definition: string;
        }[];
        for (const row of rows) definitions.set(row.topic_type, { encoding: row.encoding, text: row.encoded_message_definition });
      }
      return new Sqlite3StorageFile(path, db, view?.tempDir, topicRows, definitions);
    } catch (err) {
      db?.close();
      if (view !== undefined) rmSync(view.tempDir, { recursive: true, force: true });
      throw sqliteFailure(path, err);
    }
  }

  summary(options: SummaryOptions): Promise<StorageSummary> {
    try {
      const warnings: string[] = [];
      if (options.verify) {
        const problems = this.db.pragma('quick_check', { simple: false }) as { quick_check: string }[];
        const bad = problems.map((r) => r.quick_check).filter((r) => r !== 'ok');
        if (bad.length > 0) throw Object.assign(new Error(`integrity check: ${bad.slice(0, 3).join('; ')}`), { code: 'SQLITE_CORRUPT' });
      }
      const rows = this.db
        .prepare('SELECT topic_id, COUNT(*) AS n, MIN(timestamp) AS first, MAX(timestamp) AS last FROM messages GROUP BY topic_id')
        .safeIntegers(true)
        .all() as { topic_id: bigint; n: bigint; first: bigint; last: bigint }[];
      const counts = new Map<string, number>();
      let messageCount = 0;
      let startNs: bigint | undefined;
      let endNs: bigint | undefined;
      for (const row of rows) {
        const topic = this.topicNameById.get(row.topic_id);
        if (topic === undefined) {
          warnings.push(`${row.n} messages refer to topic id ${row.topic_id}, which the topics table does not list; they are skipped`);
          continue;
        }
        counts.set(topic, (counts.get(topic) ?? 0) + Number(row.n));
        messageCount += Number(row.n);
        if (startNs === undefined || row.first < startNs) startNs = row.first;
        if (endNs === undefined || row.last > endNs) endNs = row.last;
      }
      const summary: StorageSummary = { messageCount, countsByTopic: counts, warnings };
      if (startNs !== undefined) summary.startNs = startNs;
      if (endNs !== undefined) summary.endNs = endNs;
      return Promise.resolve(summary);
    } catch (err) {
      return Promise.reject(sqliteFailure(this.path, err));
    }
  }

  async *read(filter: ReadFilter = {}): AsyncGenerator<RawMessage> {
    const where: string[] = [];
    const params: (bigint | string)[] = [];
    if (filter.topics !== undefined) {
      const ids = [...filter.topics].map((t) => this.topicIdByName.get(t)).filter((id): id is bigint => id !== undefined);
      if (ids.length === 0) return;
      where.push(`topic_id IN (${ids.map(() => '?').join(',')})`);
      params.push(...ids);
    }
    if (filter.startNs !== undefined) {
      where.push('timestamp >= ?');
      params.push(filter.startNs);
    }
    if (filter.endNs !== undefined) {
      where.push('timestamp <= ?');
      params.push(filter.endNs);
    }
    const sql = `SELECT topic_id, timestamp, data FROM messages${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY timestamp, id`;
    let rows: IterableIterator<unknown[]>;
    try {
      rows = this.db
        .prepare(sql)
        .safeIntegers(true)
        .raw(true)
        .iterate(...params) as IterableIterator<unknown[]>;
    } catch (err) {
      throw sqliteFailure(this.path, err);
    }
    try {
      for (;;) {
        let next: IteratorResult<unknown[]>;
        try {
          next = rows.next();
        } catch (err) {
          throw sqliteFailure(this.path, err);
        }
        if (next.done === true) return;
        const [topicId, timestamp, data] = next.value as [bigint, bigint, Buffer];
        const topic = this.topicNameById.get(topicId);
        if (topic === undefined) continue;
        yield { topic, logTimeNs: timestamp, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
      }
    } finally {
      // Frees the statement when the reader stops early, so the connection can run other queries.
      rows.return?.();
    }
  }

  close(): Promise<void> {
    this.db.close();
    if (this.tempDir !== undefined) rmSync(this.tempDir, { recursive: true, force: true });
    return Promise.resolve();
  }
}
