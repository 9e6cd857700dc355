import { VlaError } from '../../src/errors';

/** The VlaError `work` rejects with (a test failure if it resolves, or rejects with anything else). */
export async function vlaFailure(work: Promise<unknown>): Promise<VlaError> {
  try {
    await work;
  } catch (err) {
    expect(err).toBeInstanceOf(VlaError);
    return err as VlaError;
  }
  throw new Error('expected a failure');
}
