import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { expect } from 'expect';
import type { TestApi } from './suites';

/** The contract suites' test API on Node's own test runner, with jest's `expect` package. */
export const NODE_TEST: TestApi = {
  describe: (name, fn) => void describe(name, fn),
  it: (name, fn) => void it(name, async () => fn()),
  beforeAll: (fn) => before(async () => fn()),
  afterAll: (fn) => after(async () => fn()),
  beforeEach: (fn) => beforeEach(async () => fn()),
  afterEach: (fn) => afterEach(async () => fn()),
  expect,
};
