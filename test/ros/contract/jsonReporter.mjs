// A reporter for Node's test runner: one JSON line per test with its outcome and error, and one per suite that
// failed by itself (a failing hook, e.g. rclnodejs not loading), whose tests are then reported as cancelled.
export default async function* jsonReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, details } = event.data;
    const suite = details?.type === 'suite';
    const error = details?.error;
    if (suite && (error === undefined || error.failureType === 'subtestsFailed' || error.failureType === 'cancelledByParent')) continue;
    const reason = error === undefined ? undefined : String(error.cause?.message ?? error.message ?? error);
    yield `${JSON.stringify({ name, suite, ok: event.type === 'test:pass', reason })}\n`;
  }
}
