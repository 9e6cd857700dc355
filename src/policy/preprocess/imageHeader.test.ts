import { PNG } from 'pngjs';
import { pngBomb } from '../../../test/hostile/hostileFixtures';
import { frameToMat } from './frameToMat';
import { readImageHeader } from './imageHeader';

describe('readImageHeader', () => {
  const good = (() => {
    const image = new PNG({ width: 5, height: 3 });
    return PNG.sync.write(image);
  })();

  it('reads the size of a PNG', () => {
    expect(readImageHeader(good, { file: 'a.png' })).toEqual({ format: 'png', widthPx: 5, heightPx: 3 });
  });

  it('refuses a PNG cut anywhere, naming the file', () => {
    for (const n of [20, 40, good.length - 1])
      expect(() => readImageHeader(good.subarray(0, n), { file: 'a.png' })).toThrow(/truncated PNG/);
  });

  it('refuses a camera frame that claims too many pixels before OpenCV sees it (the process would abort)', () => {
    const frame = { kind: 'compressed' as const, stampS: 0, frameId: 'cam', format: 'png', data: pngBomb(100_000, 100_000) };
    expect(() => frameToMat(frame, 'wrist', 'rgb')).toThrow(/camera "wrist": image is 100000x100000 pixels/);
  });
});
