// Prints a parquet file's rows as JSON (int64 as numbers) for the Python tools: Debian has no pyarrow, and
// the package's own node_modules has hyparquet. Usage: node parquet_to_json.mjs FILE
import { readFileSync } from 'node:fs';
import { parquetReadObjects } from 'hyparquet';

const bytes = readFileSync(process.argv[2]);
const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
process.stdout.write(JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? Number(value) : value)));
