import { type HostileCase, OPENVLA_IMAGE, TINY_OPENVLA } from './hostileCase';
import { file, jpegClaiming, png, pngBomb } from './hostileFixtures';

/** Hostile inputs, images given to infer: decompression bombs, truncated or mislabelled files, an image where a policy belongs. */

export const IMAGE_CASES: HostileCase[] = [
  {
    cls: 'crash',
    what: 'a 69-byte PNG claiming 100000x100000 pixels',
    process: true,
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', file('bomb.png', pngBomb(100_000, 100_000)), '--instruction', 'go'],
    exit: 2,
    stderr: [/bomb\.png: image is 100000x100000 pixels, more than/],
  },
  {
    cls: 'crash',
    what: 'a JPEG claiming 60000x60000 pixels',
    process: true,
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', file('bomb.jpg', jpegClaiming(60_000, 60_000)), '--instruction', 'go'],
    exit: 2,
    stderr: [/bomb\.jpg: image is 60000x60000 pixels/],
  },
  {
    cls: 'crash',
    what: 'a PNG 9000 pixels wide',
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', file('wide.png', pngBomb(9000, 10)), '--instruction', 'go'],
    exit: 2,
    stderr: [/wide\.png: image is 9000x10 pixels/],
  },
  {
    cls: 'crash',
    what: 'a PNG claiming 0x0 pixels',
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', file('zero.png', pngBomb(0, 0)), '--instruction', 'go'],
    exit: 2,
    stderr: [/zero\.png: malformed PNG: size 0x0/],
  },
  {
    cls: 'message',
    what: 'a truncated PNG',
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', file('cut.png', png(64, 64).subarray(0, 60)), '--instruction', 'go'],
    exit: 2,
    stderr: [/cut\.png: truncated PNG \(60 bytes\)/],
  },
  {
    cls: 'message',
    what: 'a text file given as an image',
    args: () => ['infer', '--policy', TINY_OPENVLA, '--image', file('notes.png', 'hello'), '--instruction', 'go'],
    exit: 2,
    stderr: [/notes\.png: not a PNG or JPEG image/],
  },
  {
    cls: 'message',
    what: 'infer --policy x.png',
    args: () => ['infer', '--policy', file('x.png', png(4, 4)), '--image', OPENVLA_IMAGE],
    exit: 2,
    stderr: [/x\.png: not a policy folder or a manifest YAML/],
  },
];
