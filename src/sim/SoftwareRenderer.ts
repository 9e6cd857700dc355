/**
 * A small ray-casting renderer: a table plane, axis-aligned boxes and capsules, Lambert shading with one
 * directional light, and shadows on the table. Enough to see an arm and coloured cubes from a fixed camera at
 * 64-128 px, fast enough to run at the camera rate inside the simulation.
 */

export type Vec3 = [number, number, number];
export type Rgb = readonly [number, number, number];

export interface Capsule {
  a: Vec3;
  b: Vec3;
  radiusM: number;
  rgb: Rgb;
}

export interface Box {
  center: Vec3;
  halfSizeM: number;
  rgb: Rgb;
}

export interface PinholeCamera {
  positionM: Vec3;
  lookAtM: Vec3;
  verticalFovDeg: number;
  width: number;
  height: number;
}

export interface RenderScene {
  camera: PinholeCamera;
  boxes: readonly Box[];
  capsules: readonly Capsule[];
  /** Size of the table's checker squares, m (0: plain). */
  checkerM: number;
  /** Radius of the table around the base, m (beyond it: floor colour). */
  tableRadiusM: number;
}

const LIGHT: Vec3 = normalize([0.35, 0.25, 1]);
const AMBIENT = 0.38;
const SKY: Rgb = [0.16, 0.17, 0.2];
const TABLE_A: Rgb = [0.62, 0.56, 0.48];
const TABLE_B: Rgb = [0.57, 0.51, 0.44];
const FLOOR: Rgb = [0.3, 0.3, 0.32];

function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

interface Hit {
  t: number;
  nx: number;
  ny: number;
  nz: number;
  rgb: Rgb;
}

/** Nearest positive ray parameter hitting a capsule, or Infinity. */
function hitCapsule(c: Capsule, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): number {
  const bax = c.b[0] - c.a[0];
  const bay = c.b[1] - c.a[1];
  const baz = c.b[2] - c.a[2];
  const oax = ox - c.a[0];
  const oay = oy - c.a[1];
  const oaz = oz - c.a[2];
  const baba = bax * bax + bay * bay + baz * baz;
  const bard = bax * dx + bay * dy + baz * dz;
  const baoa = bax * oax + bay * oay + baz * oaz;
  const rdoa = dx * oax + dy * oay + dz * oaz;
  const oaoa = oax * oax + oay * oay + oaz * oaz;
  const r2 = c.radiusM * c.radiusM;
  const a = baba - bard * bard;
  const b = baba * rdoa - baoa * bard;
  const cc = baba * oaoa - baoa * baoa - r2 * baba;
  const h = b * b - a * cc;
  if (h >= 0 && a > 1e-12) {
    const t = (-b - Math.sqrt(h)) / a;
    const y = baoa + t * bard;
    if (y > 0 && y < baba && t > 1e-6) return t;
  }
  // Spherical caps.
  let best = Infinity;
  for (const end of [c.a, c.b]) {
    const ex = ox - end[0];
    const ey = oy - end[1];
    const ez = oz - end[2];
    const bb = dx * ex + dy * ey + dz * ez;
    const c2 = ex * ex + ey * ey + ez * ez - r2;
    const hh = bb * bb - c2;
    if (hh > 0) {
      const t = -bb - Math.sqrt(hh);
      if (t > 1e-6 && t < best) best = t;
    }
  }
  return best;
}

/** Nearest positive ray parameter hitting an axis-aligned cube, and the axis (0..2, sign) of the face. */
function hitBox(
  box: Box,
  ox: number,
  oy: number,
  oz: number,
  dx: number,
  dy: number,
  dz: number,
): { t: number; axis: number; sign: number } | undefined {
  let tNear = -Infinity;
  let tFar = Infinity;
  let axis = 0;
  let sign = 1;
  const o = [ox, oy, oz];
  const d = [dx, dy, dz];
  for (let k = 0; k < 3; k++) {
    const lo = box.center[k]! - box.halfSizeM;
    const hi = box.center[k]! + box.halfSizeM;
    const dk = d[k]!;
    const ok = o[k]!;
    if (Math.abs(dk) < 1e-12) {
      if (ok < lo || ok > hi) return undefined;
      continue;
    }
    let t1 = (lo - ok) / dk;
    let t2 = (hi - ok) / dk;
    let s = -1;
    if (t1 > t2) {
      [t1, t2] = [t2, t1];
      s = 1;
    }
    if (t1 > tNear) {
      tNear = t1;
      axis = k;
      sign = s;
    }
    tFar = Math.min(tFar, t2);
    if (tNear > tFar) return undefined;
  }
  return tNear > 1e-6 ? { t: tNear, axis, sign } : undefined;
}

