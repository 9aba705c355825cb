import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const LOCK_FILE = '.lock';

/**
 * Takes a data dir for this process: a lock file naming our pid. A lock left by a process that no
 * longer runs is taken over. The broker holds it while it runs; the offline storage tools
 * (verify, repair) take it too, so they never work on files a broker has open.
 */
export async function takeDataDirLock(dir: string): Promise<void> {
  const path = join(dir, LOCK_FILE);
  try {
    await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processIsAlive(holder)) {
    throw new Error(`data dir ${dir} is in use by process ${holder} (remove ${path} if that is wrong)`);
  }
  await writeFile(path, `${process.pid}\n`);
}

export async function releaseDataDirLock(dir: string): Promise<void> {
  await rm(join(dir, LOCK_FILE), { force: true });
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
