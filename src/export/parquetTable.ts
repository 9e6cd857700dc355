import { writeFileSync } from 'node:fs';
import type * as HyparquetWriter from 'hyparquet-writer' with { 'resolution-mode': 'import' };

// hyparquet-writer is an ES module only: Node 20.19+ loads it with require(), and so does every caller here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const writer = require('hyparquet-writer') as typeof HyparquetWriter;

/** Column types of the LeRobot parquet files, as Arrow/HF `datasets` read them back. */
export type ParquetColumnType =
  | 'int64'
  | 'float32'
  | 'float64'
  | 'string'
  | 'list<float32>'
  | 'list<float64>'
  | 'list<int64>'
  | 'list<string>';

export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
  /** One value per row: numbers (bigint for int64), strings, or arrays of them for list types. */
  data: readonly unknown[];
}

type SchemaElement = NonNullable<Parameters<typeof writer.parquetWriteBuffer>[0]['schema']>[number];

const PRIMITIVE: Record<string, Partial<SchemaElement>> = {
  int64: { type: 'INT64' },
  float32: { type: 'FLOAT' },
  float64: { type: 'DOUBLE' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
};

/** Schema elements of one column: a required primitive, or a three-level LIST of required elements (Arrow's layout). */
function schemaOf(column: ParquetColumn): SchemaElement[] {
  const list = column.type.startsWith('list<');
  const element = PRIMITIVE[list ? column.type.slice(5, -1) : column.type]!;
  if (!list) return [{ name: column.name, repetition_type: 'REQUIRED', ...element } as SchemaElement];
  return [
    { name: column.name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 } as SchemaElement,
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 } as SchemaElement,
    { name: 'element', repetition_type: 'REQUIRED', ...element } as SchemaElement,
  ];
}

function toBigInt(value: unknown): unknown {
  return typeof value === 'number' ? BigInt(value) : value;
}

/**
 * One parquet file (snappy, as pandas and HF `datasets` write them) from whole columns. int64 values may be
 * given as numbers. `kvMetadata` carries e.g. the pandas index description LeRobot's tasks table needs.
 */
export function parquetBuffer(columns: readonly ParquetColumn[], kvMetadata: { key: string; value: string }[] = []): Uint8Array {
  const rows = columns[0]?.data.length ?? 0;
  for (const c of columns)
    if (c.data.length !== rows) throw new RangeError(`parquet column ${c.name} has ${c.data.length} rows, ${columns[0]!.name} has ${rows}`);
  const columnData = columns.map((c) => {
    let data: unknown[] = c.data as unknown[];
    if (c.type === 'int64') data = c.data.map(toBigInt);
    else if (c.type === 'list<int64>') data = c.data.map((v) => Array.from(v as ArrayLike<unknown>, toBigInt));
    else if (c.type.startsWith('list<')) data = c.data.map((v) => Array.from(v as ArrayLike<unknown>));
    return { name: c.name, data };
  });
  const schema = [{ name: 'schema', num_children: columns.length } as SchemaElement, ...columns.flatMap(schemaOf)];
  const buffer = writer.parquetWriteBuffer({
    columnData: columnData as HyparquetWriter.ColumnSource[],
    schema,
    kvMetadata,
    createdBy: 'vla_bridge export-lerobot',
  });
  return new Uint8Array(buffer);
}

export function writeParquetFile(
  file: string,
  columns: readonly ParquetColumn[],
  kvMetadata: { key: string; value: string }[] = [],
): number {
  const bytes = parquetBuffer(columns, kvMetadata);
  writeFileSync(file, bytes);
  return bytes.length;
}