function castObjects(scene: RenderScene, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, hit: Hit): boolean {
  let found = false;
  for (const box of scene.boxes) {
    const h = hitBox(box, ox, oy, oz, dx, dy, dz);
    if (h !== undefined && h.t < hit.t) {
      hit.t = h.t;
      hit.nx = h.axis === 0 ? h.sign : 0;
      hit.ny = h.axis === 1 ? h.sign : 0;
      hit.nz = h.axis === 2 ? h.sign : 0;
      hit.rgb = box.rgb;
      found = true;
    }
  }
  for (const c of scene.capsules) {
    const t = hitCapsule(c, ox, oy, oz, dx, dy, dz);
    if (t < hit.t) {
      const px = ox + dx * t - c.a[0];
      const py = oy + dy * t - c.a[1];
      const pz = oz + dz * t - c.a[2];
      const bax = c.b[0] - c.a[0];
      const bay = c.b[1] - c.a[1];
      const baz = c.b[2] - c.a[2];
      const baba = bax * bax + bay * bay + baz * baz;
      const s = baba > 0 ? Math.max(0, Math.min(1, (px * bax + py * bay + pz * baz) / baba)) : 0;
      hit.t = t;
      hit.nx = (px - bax * s) / c.radiusM;
      hit.ny = (py - bay * s) / c.radiusM;
      hit.nz = (pz - baz * s) / c.radiusM;
      hit.rgb = c.rgb;
      found = true;
    }
  }
  return found;
}

function occluded(scene: RenderScene, px: number, py: number, pz: number): boolean {
  const probe: Hit = { t: Infinity, nx: 0, ny: 0, nz: 0, rgb: SKY };
  return castObjects(scene, px, py, pz, LIGHT[0], LIGHT[1], LIGHT[2], probe);
}

/** Renders the scene into rgb8 bytes (row-major, top row first). */
export function renderScene(scene: RenderScene, out?: Uint8Array): Uint8Array {
  const { width, height } = scene.camera;
  const pixels = out ?? new Uint8Array(width * height * 3);
  const eye = scene.camera.positionM;
  const forward = normalize([scene.camera.lookAtM[0] - eye[0], scene.camera.lookAtM[1] - eye[1], scene.camera.lookAtM[2] - eye[2]]);
  const right = normalize(cross(forward, [0, 0, 1]));
  const up = cross(right, forward);
  const tanHalf = Math.tan((scene.camera.verticalFovDeg * Math.PI) / 360);
  const aspect = width / height;
  const hit: Hit = { t: Infinity, nx: 0, ny: 0, nz: 0, rgb: SKY };
  for (let row = 0; row < height; row++) {
    const v = (1 - (2 * (row + 0.5)) / height) * tanHalf;
    for (let col = 0; col < width; col++) {
      const u = ((2 * (col + 0.5)) / width - 1) * tanHalf * aspect;
      let dx = forward[0] + u * right[0] + v * up[0];
      let dy = forward[1] + u * right[1] + v * up[1];
      let dz = forward[2] + u * right[2] + v * up[2];
      const dn = Math.hypot(dx, dy, dz);
      dx /= dn;
      dy /= dn;
      dz /= dn;
      hit.t = Infinity;
      let rgb: Rgb = SKY;
      let shade = 1;
      if (castObjects(scene, eye[0], eye[1], eye[2], dx, dy, dz, hit)) {
        rgb = hit.rgb;
        shade = AMBIENT + (1 - AMBIENT) * Math.max(0, hit.nx * LIGHT[0] + hit.ny * LIGHT[1] + hit.nz * LIGHT[2]);
      } else if (dz < -1e-9) {
        const t = -eye[2] / dz;
        const px = eye[0] + dx * t;
        const py = eye[1] + dy * t;
        if (Math.hypot(px, py) > scene.tableRadiusM) rgb = FLOOR;
        else if (scene.checkerM > 0) rgb = (Math.floor(px / scene.checkerM) + Math.floor(py / scene.checkerM)) & 1 ? TABLE_A : TABLE_B;
        else rgb = TABLE_A;
        shade = AMBIENT + (1 - AMBIENT) * LIGHT[2];
        if (occluded(scene, px, py, 1e-4)) shade = AMBIENT;
      }
      const o = (row * width + col) * 3;
      pixels[o] = Math.min(255, Math.round(rgb[0] * shade * 255));
      pixels[o + 1] = Math.min(255, Math.round(rgb[1] * shade * 255));
      pixels[o + 2] = Math.min(255, Math.round(rgb[2] * shade * 255));
    }
  }
  return pixels;
}
