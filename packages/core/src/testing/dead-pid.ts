import { spawn } from 'node:child_process';

/** The pid of a process that has exited: a lock holder that is certainly gone. */
export function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid as number));
  });
}
