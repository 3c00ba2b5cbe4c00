/**
 * The configuration file: read and validated at start (a bad file is a clear error naming every
 * problem, never a silent default), and replaced atomically when the settings change — written to
 * a temporary file, fsync'ed, renamed over the old one — so a crash never leaves half a file.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, parseConfig, type TickscopeConfig } from '../../common/config.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';

export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
}

/** $XDG_CONFIG_HOME/tickscope/config.json, else ~/.config/tickscope/config.json. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'tickscope', 'config.json');
}

/** Reads a config file; a missing file gives the defaults (the simulator). */
export async function loadConfig(path: string): Promise<{ config: TickscopeConfig; found: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { config: structuredClone(DEFAULT_CONFIG), found: false };
    throw new ConfigFileError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigFileError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  const r = parseConfig(json);
  if (!r.ok) throw new ConfigFileError(`${path}:\n  ${r.errors.join('\n  ')}`);
  return { config: r.config, found: true };
}

/** Writes the config atomically (see writeFileAtomic). */
export async function saveConfig(path: string, config: TickscopeConfig): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`, 0o600);
}
