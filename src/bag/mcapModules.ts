/**
 * @mcap/core and @mcap/support ship CommonJS builds, but their type declarations are ES modules, which a
 * CommonJS file may only import as types. This module loads the CommonJS builds and types them from the
 * declarations, so the rest of src/bag imports plain names from here.
 */
import type * as McapCore from '@mcap/core' with { 'resolution-mode': 'import' };
import type * as McapSupport from '@mcap/support' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require('@mcap/core') as typeof McapCore;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const support = require('@mcap/support') as typeof McapSupport;

export const { McapIndexedReader, McapStreamReader, McapWriter } = core;
export const { loadDecompressHandlers } = support;

export type McapIndexedReader = McapCore.McapIndexedReader;
export type McapStreamReader = McapCore.McapStreamReader;
export type McapWriter = McapCore.McapWriter;
export type DecompressHandlers = McapCore.DecompressHandlers;
export type McapTypedRecord = McapCore.McapTypes.TypedMcapRecord;
export type McapRecords = McapCore.McapTypes.TypedMcapRecords;
export type IWritable = McapCore.IWritable;
