// What every benchmark prints about where it ran, so BENCHMARKS.md rows can be compared.
import os from 'node:os';

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${process.platform} ${os.release()}`;
}
