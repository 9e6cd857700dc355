import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type ErrorLocation, VlaError } from '../errors';

/**
 * The one resolver for paths written inside a file (a manifest's statistics, an embodiment's URDF): they are
 * relative to that file's folder and must stay inside `root`. A manifest from elsewhere can thus never make
 * the bridge open `../../../../etc/passwd` or `/etc/shadow`. Only paths the user writes on the command line
 * may point anywhere.
 */
export function resolveInside(root: string, baseDir: string, named: string, where: ErrorLocation, what: string): string {
  if (named.includes('\0'))
    throw new VlaError('CONFIG_INVALID', `${what} path contains a NUL character`, { ...where, hint: 'write a plain relative file name' });
  if (isAbsolute(named)) {
    throw new VlaError('CONFIG_INVALID', `${what} "${named}" is an absolute path; files named here must be inside ${root}`, {
      ...where,
      hint: 'copy the file into that folder and write its path relative to the file that names it',
    });
  }
  const file = resolve(baseDir, named);
  const inside = relative(root, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new VlaError('CONFIG_INVALID', `${what} "${named}" leaves the folder ${root}`, {
      ...where,
      hint: 'files named here must be inside that folder: copy the file there and name it relative to the file that names it',
    });
  }
  return file;
}

/**
 * The folder an embodiment YAML may name files in: the ROS package it belongs to (the nearest of its folder
 * and that folder's parent holding package.xml, as `config/` and `urdf/` sit side by side), else its own folder.
 */
export function embodimentRoot(configFile: string): string {
  const dir = dirname(configFile);
  for (const candidate of [dir, dirname(dir)]) if (existsSync(join(candidate, 'package.xml'))) return candidate;
  return dir;
}
